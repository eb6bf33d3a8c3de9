import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import type { RateCounter, RateWindow } from '../../src/domain/rate-limit.js';
import { MemoryRateCounter } from '../../src/shared-state/memory-rate-counter.js';
import { RedisRateCounter } from '../../src/shared-state/redis-rate-counter.js';
import { REDIS_SERVER_MISSING, startRedisProcess } from '../brute-force/redis-process.js';
import { busiestWindow } from './rate-limit-fixtures.js';

// The sliding window in memory (domain/sliding-window.ts) and as the Redis Lua script must be
// one algorithm: the same random traffic through both gives the same answer at every step, and
// no period ever admits more than its limit.

const WINDOWS: readonly RateWindow[] = [
  { key: 's', limit: 3, periodMs: 1_000 },
  { key: 'm', limit: 20, periodMs: 60_000 },
  { key: 'u:alice:s', limit: 2, periodMs: 1_000 },
];

/** A small seeded generator (mulberry32): a failure can be replayed from the seed it names. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

describe('rate counters: memory and Redis run one algorithm', { skip: REDIS_SERVER_MISSING ?? false }, () => {
  it('the same random traffic gets the same answers, and no period admits more than its limit', async () => {
    const server = await startRedisProcess();
    const redis = new Redis(server.url);
    after(() => redis.disconnect());
    const counters: [string, RateCounter][] = [
      ['memory', new MemoryRateCounter()],
      ['redis', new RedisRateCounter(redis)],
    ];
    const seed = Date.now() % 100_000;
    const next = random(seed);
    let now = 1_700_000_000_000 + Math.floor(next() * 1_000);
    const admitted = new Map<string, number[]>(); // per group and window key: admission times
    for (let step = 0; step < 1_500; step += 1) {
      // Mostly bursts (same instant) and short gaps; now and then a long pause.
      const roll = next();
      now += roll < 0.3 ? 0 : roll < 0.95 ? Math.floor(next() * 150) : Math.floor(next() * 70_000);
      const group = next() < 0.8 ? 'sub-a' : 'sub-b';
      const windows = next() < 0.5 ? WINDOWS : WINDOWS.slice(0, 2);
      const answers = [];
      for (const [, counter] of counters) answers.push(await counter.admit(group, windows, now));
      assert.deepEqual(answers[1], answers[0], `step ${step} (seed ${seed}): memory and Redis disagree`);
      const counts = answers[0]!;
      if (counts.every((count, i) => count.used < windows[i]!.limit)) {
        for (const window of windows) {
          const times = admitted.get(`${group}:${window.key}`) ?? [];
          times.push(now);
          admitted.set(`${group}:${window.key}`, times);
        }
      } else {
        assert.ok(counts.some((count) => count.freeInMs > 0), `step ${step}: a refusal says when to retry`);
      }
    }
    for (const window of WINDOWS) {
      for (const group of ['sub-a', 'sub-b']) {
        const times = admitted.get(`${group}:${window.key}`) ?? [];
        assert.ok(times.length > window.limit, `the traffic reached the limit of ${group}:${window.key} (seed ${seed})`);
        assert.ok(busiestWindow(times, window.periodMs) <= window.limit, `${group}:${window.key} over its limit (seed ${seed})`);
      }
    }
  });
});
