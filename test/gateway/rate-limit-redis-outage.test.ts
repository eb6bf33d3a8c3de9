import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { captureLogs } from '../support/gatehouse-instance.js';
import { REDIS_SERVER_MISSING, startRedisProcess } from '../brute-force/redis-process.js';
import { bearer } from './gateway-harness.js';
import { clientOnPlan, startRateLimitedGateway, userToken } from './rate-limit-fixtures.js';

// Issue 11 item 3 and issue 13 item 9, against a redis-server of the test's own that is killed
// (SIGKILL) and restarted: rate-limited requests neither wait for Redis nor go unlimited, the log
// says so once, /readyz reports the fallback and then, with no request at all, the recovery.

const SAMPLE = 150; // requests per latency sample
const REQUEST_GIVE_UP_MS = 1_000;
const SAMPLE_BUDGET_MS = 20_000; // a sample stops early rather than run for minutes

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.POSITIVE_INFINITY;
}

async function until(condition: () => boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('rate limits while Redis is down', { skip: REDIS_SERVER_MISSING ?? false }, () => {
  it('answer as fast as with Redis, still limited (locally), degraded in /readyz, and recover on their own', async (t) => {
    const redis = await startRedisProcess();
    const logs = captureLogs();
    const harness = await startRateLimitedGateway(
      [
        { id: 'roomy', rateLimit: { perMinute: 1_000_000 } },
        { id: 'tight', rateLimit: { perMinute: 5 } },
      ],
      // The product's default deadline: what is measured is what operators get.
      { env: { REDIS_URL: redis.url }, logs, redisTimeoutMs: 50 },
    );
    const { public: base } = await harness.gatehouse.listen();
    const roomy = await userToken(harness, await clientOnPlan(harness, 'roomy'));

    /** Milliseconds per request, SAMPLE requests one after the other; a request given up counts as endless. */
    async function latencies(): Promise<number[]> {
      const measured: number[] = [];
      const started = Date.now();
      for (let i = 0; i < SAMPLE && Date.now() - started < SAMPLE_BUDGET_MS; i += 1) {
        const before = performance.now();
        try {
          const response = await fetch(`${base}/orders/limited`, { headers: bearer(roomy), signal: AbortSignal.timeout(REQUEST_GIVE_UP_MS) });
          await response.arrayBuffer();
          assert.equal(response.status, 201);
          assert.equal(response.headers.get('ratelimit-limit'), '1000000', 'the request went through the rate limiter');
          measured.push(performance.now() - before);
        } catch (error) {
          if (!(error instanceof Error && error.name === 'TimeoutError')) throw error;
          measured.push(Number.POSITIVE_INFINITY);
        }
      }
      return measured;
    }

    const readyz = async () => {
      const response = await fetch(`${base}/readyz`);
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };

    assert.deepEqual(await readyz(), {
      status: 200,
      body: { status: 'ready', checks: { store: 'up', redis: 'up' }, bruteForceCounters: 'redis', rateLimitCounters: 'redis' },
    });
    await latencies(); // warm-up: connections, JIT
    const normal = median(await latencies());
    const inspector = new Redis(redis.url);
    assert.ok((await inspector.keys('gatehouse:ratelimit:*')).length > 0, 'counted in Redis while it is up');
    inspector.disconnect();

    await redis.kill();
    const logLinesBefore = logs.lines.length;
    const down = median(await latencies());
    t.diagnostic(`p50 ${normal.toFixed(2)} ms with Redis, ${down.toFixed(2)} ms with Redis killed`);
    assert.ok(down <= normal + 10, `p50 with Redis down ${down.toFixed(1)} ms, with Redis up ${normal.toFixed(1)} ms`);

    // Still limited: a fresh subscription on {perMinute: 5} gets exactly 5 of 12.
    const tight = await userToken(harness, await clientOnPlan(harness, 'tight'));
    const statuses: number[] = [];
    for (let i = 0; i < 12; i += 1) {
      const response = await fetch(`${base}/orders/limited`, { headers: bearer(tight), signal: AbortSignal.timeout(5_000) });
      await response.arrayBuffer();
      statuses.push(response.status);
    }
    assert.deepEqual(statuses, [201, 201, 201, 201, 201, 429, 429, 429, 429, 429, 429, 429]);

    const during = await readyz();
    assert.equal(during.status, 200, 'degraded, but ready: the counters work locally');
    assert.deepEqual(during.body, {
      status: 'degraded',
      checks: { store: 'up', redis: 'down' },
      bruteForceCounters: 'local-fallback',
      rateLimitCounters: 'local-fallback',
    });
    const outageLines = logs.lines.slice(logLinesBefore);
    const unavailable = outageLines.filter((line) => line.includes('redis unavailable'));
    assert.ok(unavailable.length <= 1, `one warning for the outage, not one per request: ${unavailable.length}`);
    assert.ok(logs.lines.some((line) => line.includes('redis unavailable')), 'the outage is logged');
    assert.ok(!outageLines.some((line) => line.includes('admitted without counting')), 'no request went uncounted');

    // Back: nothing but the passing of time brings the counters back to Redis.
    await redis.restart();
    const services = harness.gatehouse.services;
    await until(() => services.rateLimitCounters() === 'redis' && services.bruteForceCounters() === 'redis', 'the counters to return to Redis');
    assert.deepEqual(await readyz(), {
      status: 200,
      body: { status: 'ready', checks: { store: 'up', redis: 'up' }, bruteForceCounters: 'redis', rateLimitCounters: 'redis' },
    });
    const recoveries = logs.lines.slice(logLinesBefore).filter((line) => line.includes('redis is back'));
    assert.equal(recoveries.length, 1, 'the recovery is logged once');
    const response = await fetch(`${base}/orders/limited`, { headers: bearer(roomy) });
    assert.equal(response.status, 201);
    const after = new Redis(redis.url);
    assert.ok((await after.keys('gatehouse:ratelimit:*')).length > 0, 'counted in Redis again');
    after.disconnect();
  });
});
