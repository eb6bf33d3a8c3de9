import type { RateLimitConfig } from '../config/config.js';

// A plan's rate limits (requests per second / minute / hour), counted per subscription in fixed
// windows aligned to the clock: cheap (one counter per window, one round trip for all three) and
// the same in every process when the counters live in Redis. The answer carries what the
// RateLimit header fields report (draft-ietf-httpapi-ratelimit-headers: limit, remaining, reset).

export interface CounterHit {
  readonly key: string;
  /** Milliseconds after which the counter may be forgotten. */
  readonly ttlMs: number;
}

/** Shared or in-process counters; the implementations live in src/shared-state/. */
export interface RateCounter {
  /** Adds one to each counter atomically; returns each counter's value after the addition. */
  hit(hits: readonly CounterHit[]): Promise<readonly number[]>;
}

export interface RateLimitState {
  readonly allowed: boolean;
  /** The window that decided: the exhausted one that resets last, or the one nearest its limit. */
  readonly limit: number;
  readonly remaining: number;
  /** Whole seconds until that window resets (at least 1). */
  readonly resetSeconds: number;
}

const WINDOWS = [
  { name: 's', lengthMs: 1_000, limitOf: (config: RateLimitConfig) => config.perSecond },
  { name: 'm', lengthMs: 60_000, limitOf: (config: RateLimitConfig) => config.perMinute },
  { name: 'h', lengthMs: 3_600_000, limitOf: (config: RateLimitConfig) => config.perHour },
] as const;

interface WindowCount {
  readonly limit: number;
  readonly count: number;
  readonly resetSeconds: number;
}

export class RateLimiter {
  readonly #counter: RateCounter;
  readonly #now: () => number;

  constructor(counter: RateCounter, now: () => number) {
    this.#counter = counter;
    this.#now = now;
  }

  /** Counts one request of the subscription; null when its plan sets no limit. */
  async hit(subscriptionId: string, config: RateLimitConfig | null): Promise<RateLimitState | null> {
    if (config === null) return null;
    const now = this.#now();
    const windows = WINDOWS.flatMap((window) => {
      const limit = window.limitOf(config);
      if (limit === undefined) return [];
      const start = Math.floor(now / window.lengthMs) * window.lengthMs;
      const end = start + window.lengthMs;
      return [{ limit, end, key: `${subscriptionId}:${window.name}:${start}` }];
    });
    if (windows.length === 0) return null;
    // The key names its window's start, so the TTL only has to outlive the window.
    const counts = await this.#counter.hit(windows.map((w) => ({ key: w.key, ttlMs: w.end - now + 1_000 })));
    const measured: WindowCount[] = windows.map((w, i) => ({
      limit: w.limit,
      count: counts[i] ?? 0,
      resetSeconds: Math.max(1, Math.ceil((w.end - now) / 1_000)),
    }));
    return decide(measured);
  }
}

function decide(windows: readonly WindowCount[]): RateLimitState {
  const exhausted = windows.filter((w) => w.count > w.limit);
  if (exhausted.length > 0) {
    // Every exhausted window must reset before a request can pass again.
    const last = exhausted.reduce((a, b) => (b.resetSeconds > a.resetSeconds ? b : a));
    return { allowed: false, limit: last.limit, remaining: 0, resetSeconds: last.resetSeconds };
  }
  const tightest = windows.reduce((a, b) => (b.limit - b.count < a.limit - a.count ? b : a));
  return { allowed: true, limit: tightest.limit, remaining: tightest.limit - tightest.count, resetSeconds: tightest.resetSeconds };
}
