import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { testConfig } from '../support/gatehouse-instance.js';
import { startOAuthGatehouse } from '../support/oauth-fixtures.js';
import { bearer, gatewayRawConfig, login, startUpstream } from './gateway-harness.js';

// Issue 11, item 1: the API's upstream pool has a size of its own (upstreamConnections), a
// subscription holds at most its plan's maxConcurrent of it (429), and waiting for a free
// connection is bounded (poolWaitTimeoutMs, then 503). Both refusals say when to retry.

test('a pool of 2, one slot per subscription: the second request of one app is 429, a third app waits then gets 503', async () => {
  const upstream = await startUpstream();
  const raw = await gatewayRawConfig(upstream.url);
  const [orders] = raw.apis as Record<string, unknown>[];
  assert.ok(orders);
  Object.assign(orders, { upstreamConnections: 2, upstreamTimeoutMs: 3_000, plans: [{ id: 'default', name: 'Default', maxConcurrent: 1 }] });
  raw.gateway = { poolWaitTimeoutMs: 300 };
  const harness = await startOAuthGatehouse({ config: testConfig(raw) });
  const [first, second, third] = [await login(harness), await login(harness), await login(harness)];
  const call = (token: string, path: string) => harness.gatehouse.publicServer.inject({ method: 'GET', url: `/orders/${path}`, headers: bearer(token) });
  const untilOpen = async (count: number) => {
    for (let i = 0; i < 200 && upstream.open() < count; i += 1) await sleep(10);
    assert.equal(upstream.open(), count);
  };

  const hung1 = call(first.tokens.access_token, 'hang');
  await untilOpen(1);
  const overShare = await call(first.tokens.access_token, 'x');
  assert.equal(overShare.statusCode, 429);
  assert.equal(overShare.headers['retry-after'], '1');
  assert.equal(overShare.json().error, 'concurrency_limited');

  const hung2 = call(second.tokens.access_token, 'hang');
  await untilOpen(2);
  const poolBusy = await call(third.tokens.access_token, 'x');
  assert.equal(poolBusy.statusCode, 503);
  assert.equal(poolBusy.headers['retry-after'], '1');
  assert.equal(poolBusy.json().error, 'upstream_busy');
  assert.equal(upstream.open(), 2, 'the waiting request reached the upstream');

  assert.equal((await hung1).statusCode, 504);
  assert.equal((await hung2).statusCode, 504);
  // The slots and shares are back.
  assert.equal((await call(third.tokens.access_token, 'x')).statusCode, 201);
  assert.equal((await call(first.tokens.access_token, 'x')).statusCode, 201);
});

test('a request waiting for the pool is served when a connection comes free in time', async () => {
  const upstream = await startUpstream();
  const raw = await gatewayRawConfig(upstream.url);
  const [orders] = raw.apis as Record<string, unknown>[];
  assert.ok(orders);
  Object.assign(orders, { upstreamConnections: 1 });
  raw.gateway = { poolWaitTimeoutMs: 10_000 };
  const harness = await startOAuthGatehouse({ config: testConfig(raw) });
  const [first, second] = [await login(harness), await login(harness)];
  const call = (token: string, path: string) => harness.gatehouse.publicServer.inject({ method: 'GET', url: `/orders/${path}`, headers: bearer(token) });
  const slow = call(first.tokens.access_token, 'slow?ms=300');
  for (let i = 0; i < 200 && upstream.open() < 1; i += 1) await sleep(10);
  const waiting = await call(second.tokens.access_token, 'x');
  assert.equal(waiting.statusCode, 201);
  assert.equal((await slow).statusCode, 201);
});
