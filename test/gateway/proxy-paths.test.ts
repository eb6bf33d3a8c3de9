import assert from 'node:assert/strict';
import { request } from 'node:http';
import { describe, test } from 'node:test';
import { bearer, login, startGateway } from './gateway-harness.js';

// What the upstream is asked for, for every spelling of a path that matters: the prefix maps to
// the upstream base path, the rest goes as the client wrote it, and nothing reaches above the base
// path (400, the upstream never asked). These answers are the ones @fastify/http-proxy 11 gave;
// the gateway's own route (proxy-route.ts, upstream-path.ts) must give them all the same.
describe('upstream paths of proxied requests', async () => {
  const harness = await startGateway();
  const orders = await login(harness);
  const billing = await login(harness, 'billing');
  const { public: base } = await harness.gatehouse.listen();

  /** Over a socket, the path exactly as written (inject and fetch would resolve its dot segments). */
  function send(path: string, token: string, method = 'GET'): Promise<{ status: number; location: string | undefined }> {
    return new Promise((resolve, reject) => {
      const outgoing = request(`${base}/`, { method, path, headers: bearer(token) }, (response) => {
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode ?? 0, location: response.headers.location }));
      });
      outgoing.on('error', reject);
      outgoing.end();
    });
  }

  /** The URL the upstream received, or the gateway's status when the upstream received nothing. */
  async function upstreamUrlOf(url: string, token = orders.tokens.access_token, method = 'GET'): Promise<string | number> {
    const before = harness.upstream.received.length;
    const { status } = await send(url, token, method);
    if (harness.upstream.received.length === before) return status;
    assert.equal(status, 201);
    return harness.upstream.received.at(-1)?.url ?? '';
  }

  const cases: ReadonlyArray<readonly [string, string | number]> = [
    ['/orders/items/1', '/items/1'],
    ['/orders', '/'],
    ['/orders/', '/'],
    ['/orders?x=1', '/orders?x=1'],
    ['/orders/?x=1', '/?x=1'],
    ['/orders?', '/?'],
    ['/orders??x=1', '/??x=1'],
    ['/orders/a.json/b.c?q=a/../b', '/a.json/b.c?q=a/../b'],
    ['/orders/a//b', '/a//b'],
    ['/orders/items%2F1', '/items%2F1'],
    ['/orders/%7Euser/x%20y', '/%7Euser/x%20y'],
    ['/orders/./items', '/items'],
    ['/orders/a/%2e/b', '/a/b'],
    ['/orders/a/../b', 400],
    ['/orders/a/%2e%2e/b', 400],
    ['/orders/a/%2E%2e/b', 400],
    ['/orders/..%2fx', 400],
    ['/orders/%5c..%5cb', 400],
    ['/orders/a\\..\\b', 400],
    ['/orders//evil.example/x', 400],
    ['/orders/%2fevil.example/x', '/%2fevil.example/x'],
    ['/orders/%E0%A4%A', 400],
    ['/ord%65rs/items', '/items'],
    ['/ORDERS/items', 404],
  ];
  for (const [url, expected] of cases) {
    test(`${url} → ${expected}`, async () => {
      assert.equal(await upstreamUrlOf(url), expected);
    });
  }

  test('prefix kept below a base path: no way above the base path either', async () => {
    assert.equal(await upstreamUrlOf('/billing/v1/x?y=1', billing.tokens.access_token), '/base/billing/v1/x?y=1');
    assert.equal(await upstreamUrlOf('/billing/v1', billing.tokens.access_token), '/base/billing/v1');
    assert.equal(await upstreamUrlOf('/billing/v1/../v2/x', billing.tokens.access_token), 400);
    assert.equal(await upstreamUrlOf('/billing/v1/%2e%2e/x', billing.tokens.access_token), 400);
  });

  test('methods outside DELETE, GET, HEAD, PATCH, POST, PUT and OPTIONS are not proxied', async () => {
    assert.equal(await upstreamUrlOf('/orders/items', orders.tokens.access_token, 'TRACE'), 404);
  });

  test("a Location into the upstream's base path comes back under the prefix; an absolute one as it is", async () => {
    const location = async (url: string, token: string) => (await send(url, token)).location;
    const to = (target: string) => `to=${encodeURIComponent(target)}`;
    assert.equal(await location(`/orders/redirect?${to('/items/2')}`, orders.tokens.access_token), '/orders/items/2');
    assert.equal(await location(`/orders/redirect?${to('https://elsewhere.example/x')}`, orders.tokens.access_token), 'https://elsewhere.example/x');
    assert.equal(await location(`/billing/v1/redirect?${to('/base/billing/v1/next')}`, billing.tokens.access_token), '/billing/v1/next');
    assert.equal(await location(`/billing/v1/redirect?${to('/other')}`, billing.tokens.access_token), '/other');
  });
});
