import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Redis } from 'ioredis';
import type { Config } from '../../src/config/config.js';
import { captureLogs, testConfig } from '../support/gatehouse-instance.js';
import { createClient, createUser, fastHasher, startOAuthGatehouse, type OAuthHarness } from '../support/oauth-fixtures.js';
import { attempt, lockoutRawConfig } from './brute-force-fixtures.js';
import { REDIS_SERVER_MISSING, startRedisProcess } from './redis-process.js';

// The counters in Redis: every Gatehouse process sees one count, and losing Redis never opens
// the password grant up (local counters take over, and /readyz says so).

const BRUTE_FORCE = { accounts: { failuresAllowed: 3, waitIncrementSeconds: 60 } };

async function instances(config: Config, count: number, logs = captureLogs()): Promise<OAuthHarness[]> {
  const passwords = fastHasher();
  const started: OAuthHarness[] = [];
  for (let i = 0; i < count; i += 1) started.push(await startOAuthGatehouse({ config, passwords, logs }));
  return started;
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function readyz(harness: OAuthHarness): Promise<{ statusCode: number; body: Record<string, unknown> }> {
  const response = await harness.gatehouse.publicServer.inject({ method: 'GET', url: '/readyz' });
  return { statusCode: response.statusCode, body: response.json() as Record<string, unknown> };
}

describe('brute-force counters shared in Redis', () => {
  // Several processes need the shared store as well: the embedded SQLite store serves one process.
  const sharedSkip = !process.env.REDIS_URL ? 'REDIS_URL not set' : !process.env.DATABASE_URL ? 'DATABASE_URL not set (SQLite serves one process)' : false;
  it('two Gatehouse instances on one store and one Redis see one count', { skip: sharedSkip }, async () => {
    const [a, b] = (await instances(testConfig(lockoutRawConfig(BRUTE_FORCE)), 2)) as [OAuthHarness, OAuthHarness];
    assert.equal(a.gatehouse.services.bruteForceCounters(), 'redis');
    const client = await createClient(a);
    const user = await createUser(a);
    await attempt(a, client, user.login, 'wrong');
    await attempt(b, client, user.login, 'wrong');
    await attempt(a, client, user.login, 'wrong');
    assert.equal((await attempt(b, client, user.login, user.password)).statusCode, 400, 'B sees the failures A counted');
    const listed = await b.gatehouse.services.loginThrottle.lockedAccounts(b.now(), 10);
    assert.deepEqual(listed.map((entry) => entry.userId), [user.user.id]);
    assert.equal(await a.gatehouse.services.loginThrottle.releaseAccount('local', user.login, user.user.id), true);
    assert.equal((await attempt(b, client, user.login, user.password)).statusCode, 200, "A's release is B's too");
  });

  it('Redis stopped mid-test: local counters take over, the log and /readyz say so, and Redis is used again once back', { skip: REDIS_SERVER_MISSING ?? false }, async () => {
    const redis = await startRedisProcess();
    const logs = captureLogs();
    const [harness] = (await instances(testConfig(lockoutRawConfig(BRUTE_FORCE), { REDIS_URL: redis.url }), 1, logs)) as [OAuthHarness];
    const client = await createClient(harness);
    const user = await createUser(harness);
    assert.deepEqual((await readyz(harness)).body.bruteForceCounters, 'redis');
    await attempt(harness, client, user.login, 'wrong');
    const inspector = new Redis(redis.url);
    const keys = await inspector.keys('gatehouse:login-failures:*');
    inspector.disconnect();
    assert.equal(keys.length, 2, `one account and one address counted in Redis: ${keys.join(', ')}`);

    await redis.kill();
    const during = [];
    for (let i = 0; i < 3; i += 1) during.push(await attempt(harness, client, user.login, 'wrong'));
    for (const response of during) assert.equal(response.statusCode, 400, response.body);
    const locked = await attempt(harness, client, user.login, user.password);
    assert.equal(locked.statusCode, 400, 'still locked without Redis: the grant never opens up');
    assert.equal((locked.json() as { error: string }).error, 'invalid_grant');
    const ready = await readyz(harness);
    assert.equal(ready.statusCode, 200, 'degraded but ready: the counters work locally');
    assert.equal(ready.body.status, 'degraded');
    assert.equal(ready.body.bruteForceCounters, 'local-fallback');
    assert.ok(logs.lines.some((line) => line.includes('redis unavailable')), 'a warning is logged');

    // Issue 13 item 9: no sign-in is needed for the process to notice Redis is back.
    await redis.restart();
    await until(() => harness.gatehouse.services.bruteForceCounters() === 'redis', 'the counters to return to Redis on their own');
    const recovered = await readyz(harness);
    assert.equal(recovered.statusCode, 200);
    assert.equal(recovered.body.status, 'ready');
    assert.equal(recovered.body.bruteForceCounters, 'redis');
    assert.ok(logs.lines.some((line) => line.includes('redis is back')), 'the recovery is logged');
    harness.advance(60_000);
    assert.equal((await attempt(harness, client, user.login, user.password)).statusCode, 200);
  });
});
