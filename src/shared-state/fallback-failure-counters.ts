import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { AttemptVerdict, CountedSubject, FailureCounters, LockoutPolicy } from '../domain/brute-force/failure-counters.js';
import { MemoryFailureCounters } from './memory-failure-counters.js';

// Redis counters that never fail open. While Redis cannot answer, every call goes to this
// process's own counters instead: the lockout keeps working (per process, so an attacker
// spreading over N processes gets N times the allowance) rather than letting every password
// through unchecked. The switch is logged both ways and shown by /readyz.

export type CounterMode = 'redis' | 'local-fallback';

const CALL_TIMEOUT_MS = 1_000; // a sign-in should not wait longer than this for its counters

export class FallbackFailureCounters implements FailureCounters {
  readonly #redis: Redis;
  readonly #shared: FailureCounters;
  readonly #local = new MemoryFailureCounters();
  readonly #logger: Logger;
  #mode: CounterMode = 'redis';

  constructor(redis: Redis, shared: FailureCounters, logger: Logger) {
    this.#redis = redis;
    this.#shared = shared;
    this.#logger = logger;
  }

  /** What the next sign-in would use: a Redis connection that is not ready means local counters. */
  get mode(): CounterMode {
    return this.#redis.status === 'ready' ? this.#mode : 'local-fallback';
  }

  async #either<T>(onShared: (c: FailureCounters) => Promise<T>, onLocal: (c: FailureCounters) => Promise<T>): Promise<T> {
    // ioredis would queue commands while reconnecting; a sign-in must not wait for that.
    if (this.#redis.status === 'ready') {
      try {
        const result = await withTimeout(onShared(this.#shared), CALL_TIMEOUT_MS);
        this.#switchTo('redis', null);
        return result;
      } catch (error) {
        this.#switchTo('local-fallback', error);
      }
    } else {
      this.#switchTo('local-fallback', new Error(`redis connection is ${this.#redis.status}`));
    }
    return onLocal(this.#local);
  }

  #switchTo(mode: CounterMode, error: unknown): void {
    if (mode === this.#mode) return;
    this.#mode = mode;
    if (mode === 'local-fallback') {
      this.#logger.warn({ err: error }, 'brute-force counters: redis unavailable, counting in this process only until it is back');
    } else {
      this.#logger.warn('brute-force counters: redis is back, counting in redis again');
    }
  }

  countAttempt(key: string, policy: LockoutPolicy, now: number): Promise<AttemptVerdict> {
    return this.#either(
      (c) => c.countAttempt(key, policy, now),
      (c) => c.countAttempt(key, policy, now),
    );
  }

  forgiveAttempt(key: string, policy: LockoutPolicy, now: number): Promise<void> {
    return this.#either(
      (c) => c.forgiveAttempt(key, policy, now),
      (c) => c.forgiveAttempt(key, policy, now),
    );
  }

  async clear(key: string): Promise<boolean> {
    // An admin's release reaches whatever was counted during an outage too.
    const local = await this.#local.clear(key);
    const shared = await this.#either(
      (c) => c.clear(key),
      async () => false,
    );
    return local || shared;
  }

  async listLocked(prefix: string, now: number, limit: number): Promise<readonly CountedSubject[]> {
    const local = await this.#local.listLocked(prefix, now, limit);
    const shared = await this.#either(
      (c) => c.listLocked(prefix, now, limit),
      async () => [] as readonly CountedSubject[],
    );
    const seen = new Set(shared.map((s) => s.key));
    return [...shared, ...local.filter((s) => !seen.has(s.key))].slice(0, limit);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`redis did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
