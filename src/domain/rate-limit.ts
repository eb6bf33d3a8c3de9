import type { RateLimitConfig, RateLimitWindowsConfig } from '../config/config.js';
import { drainedInMs, type WindowCount } from './sliding-window.js';

// A plan's rate limits (requests per second / minute / hour), per subscription and, with
// `perUser`, per user of that subscription too. Each limit is a sliding window
// (domain/sliding-window.ts); a request is counted only when every window has room for it, so
// refused requests use up nothing. The answer carries what the RateLimit header fields report
// (draft-ietf-httpapi-ratelimit-headers: limit, remaining, reset).

export interface RateWindow {
  /** Names the window within its group (the subscription). */
  readonly key: string;
  readonly limit: number;
  readonly periodMs: number;
}

/** Shared or in-process counters; the implementations live in src/shared-state/. */
export interface RateCounter {
  /**
   * Atomically, for the windows of one group: when every window has room at `now`, counts one
   * request in each. Returns what each window held before.
   */
  admit(group: string, windows: readonly RateWindow[], now: number): Promise<readonly WindowCount[]>;
}

export interface RateLimitState {
  readonly allowed: boolean;
  /** The window that decided: the one that refused longest, or the one nearest its limit. */
  readonly limit: number;
  readonly remaining: number;
  /**
   * Whole seconds (at least 1): when refused, until a request can pass (Retry-After); when
   * allowed, until the window has let go of every request it counts (`remaining` is back to `limit`).
   */
  readonly resetSeconds: number;
}

export interface RateLimitSubject {
  readonly subscriptionId: string;
  /** null: the client acting for itself (client credentials), counted as one more user of it. */
  readonly userId: string | null;
}

interface PlannedWindow {
  readonly suffix: string;
  readonly limit: number;
  readonly periodMs: number;
  readonly perUser: boolean;
}

const PERIODS = [
  { name: 's', periodMs: 1_000, limitOf: (config: RateLimitWindowsConfig) => config.perSecond },
  { name: 'm', periodMs: 60_000, limitOf: (config: RateLimitWindowsConfig) => config.perMinute },
  { name: 'h', periodMs: 3_600_000, limitOf: (config: RateLimitWindowsConfig) => config.perHour },
] as const;

function plan(config: RateLimitConfig): readonly PlannedWindow[] {
  const windows = (of: RateLimitWindowsConfig, perUser: boolean): PlannedWindow[] =>
    PERIODS.flatMap(({ name, periodMs, limitOf }) => {
      const limit = limitOf(of);
      return limit === undefined ? [] : [{ suffix: perUser ? `:${name}` : name, limit, periodMs, perUser }];
    });
  return [...windows(config, false), ...windows(config.perUser ?? {}, true)];
}

export class RateLimiter {
  readonly #counter: RateCounter;
  readonly #now: () => number;
  // Plans are read once per plan, not per request (the config objects live as long as the process).
  readonly #plans = new WeakMap<RateLimitConfig, readonly PlannedWindow[]>();

  constructor(counter: RateCounter, now: () => number) {
    this.#counter = counter;
    this.#now = now;
  }

  /** Counts one request of the subject if its plan's limits allow it; null when the plan sets none. */
  async hit(subject: RateLimitSubject, config: RateLimitConfig | null): Promise<RateLimitState | null> {
    if (config === null) return null;
    const planned = this.#planOf(config);
    if (planned.length === 0) return null;
    // `c` never collides with a user's key: those all start with `u:`.
    const user = subject.userId === null ? 'c' : `u:${subject.userId}`;
    return this.#admit(subject.subscriptionId, planned.map((w) => ({ key: w.perUser ? `${user}${w.suffix}` : w.suffix, limit: w.limit, periodMs: w.periodMs })));
  }

  /**
   * Counts one request of a group that is not a subscription, e.g. `authorization:<address>`
   * (a subscription's group is its UUID, so a prefixed name never collides with one).
   */
  async hitGroup(group: string, config: RateLimitWindowsConfig): Promise<RateLimitState | null> {
    const planned = this.#planOf(config);
    if (planned.length === 0) return null;
    return this.#admit(group, planned.map((w) => ({ key: w.suffix, limit: w.limit, periodMs: w.periodMs })));
  }

  #planOf(config: RateLimitConfig): readonly PlannedWindow[] {
    let planned = this.#plans.get(config);
    if (planned === undefined) {
      planned = plan(config);
      this.#plans.set(config, planned);
    }
    return planned;
  }

  async #admit(group: string, windows: readonly RateWindow[]): Promise<RateLimitState> {
    const now = this.#now();
    const counts = await this.#counter.admit(group, windows, now);
    if (counts.length !== windows.length) throw new Error('the rate counter answered for other windows than asked');
    return decide(windows, counts, now);
  }
}

function decide(windows: readonly RateWindow[], counts: readonly WindowCount[], now: number): RateLimitState {
  const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1_000));
  let refusedBy = -1;
  let tightest = 0;
  let tightestRemaining = Number.POSITIVE_INFINITY;
  for (let i = 0; i < windows.length; i += 1) {
    const { limit } = windows[i]!;
    const { used, freeInMs } = counts[i]!;
    // Every full window must have room again before a request can pass: the last one decides.
    if (used >= limit && (refusedBy < 0 || freeInMs > counts[refusedBy]!.freeInMs)) refusedBy = i;
    if (limit - used - 1 < tightestRemaining) {
      tightest = i;
      tightestRemaining = limit - used - 1;
    }
  }
  if (refusedBy >= 0) {
    return { allowed: false, limit: windows[refusedBy]!.limit, remaining: 0, resetSeconds: seconds(counts[refusedBy]!.freeInMs) };
  }
  const window = windows[tightest]!;
  return { allowed: true, limit: window.limit, remaining: tightestRemaining, resetSeconds: seconds(drainedInMs(window.periodMs, now)) };
}
