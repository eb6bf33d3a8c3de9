import assert from 'node:assert/strict';
import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { testConfig } from '../support/gatehouse-instance.js';
import { startOAuthGatehouse } from '../support/oauth-fixtures.js';
import { bearer, gatewayRawConfig, login, startUpstream } from './gateway-harness.js';

// A client that closes its connection while the gateway looks up its token (a store round trip
// on PostgreSQL) must not take an upstream slot or a share of its plan's maxConcurrent: nothing
// would give them back. They leaked, and an application with as many connections as its share
// got 429s from then on (the bench's PostgreSQL rounds: 10,139 of them).

test('a client gone during its token lookup takes no share: the application keeps its maxConcurrent', async () => {
  const upstream = await startUpstream();
  const raw = await gatewayRawConfig(upstream.url);
  const [orders] = raw.apis as Record<string, unknown>[];
  assert.ok(orders);
  Object.assign(orders, { plans: [{ id: 'default', name: 'Default', maxConcurrent: 1 }] });
  const harness = await startOAuthGatehouse({ config: testConfig(raw) });
  const { public: base } = await harness.gatehouse.listen();
  const { tokens } = await login(harness);

  // The token lookup waits until the test lets it go.
  const store = harness.gatehouse.services.store.tokens;
  const lookUp = store.findAccessToken.bind(store);
  let lookups = 0;
  let letGo: () => void = () => {};
  const held = new Promise<void>((resolve) => (letGo = resolve));
  store.findAccessToken = async (hash) => {
    lookups += 1;
    await held;
    return lookUp(hash);
  };

  const { hostname, port } = new URL(base);
  const abandoned = request({ host: hostname, port, path: '/orders/x', headers: bearer(tokens.access_token) });
  abandoned.on('error', () => {});
  abandoned.end();
  for (let i = 0; i < 200 && lookups === 0; i += 1) await sleep(10);
  assert.equal(lookups, 1, 'the gateway is looking the token up');
  abandoned.destroy();
  await sleep(100); // the server sees the connection close
  letGo();
  await sleep(100);
  assert.equal(upstream.open(), 0, 'nothing was proxied for the client that left');

  const next = await fetch(`${base}/orders/x`, { headers: bearer(tokens.access_token) });
  assert.equal(next.status, 201, `the application's one share is free: ${next.status} ${await next.text()}`);
});
