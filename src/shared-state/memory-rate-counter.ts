import { LRUCache } from 'lru-cache';
import type { CounterHit, RateCounter } from '../domain/rate-limit.js';

// Rate-limit counters of a single process. Each counter expires with its window; the LRU bound
// keeps a flood of subscriptions from growing memory without limit (three counters each).

const MAX_COUNTERS = 300_000;

export class MemoryRateCounter implements RateCounter {
  readonly #counters = new LRUCache<string, { value: number }>({ max: MAX_COUNTERS });

  async hit(hits: readonly CounterHit[]): Promise<readonly number[]> {
    return hits.map(({ key, ttlMs }) => {
      const counter = this.#counters.get(key);
      if (counter) return ++counter.value;
      this.#counters.set(key, { value: 1 }, { ttl: ttlMs });
      return 1;
    });
  }
}
