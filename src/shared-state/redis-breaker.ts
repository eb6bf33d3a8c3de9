import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

// The circuit breaker in front of every Redis-backed counter (rate limits, brute-force
// counters). A request never waits for a Redis that is away: the connection has no offline queue
// (redis-client.ts), each call has a deadline of tens of ms, and after a few failures in a row the
// breaker opens and every caller goes straight to this process's own counters — still enforcing,
// per process. While open it probes Redis by itself, so recovery is noticed (and /readyz says
// so) without waiting for a request. Each change of state is logged once.

export type SharedCounterMode = 'redis' | 'local-fallback';

/** For /readyz and metrics. */
export interface BreakerState {
  readonly mode: SharedCounterMode;
  /** When the current mode began (ms since the epoch). */
  readonly since: number;
  /** How many times Redis has been given up on since start-up. */
  readonly trips: number;
}

const FAILURES_TO_OPEN = 3; // in a row: one slow answer does not switch
const PROBE_INTERVAL_MS = 500;

export class RedisDeadlineError extends Error {
  constructor(ms: number) {
    super(`redis did not answer within ${ms} ms`);
    this.name = 'RedisDeadlineError';
  }
}

/**
 * Rejects when `pending` has not settled `ms` after the call. Node runs due timers before it reads
 * sockets: when this process itself was busy (a GC pause, a starved CPU), the answer may already
 * be waiting, so the verdict waits for that same turn's reads (setImmediate) — only an answer
 * that has not arrived by then is Redis being late.
 */
function withDeadline<T>(pending: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      setImmediate(() => {
        if (settled) return;
        settled = true;
        reject(new RedisDeadlineError(ms));
      });
    }, ms);
    pending.then(
      (value) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

export class RedisBreaker {
  readonly #redis: Redis;
  readonly #logger: Logger;
  readonly #deadlineMs: number;
  #open = false;
  #failures = 0;
  #since = Date.now();
  #trips = 0;
  #lastError: unknown = null;
  #probe: NodeJS.Timeout | null = null;
  #probing = false;
  #stopped = false;

  /** `deadlineMs`: how long a caller waits for Redis before counting locally. */
  constructor(redis: Redis, logger: Logger, deadlineMs: number) {
    this.#redis = redis;
    this.#logger = logger;
    this.#deadlineMs = deadlineMs;
    redis.on('error', (error: unknown) => {
      this.#lastError = error;
    });
    redis.on('ready', () => void this.#tryToClose());
    if (redis.status !== 'ready') this.#trip(new Error(`redis connection is ${redis.status}`));
  }

  get state(): BreakerState {
    return { mode: this.mode, since: this.#since, trips: this.#trips };
  }

  get mode(): SharedCounterMode {
    return this.#open ? 'local-fallback' : 'redis';
  }

  /** `shared` while Redis answers, `local` instead (without waiting) while it does not. */
  async run<T>(shared: () => Promise<T>, local: () => Promise<T>): Promise<T> {
    if (this.#open) return local();
    if (this.#redis.status !== 'ready') {
      this.#trip(this.#lastError ?? new Error(`redis connection is ${this.#redis.status}`));
      return local();
    }
    try {
      const result = await withDeadline(shared(), this.#deadlineMs);
      this.#failures = 0;
      return result;
    } catch (error) {
      this.#failures += 1;
      if (this.#failures >= FAILURES_TO_OPEN) this.#trip(error);
      return local();
    }
  }

  /** Stops probing (at shutdown; the connection is about to be closed on purpose). */
  stop(): void {
    this.#stopped = true;
    this.#stopProbing();
  }

  #trip(error: unknown): void {
    if (this.#open || this.#stopped) return;
    this.#open = true;
    this.#since = Date.now();
    this.#trips += 1;
    this.#logger.warn({ err: error }, 'redis unavailable: rate limits and brute-force counters count in this process only until it is back');
    this.#probe = setInterval(() => void this.#tryToClose(), PROBE_INTERVAL_MS);
    this.#probe.unref();
  }

  async #tryToClose(): Promise<void> {
    if (!this.#open || this.#probing || this.#stopped || this.#redis.status !== 'ready') return;
    this.#probing = true;
    try {
      await withDeadline(this.#redis.ping(), this.#deadlineMs);
    } catch {
      return; // still away: the next probe tries again
    } finally {
      this.#probing = false;
    }
    if (!this.#open || this.#stopped) return;
    const downForMs = Date.now() - this.#since;
    this.#open = false;
    this.#failures = 0;
    this.#since = Date.now();
    this.#stopProbing();
    this.#logger.info({ downForMs }, 'redis is back: rate limits and brute-force counters are shared again');
  }

  #stopProbing(): void {
    if (this.#probe !== null) clearInterval(this.#probe);
    this.#probe = null;
  }
}
