import type { RateCounter, RateWindow } from '../domain/rate-limit.js';
import type { WindowCount } from '../domain/sliding-window.js';
import { MemoryRateCounter } from './memory-rate-counter.js';
import type { RedisBreaker, SharedCounterMode } from './redis-breaker.js';

// Rate limits in Redis that stay enforced while Redis is away: the breaker sends each request to
// this process's own windows instead (per process, so N processes admit up to N times the limit
// during an outage; never unlimited, and never a request waiting for Redis).

export class FallbackRateCounter implements RateCounter {
  readonly #breaker: RedisBreaker;
  readonly #shared: RateCounter;
  readonly #local = new MemoryRateCounter();

  constructor(breaker: RedisBreaker, shared: RateCounter) {
    this.#breaker = breaker;
    this.#shared = shared;
  }

  get mode(): SharedCounterMode {
    return this.#breaker.mode;
  }

  admit(group: string, windows: readonly RateWindow[], now: number): Promise<readonly WindowCount[]> {
    return this.#breaker.run(
      () => this.#shared.admit(group, windows, now),
      () => this.#local.admit(group, windows, now),
    );
  }
}
