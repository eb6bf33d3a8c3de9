import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { managementRawConfig, startManagement } from './management-fixtures.js';

// GET /api/v1/apis/{id}/openapi: each API's OpenAPI document, read by the server from a file or
// fetched from its upstream (bounded, cached), pointed at the gateway; and the reference page
// that renders it, with its own, slightly wider CSP.

async function documentServer(): Promise<{ url: string; hits: () => number }> {
  let hits = 0;
  const server = createServer((request, response) => {
    hits += 1;
    if (request.url === '/huge.json') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(`{"openapi":"3.1.0","x":"${'a'.repeat(3 * 1024 * 1024)}"}`);
      return;
    }
    if (request.url === '/not-openapi.json') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"hello":"world"}');
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ openapi: '3.0.3', info: { title: 'Billing', version: '1' }, servers: [{ url: 'http://upstream.internal' }], paths: {} }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits: () => hits };
}

describe('API reference documents', () => {
  it('serves a file and an upstream document pointed at the gateway, cached, bounded', async () => {
    const upstream = await documentServer();
    const raw = managementRawConfig();
    const [orders, billing] = raw.apis as Record<string, unknown>[];
    Object.assign(orders ?? {}, { openapi: path.resolve('echo.openapi.yaml') });
    Object.assign(billing ?? {}, { openapi: `${upstream.url}/billing.json` });
    raw.apis = [
      ...(raw.apis as unknown[]),
      { id: 'huge', name: 'Huge', pathPrefix: '/huge', upstreamUrl: 'http://127.0.0.1:9', authMethods: ['local'], openapi: `${upstream.url}/huge.json` },
      { id: 'odd', name: 'Odd', pathPrefix: '/odd', upstreamUrl: 'http://127.0.0.1:9', authMethods: ['local'], openapi: `${upstream.url}/not-openapi.json` },
      { id: 'plain', name: 'Plain', pathPrefix: '/plain', upstreamUrl: 'http://127.0.0.1:9', authMethods: ['local'] },
    ];
    const h = await startManagement(raw);
    const developer = await h.person({ name: 'dev' });

    assert.equal((await h.call(null, 'GET', '/api/v1/apis/orders/openapi')).statusCode, 401);
    const fromFile = await h.call(developer.token, 'GET', '/api/v1/apis/orders/openapi');
    assert.equal(fromFile.statusCode, 200, fromFile.body);
    const document = fromFile.json() as { openapi: string; info: { title: string }; servers: { url: string }[] };
    assert.equal(document.info.title, 'Echo API');
    assert.match(document.servers[0]?.url ?? '', /^http:\/\/(127\.0\.0\.1|localhost):\d+\/orders$/, 'the gateway, not the upstream');

    const listed = (await h.call(developer.token, 'GET', '/api/v1/apis')).json() as { items: { id: string; hasReference: boolean }[] };
    assert.deepEqual(Object.fromEntries(listed.items.map((a) => [a.id, a.hasReference])), { orders: true, billing: true, huge: true, odd: true, plain: false });

    const fetched = await h.call(developer.token, 'GET', '/api/v1/apis/billing/openapi');
    assert.equal(fetched.statusCode, 200, fetched.body);
    assert.match((fetched.json() as { servers: { url: string }[] }).servers[0]?.url ?? '', /\/billing$/);
    assert.equal((await h.call(developer.token, 'GET', '/api/v1/apis/billing/openapi')).statusCode, 200);
    assert.equal(upstream.hits(), 1, 'kept, not fetched again');

    const huge = await h.call(developer.token, 'GET', '/api/v1/apis/huge/openapi');
    assert.equal(huge.statusCode, 502);
    assert.match(huge.json().detail, /larger than 2097152 bytes/);
    assert.equal((await h.call(developer.token, 'GET', '/api/v1/apis/odd/openapi')).statusCode, 502);
    assert.equal((await h.call(developer.token, 'GET', '/api/v1/apis/plain/openapi')).statusCode, 404);
    assert.equal((await h.call(developer.token, 'GET', '/api/v1/apis/nope/openapi')).statusCode, 404);
  });

  it('serves the reference page and Swagger UI from its own origin, scripts from self only', async () => {
    const h = await startManagement();
    const page = await h.call(null, 'GET', '/reference.html');
    assert.equal(page.statusCode, 200);
    const csp = String(page.headers['content-security-policy']);
    assert.match(csp, /script-src 'self';/);
    assert.match(csp, /style-src 'self' 'unsafe-inline';/);
    assert.match(csp, /connect-src 'self';/);
    assert.doesNotMatch(csp, /unsafe-eval/);
    assert.deepEqual(page.body.match(/<script(?![^>]*\ssrc=)[^>]*>/g), null, 'no inline script');
    assert.doesNotMatch(String((await h.call(null, 'GET', '/')).headers['content-security-policy']), /unsafe-inline/, 'the portal itself stays strict');
    for (const url of ['/portal/vendor/swagger-ui-bundle.js', '/portal/vendor/swagger-ui.css', '/portal/reference.css', '/portal/reference.js']) {
      assert.equal((await h.call(null, 'GET', url)).statusCode, 200, url);
    }
  });
});
