import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import { MAX_PASSWORD_LENGTH } from '../../src/domain/password-policy.js';
import { countingHasher } from '../brute-force/brute-force-fixtures.js';
import { clientParameters, createClient, createUser, startOAuthGatehouse, TOKEN_URL } from '../support/oauth-fixtures.js';

// Hand-picked hostile inputs to the token endpoint, each a 4xx with an OAuth error body and no
// password hashed; the property-based test (hostile-requests.test.ts) explores around them.

async function world() {
  const passwords = countingHasher();
  const harness = await startOAuthGatehouse({ passwords });
  const client = await createClient(harness);
  const user = await createUser(harness);
  const post = (payload: string | Buffer, contentType = 'application/x-www-form-urlencoded') =>
    harness.gatehouse.publicServer.inject({ method: 'POST', url: TOKEN_URL, headers: { 'content-type': contentType }, payload });
  const form = (parameters: Record<string, string>) => new URLSearchParams({ grant_type: 'password', ...clientParameters(client), ...parameters }).toString();
  return { harness, client, user, passwords, post, form };
}

function assertOAuthError(response: { statusCode: number; body: string }, status: number, description?: RegExp): void {
  assert.equal(response.statusCode, status, response.body);
  const body = JSON.parse(response.body) as Record<string, unknown>;
  assert.equal(body.error, 'invalid_request', response.body);
  if (description) assert.match(String(body.error_description), description);
}

describe('hostile input to the token endpoint', () => {
  it('control characters and lone surrogates in any parameter are refused before the store or a hash sees them', async () => {
    const { post, form, passwords, user } = await world();
    for (const [name, value] of [
      ['username', 'ann\u0000@example.com'],
      ['username', 'ann\r\nX-Injected: 1'],
      ['password', 'pass\u0000word'],
      ['client_id', 'client\u0000'],
      ['scope', 'a\u001bb'],
    ] as const) {
      assertOAuthError(await post(form({ username: user.login, password: 'x', [name]: value })), 400, /control characters/);
    }
    assertOAuthError(await post(`{"grant_type":"password","username":"\\ud800","password":"x"}`, 'application/json'), 400, /control characters/);
    assert.equal(passwords.calls(), 0);
  });

  it('a charset other than UTF-8, or bytes that are not UTF-8, is invalid_request', async () => {
    const { post, form, user } = await world();
    const body = form({ username: user.login, password: user.password });
    assertOAuthError(await post(body, 'application/x-www-form-urlencoded; charset=latin1'), 400, /charset/);
    assertOAuthError(await post('{}', 'application/json; charset="UTF-16"'), 400, /charset/);
    assertOAuthError(await post(Buffer.from([0x67, 0x72, 0x61, 0x6e, 0x74, 0x3d, 0xff, 0xfe]), 'application/x-www-form-urlencoded'), 400, /UTF-8/);
    const utf8 = await post(body, 'application/x-www-form-urlencoded; charset=UTF-8');
    assert.equal(utf8.statusCode, 200, 'charset=UTF-8 is fine');
  });

  it('over-long password and username cost no hash; an over-large body is refused unread', async () => {
    const { post, form, passwords, user } = await world();
    assertOAuthError(await post(form({ username: user.login, password: 'p'.repeat(MAX_PASSWORD_LENGTH + 1) })), 400, /longer/);
    assertOAuthError(await post(form({ username: 'u'.repeat(400), password: 'x' })), 400, /longer/);
    // RFC 6749 §5.2: invalid_request is 400, whatever Fastify's own status would have been.
    assertOAuthError(await post(form({ username: user.login, password: 'p'.repeat(1024 * 1024) })), 400, /too large/);
    assert.equal(passwords.calls(), 0);
  });

  it('repeated, array-valued and non-string parameters, and malformed JSON', async () => {
    const { post, form, user } = await world();
    assertOAuthError(await post(`${form({ username: user.login, password: user.password })}&username=other`), 400, /more than once/);
    assertOAuthError(await post(`{"grant_type":"password","username":["a","b"],"password":"x"}`, 'application/json'), 400, /string/);
    assertOAuthError(await post(`{"grant_type":"password","grant_type":"password"}`, 'application/json'), 400, /more than once/);
    assertOAuthError(await post(`{"grant_type":"password","username":{"$ne":null}}`, 'application/json'), 400, /string/);
    assertOAuthError(await post(`{"grant_type":"password",`, 'application/json'), 400, /JSON/);
    assertOAuthError(await post('['.repeat(100_000), 'application/json'), 400, /too large/);
    assertOAuthError(await post('['.repeat(20_000), 'application/json'), 400);
  });

  it('an absurd Content-Length on a real socket is refused unread with an OAuth body, and the server lives on', async () => {
    const { harness } = await world();
    const address = await harness.gatehouse.publicServer.listen({ port: 0, host: '127.0.0.1' });
    const { port } = new URL(address);
    const socket = connect(Number(port), '127.0.0.1');
    await once(socket, 'connect');
    socket.write(`POST ${TOKEN_URL} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 99999999999999\r\n\r\ngrant_type=password`);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    await once(socket, 'close');
    const raw = Buffer.concat(chunks).toString();
    assert.match(raw, /^HTTP\/1\.1 400 /);
    assert.match(raw, /too large/);
    assert.match(raw, /"error":"invalid_request"/);
    const health = await fetch(`${address}/healthz`);
    assert.equal(health.status, 200);
  });

  it('headers over the limit are refused by the HTTP parser with 431 and an OAuth body', async () => {
    const { harness } = await world();
    const address = await harness.gatehouse.publicServer.listen({ port: 0, host: '127.0.0.1' });
    const socket = connect(Number(new URL(address).port), '127.0.0.1');
    await once(socket, 'connect');
    socket.write(`POST ${TOKEN_URL} HTTP/1.1\r\nHost: x\r\nAuthorization: Basic ${'A'.repeat(20_000)}\r\nContent-Length: 0\r\n\r\n`);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    await once(socket, 'close');
    const [head = '', body = ''] = Buffer.concat(chunks).toString().split('\r\n\r\n');
    assert.match(head, /^HTTP\/1\.1 431 /);
    assert.match(head, /cache-control: no-store/i);
    assert.deepEqual(JSON.parse(body), { error: 'invalid_request', error_description: 'the request headers are too large' });
    assert.equal((await fetch(`${address}/healthz`)).status, 200);
  });
});
