import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { captureLogs } from '../support/gatehouse-instance.js';
import { clientParameters, postForm } from '../support/oauth-fixtures.js';
import { busiestWindow, callOrders, clientOnPlan, startRateLimitedGateway, userToken } from './rate-limit-fixtures.js';

// Issue 11 item 4: only admitted requests count, and no window boundary lets a double burst
// through. The clock is the injected one, moved by the offered rate: the figures are exact and
// the test does not wait. Counted in Redis when REDIS_URL is set, in memory otherwise.

const SECOND = 1_000; // ms
const MINUTE = 60 * SECOND;

describe('sliding-window rate limits at the gateway', async () => {
  const logs = captureLogs();
  const fallbacks = () => logs.lines.filter((line) => line.includes('redis unavailable'));
  after(() => assert.deepEqual(fallbacks(), [], 'counted in Redis throughout (when configured)'));
  const harness = await startRateLimitedGateway([
    { id: 'steady', rateLimit: { perSecond: 10, perMinute: 300 } },
    { id: 'hourly', rateLimit: { perMinute: 100, perHour: 1000 } },
    { id: 'per-user', rateLimit: { perMinute: 8, perUser: { perMinute: 5 } } },
  ], { logs });

  /** Moves the injected clock to `offsetMs` past a whole second: a fixed window's boundary falls mid-way. */
  function alignTo(offsetMs: number): number {
    harness.advance(SECOND + offsetMs - (harness.now() % SECOND));
    return harness.now();
  }

  test('60 req/s offered against {perSecond: 10, perMinute: 300}: ≈10 admitted every second, never 20', async () => {
    const token = await userToken(harness, await clientOnPlan(harness, 'steady'));
    const start = alignTo(500);
    const admittedAt: number[] = [];
    const offered = 70 * 60; // 70 s at 60 req/s
    for (let i = 0; i < offered; i += 1) {
      harness.advance(start + Math.round((i * SECOND) / 60) - harness.now());
      const response = await callOrders(harness, token);
      assert.ok(response.statusCode === 201 || response.statusCode === 429, `${response.statusCode} ${response.body}`);
      if (response.statusCode === 201) admittedAt.push(harness.now() - start);
    }
    const perSecond = Array.from({ length: 70 }, (_, s) => admittedAt.filter((t) => t >= s * SECOND && t < (s + 1) * SECOND).length);
    assert.deepEqual(fallbacks(), [], 'counted in Redis throughout (when configured)');
    assert.ok(busiestWindow(admittedAt, SECOND) <= 10, `at most 10 in any second: ${perSecond.join(' ')}`);
    assert.ok(busiestWindow(admittedAt, MINUTE) <= 300, `at most 300 in any minute: ${perSecond.join(' ')}`);
    // Until the minute's 300 are used up (30 s at 10/s), every second admits about 10: refusals
    // are not counted, so they never exhaust the minute early.
    for (let s = 0; s < 28; s += 1) assert.ok(perSecond[s]! >= 9, `second ${s} admitted ${perSecond[s]}: ${perSecond.join(' ')}`);
    const firstMinute = admittedAt.filter((t) => t < MINUTE).length;
    assert.ok(firstMinute >= 290, `the minute's quota is used, not wasted: ${firstMinute}`);
    // A minute after the first admissions they slide out, and requests are admitted again.
    assert.ok(admittedAt.some((t) => t >= 61 * SECOND && t < 66 * SECOND), `admitted again after a minute: ${perSecond.join(' ')}`);
  });

  test('a burst beyond {perMinute: 100, perHour: 1000} does not lock the application out for the hour', async () => {
    const token = await userToken(harness, await clientOnPlan(harness, 'hourly'));
    alignTo(0);
    const statuses = new Map<number, number>();
    let retryAfter = 0;
    for (let i = 0; i < 1_100; i += 1) {
      const response = await callOrders(harness, token);
      statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
      if (response.statusCode === 429) retryAfter = Math.max(retryAfter, Number(response.headers['retry-after']));
    }
    assert.deepEqual(Object.fromEntries(statuses), { 201: 100, 429: 1_000 });
    assert.ok(retryAfter >= 1 && retryAfter <= 63, `retry after the minute, not the hour: ${retryAfter} s`);
    harness.advance(retryAfter * SECOND);
    const again = await callOrders(harness, token);
    assert.equal(again.statusCode, 201, `admitted once the minute has passed: ${again.statusCode} ${again.body}`);
    assert.equal(again.headers['ratelimit-limit'], '100');
    assert.equal(again.headers['ratelimit-remaining'], '99', 'the 1,000 refusals used none of the hour (nor of the minute)');
  });

  test('perUser: one user of an application cannot use up the quota of the others', async () => {
    const client = await clientOnPlan(harness, 'per-user');
    const [alice, bob, carol] = [await userToken(harness, client), await userToken(harness, client), await userToken(harness, client)];
    const statuses = async (token: string, count: number) => {
      const seen: number[] = [];
      for (let i = 0; i < count; i += 1) seen.push((await callOrders(harness, token)).statusCode);
      return seen;
    };
    assert.deepEqual(await statuses(alice, 7), [201, 201, 201, 201, 201, 429, 429], "alice's own limit: 5 a minute");
    const refused = await callOrders(harness, alice);
    assert.equal(refused.statusCode, 429);
    assert.equal(refused.headers['ratelimit-limit'], '5', 'the limit that refused is the per-user one');
    // Alice's refusals did not count toward the application's 8: Bob still gets 3.
    assert.deepEqual(await statuses(bob, 4), [201, 201, 201, 429], 'the application as a whole: 8 a minute');
    const full = await callOrders(harness, carol);
    assert.equal(full.statusCode, 429);
    assert.equal(full.headers['ratelimit-limit'], '8', 'refused by the subscription limit');
  });

  test('perUser: a client-credentials token (no user) counts as one more user of its application', async () => {
    const client = await clientOnPlan(harness, 'per-user');
    const issued = await postForm(harness, { grant_type: 'client_credentials', ...clientParameters(client) });
    const machine = issued.json().access_token as string;
    const alice = await userToken(harness, client);
    const statuses = async (token: string, count: number) => {
      const seen: number[] = [];
      for (let i = 0; i < count; i += 1) seen.push((await callOrders(harness, token)).statusCode);
      return seen;
    };
    assert.deepEqual(await statuses(machine, 6), [201, 201, 201, 201, 201, 429], 'its own per-user limit: 5 a minute');
    assert.equal((await callOrders(harness, machine)).headers['ratelimit-limit'], '5');
    assert.deepEqual(await statuses(alice, 4), [201, 201, 201, 429], 'a user of the same application is counted apart, within its 8');
  });
});
