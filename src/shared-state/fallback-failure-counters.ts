import type { AttemptVerdict, CountedSubject, FailureCounters, LockoutPolicy } from '../domain/brute-force/failure-counters.js';
import { MemoryFailureCounters } from './memory-failure-counters.js';
import type { RedisBreaker, SharedCounterMode } from './redis-breaker.js';

// Redis counters that never fail open. While Redis cannot answer (the breaker is open), every
// call goes to this process's own counters instead: the lockout keeps working (per process, so
// an attacker spreading over N processes gets N times the allowance) rather than letting every
// password through unchecked.

export class FallbackFailureCounters implements FailureCounters {
  readonly #breaker: RedisBreaker;
  readonly #shared: FailureCounters;
  readonly #local = new MemoryFailureCounters();

  constructor(breaker: RedisBreaker, shared: FailureCounters) {
    this.#breaker = breaker;
    this.#shared = shared;
  }

  get mode(): SharedCounterMode {
    return this.#breaker.mode;
  }

  countAttempt(key: string, policy: LockoutPolicy, now: number): Promise<AttemptVerdict> {
    return this.#breaker.run(
      () => this.#shared.countAttempt(key, policy, now),
      () => this.#local.countAttempt(key, policy, now),
    );
  }

  forgiveAttempt(key: string, policy: LockoutPolicy, now: number): Promise<void> {
    return this.#breaker.run(
      () => this.#shared.forgiveAttempt(key, policy, now),
      () => this.#local.forgiveAttempt(key, policy, now),
    );
  }

  async clear(key: string): Promise<boolean> {
    // An admin's release reaches whatever was counted during an outage too.
    const local = await this.#local.clear(key);
    const shared = await this.#breaker.run(
      () => this.#shared.clear(key),
      async () => false,
    );
    return local || shared;
  }

  async listLocked(prefix: string, now: number, limit: number): Promise<readonly CountedSubject[]> {
    const local = await this.#local.listLocked(prefix, now, limit);
    const shared = await this.#breaker.run(
      () => this.#shared.listLocked(prefix, now, limit),
      async () => [] as readonly CountedSubject[],
    );
    const seen = new Set(shared.map((s) => s.key));
    return [...shared, ...local.filter((s) => !seen.has(s.key))].slice(0, limit);
  }
}
