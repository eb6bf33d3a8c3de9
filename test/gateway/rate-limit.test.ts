import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bearer, login, METERED_PLAN, startGateway } from './gateway-harness.js';

// Plans' rate limits (the metered plan: 3 a minute, 100 an hour), counted per subscription in
// Redis when REDIS_URL is set, in memory otherwise. The clock is the injected one. The sliding
// window itself: rate-limit-sliding-window.test.ts.
describe("plans' rate limits at the gateway", async () => {
  const harness = await startGateway();

  async function meteredSession() {
    const session = await login(harness);
    await harness.store.subscriptions.update(session.client.subscription.id, { plan: METERED_PLAN.id }, harness.now());
    return session;
  }

  const call = (token: string) => harness.gatehouse.publicServer.inject({ method: 'GET', url: '/orders/limited', headers: bearer(token) });

  test('within the limit: RateLimit-* headers count down the tightest window', async () => {
    const { tokens } = await meteredSession();
    const remaining: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const response = await call(tokens.access_token);
      assert.equal(response.statusCode, 201);
      assert.equal(response.headers['ratelimit-limit'], '3');
      remaining.push(String(response.headers['ratelimit-remaining']));
      const reset = Number(response.headers['ratelimit-reset']);
      // A minute's window lets go of a request a minute later, plus at most one slice (3 s).
      assert.ok(reset >= 60 && reset <= 63, `reset ${reset}`);
    }
    assert.deepEqual(remaining, ['2', '1', '0']);
  });

  test('over the limit: 429 with Retry-After and RateLimit-*, and the upstream is not called', async () => {
    const { tokens } = await meteredSession();
    for (let i = 0; i < 3; i += 1) assert.equal((await call(tokens.access_token)).statusCode, 201);
    const before = harness.upstream.received.length;
    const response = await call(tokens.access_token);
    assert.equal(response.statusCode, 429);
    assert.equal(response.json().error, 'rate_limited');
    assert.equal(response.headers['ratelimit-limit'], '3');
    assert.equal(response.headers['ratelimit-remaining'], '0');
    assert.equal(response.headers['retry-after'], response.headers['ratelimit-reset']);
    const retryAfter = Number(response.headers['retry-after']);
    assert.ok(retryAfter >= 60 && retryAfter <= 63, `retry-after ${retryAfter}`);
    assert.equal(harness.upstream.received.length, before);

    // Not a second earlier, then admitted again (the clock is injected: no waiting).
    harness.advance(retryAfter * 1000 - 1000);
    assert.equal((await call(tokens.access_token)).statusCode, 429);
    harness.advance(1000);
    assert.equal((await call(tokens.access_token)).statusCode, 201);
  });

  test('limits are per subscription: another client on the same plan is not affected', async () => {
    const first = await meteredSession();
    for (let i = 0; i < 4; i += 1) await call(first.tokens.access_token);
    assert.equal((await call(first.tokens.access_token)).statusCode, 429);
    const second = await meteredSession();
    assert.equal((await call(second.tokens.access_token)).statusCode, 201);
  });

  test('a plan without limits sends no RateLimit headers', async () => {
    const { tokens } = await login(harness);
    const response = await call(tokens.access_token);
    assert.equal(response.statusCode, 201);
    assert.equal(response.headers['ratelimit-limit'], undefined);
  });
});
