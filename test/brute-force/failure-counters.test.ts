import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import type { FailureCounters, LockoutPolicy } from '../../src/domain/brute-force/failure-counters.js';
import { MemoryFailureCounters } from '../../src/shared-state/memory-failure-counters.js';
import { RedisFailureCounters } from '../../src/shared-state/redis-failure-counters.js';

// One scenario for both implementations: the Lua scripts must do the domain's arithmetic.

const POLICY: LockoutPolicy = { failuresAllowed: 3, waitIncrementMs: 1_000, maxWaitMs: 2_500, failureResetMs: 10_000 };
const T = 1_700_000_000_000; // ms

async function scenario(counters: FailureCounters): Promise<void> {
  const verdicts = [];
  for (let i = 0; i < 3; i += 1) verdicts.push(await counters.countAttempt('account:a', POLICY, T));
  assert.deepEqual(verdicts.map((v) => [v.failures, v.lockedUntil, v.locked]), [[1, 0, false], [2, 0, false], [3, T + 1_000, false]]);
  assert.deepEqual(await counters.countAttempt('account:a', POLICY, T + 999), { failures: 3, lockedUntil: T + 1_000, lastAttemptAt: T, locked: true });
  const fourth = await counters.countAttempt('account:a', POLICY, T + 1_000);
  assert.equal(fourth.lockedUntil, T + 3_000, 'two increments');
  const fifth = await counters.countAttempt('account:a', POLICY, T + 3_000);
  assert.equal(fifth.lockedUntil, T + 5_500, 'capped at maxWaitMs');
  assert.deepEqual((await counters.listLocked('account:', T + 5_000, 10)).map((s) => [s.key, s.failures]), [['account:a', 5]]);
  assert.deepEqual(await counters.listLocked('address:', T + 5_000, 10), []);

  await counters.countAttempt('address:x', POLICY, T);
  await counters.countAttempt('address:x', POLICY, T);
  await counters.countAttempt('address:x', POLICY, T); // locked until T + 1000
  await counters.forgiveAttempt('address:x', POLICY, T);
  assert.equal((await counters.countAttempt('address:x', POLICY, T + 1)).locked, false, 'forgiving below the threshold lifts the lock');
  assert.equal((await counters.countAttempt('address:x', POLICY, T + 20_000)).failures, 1, 'forgotten after the reset time');
  await counters.forgiveAttempt('address:x', POLICY, T + 20_000);
  assert.equal(await counters.clear('address:x'), false, 'forgiven to zero: nothing left');
  assert.equal(await counters.clear('account:a'), true);
  assert.equal((await counters.countAttempt('account:a', POLICY, T + 5_000)).failures, 1);
}

describe('failure counters', () => {
  it('in memory', async () => {
    await scenario(new MemoryFailureCounters());
  });

  it('in Redis (the Lua scripts)', { skip: process.env.REDIS_URL ? false : 'REDIS_URL not set' }, async () => {
    const redis = new Redis(process.env.REDIS_URL as string);
    const prefix = `gatehouse:test:${randomBytes(6).toString('hex')}:`;
    after(async () => {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    });
    await scenario(new RedisFailureCounters(redis, prefix));
  });
});
