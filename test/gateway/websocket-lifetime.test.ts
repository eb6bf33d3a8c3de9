import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, test } from 'node:test';
import { WebSocket } from 'ws';
import { startTestGatehouse, testConfig } from '../support/gatehouse-instance.js';
import { clientParameters, fastHasher, postForm, REVOKE_URL, type OAuthHarness } from '../support/oauth-fixtures.js';
import { startManagement } from '../management/management-fixtures.js';
import { bearer, gatewayRawConfig, login, startTwoInstances, startUpstream, TWO_INSTANCES_SKIP } from './gateway-harness.js';

// An open WebSocket ends with its login: a revocation (RFC 7009, the management API, in another
// process through the fan-out) or the access token's expiry closes it with 1008; an API's
// maxLifetimeSeconds closes it with 1001; a message over maxMessageBytes is refused with 1009.
// Real sockets: Gatehouse listening on port 0, in front of the recording upstream's echo.

const STILL_OPEN = 10_000; // ms: a socket not closed by then was not going to be

interface Closure {
  readonly code: number;
  readonly reason: string;
}

async function openSocket(base: string, path: string, accessToken: string): Promise<WebSocket> {
  const socket = new WebSocket(`${base.replace('http', 'ws')}${path}`, { headers: bearer(accessToken) });
  await once(socket, 'open');
  return socket;
}

/** The close the socket receives, or `still open` if none comes within STILL_OPEN. */
function closure(socket: WebSocket): Promise<Closure> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ code: 0, reason: 'still open' }), STILL_OPEN);
    socket.once('close', (code: number, reason: Buffer) => {
      clearTimeout(timer);
      resolve({ code, reason: reason.toString() });
    });
  });
}

async function echoes(socket: WebSocket): Promise<boolean> {
  socket.send('ping?');
  const [message] = (await once(socket, 'message')) as [Buffer];
  return String(message) === 'echo: ping?';
}

describe('open WebSockets end with their login', async () => {
  const upstream = await startUpstream();
  const raw = await gatewayRawConfig(upstream.url);
  const api = (id: string, extra: Record<string, unknown>) => ({ id, name: id, pathPrefix: `/${id}`, authMethods: ['local'], upstreamUrl: upstream.url, ...extra });
  (raw.apis as Record<string, unknown>[]).push(
    api('ticker', { accessTokenLifetime: 2 }),
    api('chat', { websocket: { maxLifetimeSeconds: 1, maxMessageBytes: 4096 } }),
  );
  const h = await startManagement(raw);
  const harness: OAuthHarness = { ...h, passwords: fastHasher() };
  const { public: base } = await h.gatehouse.listen();

  test('revoking the login (RFC 7009) closes its WebSocket with 1008; another login’s stays open', async () => {
    const revoked = await login(harness);
    const other = await login(harness);
    const socket = await openSocket(base, '/orders/socket', revoked.tokens.access_token);
    const bystander = await openSocket(base, '/orders/socket', other.tokens.access_token);
    assert.ok(await echoes(socket));
    const closed = closure(socket);
    const response = await postForm(harness, { token: revoked.tokens.access_token, ...clientParameters(revoked.client) }, { url: REVOKE_URL });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(await closed, { code: 1008, reason: 'login revoked' });
    assert.ok(await echoes(bystander), 'the other login’s WebSocket still works');
    bystander.close();
  });

  test('an admin disabling the user (management API) closes the user’s WebSocket with 1008', async () => {
    const admin = await h.person({ admin: true });
    const user = await login(harness);
    const socket = await openSocket(base, '/orders/socket', user.tokens.access_token);
    assert.ok(await echoes(socket));
    const closed = closure(socket);
    const response = await h.call(admin.token, 'PATCH', `/api/v1/users/${user.userId}`, { disabled: true });
    assert.equal(response.statusCode, 200, response.body);
    assert.deepEqual(await closed, { code: 1008, reason: 'login revoked' });
  });

  test('the access token’s expiry closes its WebSocket with 1008', async () => {
    const user = await login(harness, 'ticker'); // accessTokenLifetime: 2 s
    const socket = await openSocket(base, '/ticker/socket', user.tokens.access_token);
    assert.ok(await echoes(socket));
    assert.deepEqual(await closure(socket), { code: 1008, reason: 'access token expired' });
  });

  test('maxLifetimeSeconds closes a WebSocket with 1001 although its token is still good', async () => {
    const user = await login(harness, 'chat'); // websocket.maxLifetimeSeconds: 1
    const socket = await openSocket(base, '/chat/socket', user.tokens.access_token);
    assert.ok(await echoes(socket));
    assert.deepEqual(await closure(socket), { code: 1001, reason: 'connection lifetime reached' });
  });

  test('a message over maxMessageBytes closes the sender with 1009 and never reaches the upstream', async () => {
    const user = await login(harness, 'chat'); // websocket.maxMessageBytes: 4096
    const socket = await openSocket(base, '/chat/socket', user.tokens.access_token);
    const echoed: Buffer[] = [];
    socket.on('message', (data: Buffer) => echoed.push(data));
    const closed = closure(socket);
    socket.send(Buffer.alloc(4097, 'x'));
    assert.equal((await closed).code, 1009);
    assert.deepEqual(echoed, []);
  });
});

test('shutting Gatehouse down closes its open WebSockets with 1001', async () => {
  const upstream = await startUpstream();
  const config = testConfig(await gatewayRawConfig(upstream.url));
  const passwords = fastHasher();
  const gatehouse = await startTestGatehouse(config, { passwords });
  const { public: base } = await gatehouse.listen();
  const { tokens } = await login({ gatehouse, store: gatehouse.services.store, passwords, advance: () => {}, now: Date.now });
  const socket = await openSocket(base, '/orders/socket', tokens.access_token);
  assert.ok(await echoes(socket));
  const closed = closure(socket);
  await gatehouse.close();
  assert.deepEqual(await closed, { code: 1001, reason: 'gateway shutting down' });
});

// Two Gatehouse processes' worth of state sharing PostgreSQL and Redis, as in
// revocation-fanout.test.ts: a WebSocket open through B ends when its login is revoked on A.

test('a revocation on instance A closes the WebSocket open through instance B', { skip: TWO_INSTANCES_SKIP ?? false }, async () => {
  const { b, harnessA } = await startTwoInstances();
  const { tokens, client } = await login(harnessA);
  const { public: baseB } = await b.listen();
  const socket = await openSocket(baseB, '/orders/socket', tokens.access_token);
  assert.ok(await echoes(socket));
  const closed = closure(socket);
  const revoked = await postForm(harnessA, { token: tokens.access_token, ...clientParameters(client) }, { url: REVOKE_URL });
  assert.equal(revoked.statusCode, 200);
  assert.deepEqual(await closed, { code: 1008, reason: 'login revoked' });
});
