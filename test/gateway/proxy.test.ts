import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { InjectOptions } from 'fastify';
import { bearer, login, startGateway } from './gateway-harness.js';

// One Gatehouse and one upstream for the whole file (closed when the file ends).
describe("the gateway's proxying", async () => {
  const harness = await startGateway();

  describe('the gateway proxies an admitted request to the API upstream', async () => {
    const session = await login(harness);
    const inject = (options: InjectOptions) => harness.gatehouse.publicServer.inject(options);
    const lastReceived = () => {
      const last = harness.upstream.received.at(-1);
      assert.ok(last, 'the upstream received nothing');
      return last;
    };

    test('happy path: prefix stripped, query kept, every identity header set', async () => {
      const response = await inject({ method: 'GET', url: '/orders/items/42?b=2&a=x%20y&flag', headers: bearer(session.tokens.access_token) });
      assert.equal(response.statusCode, 201);
      assert.equal(response.headers['x-upstream'], 'yes');
      assert.deepEqual(response.json(), { seen: '/items/42?b=2&a=x%20y&flag' });
      const { headers, url, method } = lastReceived();
      assert.equal(method, 'GET');
      assert.equal(url, '/items/42?b=2&a=x%20y&flag');
      assert.equal(headers['x-authenticated-userid'], session.userId);
      assert.equal(headers['x-authenticated-scope'], 'orders:read orders:write');
      assert.equal(headers['x-authenticated-auth-method'], 'local');
      assert.equal(headers['x-consumer-id'], session.client.subscription.id);
      assert.equal(headers['x-consumer-custom-id'], session.client.subscription.id);
      assert.equal(headers['x-consumer-username'], session.client.subscription.applicationId);
      assert.equal(headers['x-credential-identifier'], session.client.clientId);
      assert.equal(headers.authorization, undefined, 'orders does not forward Authorization');
      assert.equal(headers['x-forwarded-proto'], 'http');
      assert.equal(headers['x-forwarded-host'], 'localhost:80');
      assert.equal(headers['x-forwarded-for'], '127.0.0.1');
    });

    test('the prefix alone maps to the upstream root', async () => {
      const response = await inject({ method: 'GET', url: '/orders', headers: bearer(session.tokens.access_token) });
      assert.equal(response.statusCode, 201);
      assert.equal(lastReceived().url, '/');
    });

    test('spoofed identity headers are replaced or removed; X-Forwarded-For is appended to', async () => {
      const response = await inject({
        method: 'GET',
        url: '/orders/me',
        headers: {
          ...bearer(session.tokens.access_token),
          'X-Authenticated-Userid': 'admin',
          'x-authenticated-scope': 'everything',
          'X-Consumer-Custom-Id': 'someone-else',
          'x-consumer-username': 'evil-app',
          'x-credential-identifier': 'evil-client',
          'x-anonymous-consumer': 'true',
          'x-authenticated-groups': 'admins',
          'x-forwarded-for': '203.0.113.9',
          'x-forwarded-proto': 'https',
        },
      });
      assert.equal(response.statusCode, 201);
      const { headers } = lastReceived();
      assert.equal(headers['x-authenticated-userid'], session.userId);
      assert.equal(headers['x-authenticated-scope'], 'orders:read orders:write');
      assert.equal(headers['x-consumer-custom-id'], session.client.subscription.id);
      assert.equal(headers['x-consumer-username'], session.client.subscription.applicationId);
      assert.equal(headers['x-credential-identifier'], session.client.clientId);
      assert.equal(headers['x-anonymous-consumer'], undefined);
      assert.equal(headers['x-authenticated-groups'], undefined);
      assert.equal(headers['x-forwarded-for'], '203.0.113.9, 127.0.0.1');
      assert.equal(headers['x-forwarded-proto'], 'http');
    });

    test('identity headers spelled with underscores are removed too: a WSGI upstream reads _ as - (issue 13)', async () => {
      const response = await inject({
        method: 'GET',
        url: '/orders/me',
        headers: {
          ...bearer(session.tokens.access_token),
          X_Authenticated_Userid: 'admin',
          'X-Authenticated_Userid': 'admin',
          x_consumer_id: 'someone-else',
          'x-credential_identifier': 'evil-client',
          X_Anonymous_Consumer: 'true',
          x_request_id: 'kept',
        },
      });
      assert.equal(response.statusCode, 201);
      const { headers } = lastReceived();
      const spoofed = Object.keys(headers).filter((name) => name.includes('_') && name !== 'x_request_id');
      assert.deepEqual(spoofed, [], 'client identity headers with underscores reached the upstream');
      assert.equal(headers['x-authenticated-userid'], session.userId);
      assert.equal(headers['x-consumer-id'], session.client.subscription.id);
      assert.equal(headers.x_request_id, 'kept');
    });

    test('hop-by-hop headers, and those the Connection header names, stay at the gateway', async () => {
      const response = await inject({
        method: 'GET',
        url: '/orders/hop',
        headers: { ...bearer(session.tokens.access_token), connection: 'keep-alive, x-hop', 'x-hop': '1', 'keep-alive': 'timeout=5', 'x-kept': '1' },
      });
      assert.equal(response.statusCode, 201);
      const { headers } = lastReceived();
      assert.equal(headers['x-hop'], undefined);
      assert.equal(headers['keep-alive'], undefined);
      assert.equal(headers['x-kept'], '1');
    });

    test('any method and body type is forwarded as sent, JSON included (never re-parsed)', async () => {
      for (const [method, contentType, payload] of [
        ['POST', 'application/json', '{"a":1,  "a":2}'],
        ['PUT', 'text/plain', 'plain text'],
        ['PATCH', 'application/x-www-form-urlencoded', 'x=1&x=2'],
        ['DELETE', 'application/octet-stream', 'bytes'],
      ] as const) {
        const response = await inject({
          method,
          url: '/orders/things',
          headers: { ...bearer(session.tokens.access_token), 'content-type': contentType },
          payload,
        });
        assert.equal(response.statusCode, 201, `${method} ${response.body}`);
        const received = lastReceived();
        assert.equal(received.method, method);
        assert.equal(received.body, payload);
        assert.equal(received.headers['content-type'], contentType);
      }
    });

    test('a body larger than the listener body limit (64 KiB) passes', async () => {
      const payload = 'x'.repeat(300 * 1024);
      const response = await inject({ method: 'POST', url: '/orders/big', headers: { ...bearer(session.tokens.access_token), 'content-type': 'application/json' }, payload });
      assert.equal(response.statusCode, 201);
      assert.equal(lastReceived().body.length, payload.length);
    });

    test('prefix kept, below the upstream base path, with Authorization forwarded (billing)', async () => {
      const billing = await login(harness, 'billing');
      const response = await inject({ method: 'GET', url: '/billing/v1/invoices?year=2024', headers: bearer(billing.tokens.access_token) });
      assert.equal(response.statusCode, 201);
      const { url, headers } = lastReceived();
      assert.equal(url, '/base/billing/v1/invoices?year=2024');
      assert.equal(headers.authorization, `Bearer ${billing.tokens.access_token}`);
      assert.equal(headers['x-consumer-custom-id'], billing.client.subscription.id);
    });

    test('a path that is not under a prefix is not proxied', async () => {
      const count = harness.upstream.received.length;
      const response = await inject({ method: 'GET', url: '/ordersx/1', headers: bearer(session.tokens.access_token) });
      assert.equal(response.statusCode, 404);
      assert.equal(harness.upstream.received.length, count);
    });
  });

  describe('upstream failures', () => {
    test('unreachable upstream → 502 with a JSON error body', async () => {
      const session = await login(harness, 'offline');
      const response = await harness.gatehouse.publicServer.inject({ method: 'GET', url: '/offline/x', headers: bearer(session.tokens.access_token) });
      assert.equal(response.statusCode, 502);
      assert.equal(response.json().error, 'bad_gateway');
    });

    test('upstream that drops the connection → 502', async () => {
      const session = await login(harness, 'reports');
      const response = await harness.gatehouse.publicServer.inject({ method: 'GET', url: '/reports/reset', headers: bearer(session.tokens.access_token) });
      assert.equal(response.statusCode, 502);
      assert.equal(response.json().error, 'bad_gateway');
    });

    test('upstream slower than its timeout → 504 with a JSON error body, and the gateway still serves', async () => {
      const session = await login(harness, 'reports');
      const response = await harness.gatehouse.publicServer.inject({ method: 'GET', url: '/reports/hang', headers: bearer(session.tokens.access_token) });
      assert.equal(response.statusCode, 504);
      assert.equal(response.json().error, 'upstream_timeout');
      const after = await harness.gatehouse.publicServer.inject({ method: 'GET', url: '/reports/ok', headers: bearer(session.tokens.access_token) });
      assert.equal(after.statusCode, 201);
    });
  });
});
