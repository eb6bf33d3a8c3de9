import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { testConfig } from '../support/gatehouse-instance.js';
import { startOAuthGatehouse, type OAuthHarness } from '../support/oauth-fixtures.js';
import { bearer, gatewayRawConfig, login } from './gateway-harness.js';

// An upstream that drops the connection of the request it was told to drop, before answering:
// what the gateway sees when an upstream closes an idle keep-alive connection just as a request
// is sent on it. Idempotent bodiless requests are sent again on another connection (RFC 9110
// section 9.2.2); anything else is a 502, sent once.

let dropNext = false;
const seen: string[] = [];
const upstream = createServer((request: IncomingMessage, response: ServerResponse) => {
  seen.push(`${request.method} ${dropNext ? 'dropped' : 'answered'}`);
  if (dropNext) {
    dropNext = false;
    return void request.socket.destroy();
  }
  request.resume();
  request.on('end', () => response.writeHead(200, { 'content-type': 'text/plain' }).end('ok'));
});

let harness: OAuthHarness;
let token: string;

// Started outside any hook, so that its clean-up runs when the file ends, not after the hook.
const started = new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve)).then(async () => {
  const raw = await gatewayRawConfig(`http://127.0.0.1:${(upstream.address() as AddressInfo).port}`);
  return startOAuthGatehouse({ config: testConfig(raw) });
});
before(async () => {
  harness = await started;
  token = (await login(harness)).tokens.access_token;
});
after(() => new Promise<void>((resolve) => upstream.close(() => resolve())));

const call = (method: string, payload?: string) =>
  harness.gatehouse.publicServer.inject({
    method: method as 'GET',
    url: '/orders/items',
    headers: { ...bearer(token), ...(payload === undefined ? {} : { 'content-type': 'text/plain' }) },
    ...(payload === undefined ? {} : { payload }),
  });

describe('a connection the upstream dropped', () => {
  it('a GET, a HEAD and a bodiless DELETE on a dropped connection are sent again and answered', async () => {
    for (const method of ['GET', 'HEAD', 'DELETE']) {
      [seen.length, dropNext] = [0, true];
      const response = await call(method);
      assert.equal(response.statusCode, 200, `${method}: ${response.body}`);
      assert.deepEqual(seen, [`${method} dropped`, `${method} answered`]);
    }
  });

  it('a POST, and a PUT with a body, are not sent again: 502', async () => {
    for (const [method, payload] of [['POST', undefined], ['PUT', 'a body']] as const) {
      [seen.length, dropNext] = [0, true];
      const response = await call(method, payload);
      assert.equal(response.statusCode, 502, `${method}: ${response.body}`);
      assert.equal(response.json().error, 'bad_gateway');
      assert.deepEqual(seen, [`${method} dropped`], 'sent once');
    }
  });
});
