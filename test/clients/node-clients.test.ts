import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import { Issuer, errors as openidErrors, type Client } from 'openid-client';
import { ResourceOwnerPassword, type ModuleOptions } from 'simple-oauth2';
import { hashTokenValue } from '../../src/domain/token-values.js';
import {
  assertIssuedTo,
  assertTokenRequests,
  startLiveGatehouse,
  tokenPath,
  USER_PASSWORD,
  type ClientAuthentication,
  type LiveGatehouse,
} from '../support/client-fixtures.js';
import type { TestClient } from '../support/oauth-fixtures.js';

// Real Node OAuth2 client libraries, unchanged and in their documented usage, against a Gatehouse
// listening on a port: password grant, refresh, and the rotated refresh token refused (RFC 6749
// §4.3, §6). The recording proxy proves which client authentication each case really used.

const PASSWORD_THEN_TWO_REFRESHES = ['password', 'refresh_token', 'refresh_token'];

/** simple-oauth2 surfaces error answers as Boom errors carrying the parsed body. */
function simpleOAuth2Error(error: unknown): { status: number; error: unknown } {
  const boom = error as { output?: { statusCode?: number }; data?: { payload?: { error?: unknown } } };
  return { status: boom.output?.statusCode ?? -1, error: boom.data?.payload?.error };
}

describe('simple-oauth2 (ResourceOwnerPassword)', () => {
  const cases: ReadonlyArray<{
    name: string;
    client: 'confidential' | 'public';
    options: NonNullable<ModuleOptions['options']>;
    expected: ClientAuthentication;
  }> = [
    { name: 'confidential client, HTTP Basic', client: 'confidential', options: { authorizationMethod: 'header' }, expected: 'client_secret_basic' },
    { name: 'confidential client, secret in the form body', client: 'confidential', options: { authorizationMethod: 'body' }, expected: 'client_secret_post' },
    {
      name: 'confidential client, secret in a JSON body',
      client: 'confidential',
      options: { authorizationMethod: 'body', bodyFormat: 'json' },
      expected: 'client_secret_post',
    },
    // The library always sends client_secret; an empty one counts as absent (issue 3).
    { name: 'public client, client_id only', client: 'public', options: { authorizationMethod: 'body' }, expected: 'none' },
  ];

  for (const { name, client: which, options, expected } of cases) {
    it(`${name}: password grant, refresh, old refresh token refused`, async () => {
      const live = await startLiveGatehouse();
      const client = live[which];
      const oauth = new ResourceOwnerPassword({
        client: { id: client.clientId, secret: client.clientSecret ?? '' },
        auth: { tokenHost: live.baseUrl, tokenPath: tokenPath() },
        options,
      });

      const first = await oauth.getToken({ username: live.login, password: USER_PASSWORD });
      assert.equal(first.token.token_type, 'bearer');
      assert.equal(first.token.expires_in, 900);
      assert.equal(first.expired(), false);
      await assertIssuedTo(live, first.token.access_token, client);

      const second = await first.refresh();
      assert.notEqual(second.token.access_token, first.token.access_token);
      assert.notEqual(second.token.refresh_token, first.token.refresh_token);
      await assertIssuedTo(live, second.token.access_token, client);

      const reuse = await oauth.createToken(first.token).refresh().then(
        () => assert.fail('the rotated refresh token was accepted'),
        (error: unknown) => simpleOAuth2Error(error),
      );
      assert.deepEqual(reuse, { status: 400, error: 'invalid_grant' });
      await assertIssuedTo(live, second.token.access_token, client, { revoked: true });
      assertTokenRequests(live, PASSWORD_THEN_TWO_REFRESHES, expected);
    });
  }

  it('a wrong password is invalid_grant and no token', async () => {
    const live = await startLiveGatehouse();
    const oauth = new ResourceOwnerPassword({
      client: { id: live.confidential.clientId, secret: live.confidential.clientSecret },
      auth: { tokenHost: live.baseUrl, tokenPath: tokenPath() },
    });
    const outcome = await oauth.getToken({ username: live.login, password: `${USER_PASSWORD}!` }).then(
      () => assert.fail('a wrong password got a token'),
      (error: unknown) => simpleOAuth2Error(error),
    );
    assert.deepEqual(outcome, { status: 400, error: 'invalid_grant' });
  });
});

function openidClient(live: LiveGatehouse, client: TestClient, method: ClientAuthentication): Client {
  const issuer = new Issuer({ issuer: `${live.baseUrl}/auth/local/api/orders`, token_endpoint: `${live.baseUrl}${tokenPath()}` });
  return new issuer.Client({
    client_id: client.clientId,
    ...(client.clientSecret === null ? {} : { client_secret: client.clientSecret }),
    token_endpoint_auth_method: method,
  });
}

async function openidFailure(promise: Promise<unknown>): Promise<{ status: number | undefined; error: string | undefined }> {
  return promise.then(
    () => assert.fail('expected an OAuth error'),
    (error: unknown) => {
      assert.ok(error instanceof openidErrors.OPError, String(error));
      return { status: error.response?.statusCode, error: error.error };
    },
  );
}

async function openidFlow(live: LiveGatehouse, oidc: Client, client: TestClient): Promise<void> {
  const first = await oidc.grant({ grant_type: 'password', username: live.login, password: USER_PASSWORD });
  assert.equal(first.token_type, 'bearer');
  assert.equal(first.expires_in, 900);
  assert.equal(first.scope, 'orders:read orders:write');
  assert.equal(first.expired(), false);
  await assertIssuedTo(live, first.access_token, client);
  assert.ok(first.refresh_token);

  const second = await oidc.refresh(first.refresh_token);
  assert.notEqual(second.access_token, first.access_token);
  assert.notEqual(second.refresh_token, first.refresh_token);
  await assertIssuedTo(live, second.access_token, client);

  assert.deepEqual(await openidFailure(oidc.refresh(first.refresh_token)), { status: 400, error: 'invalid_grant' });
  await assertIssuedTo(live, second.access_token, client, { revoked: true });
}

describe('openid-client v5 (client.grant / client.refresh)', () => {
  const cases: ReadonlyArray<{ client: 'confidential' | 'public'; method: ClientAuthentication }> = [
    { client: 'confidential', method: 'client_secret_basic' },
    { client: 'confidential', method: 'client_secret_post' },
    { client: 'public', method: 'none' },
  ];
  for (const { client: which, method } of cases) {
    it(`${which} client, ${method}: password grant, refresh, old refresh token refused`, async () => {
      const live = await startLiveGatehouse();
      await openidFlow(live, openidClient(live, live[which], method), live[which]);
      assertTokenRequests(live, PASSWORD_THEN_TWO_REFRESHES, method);
    });
  }

  it('discovers the endpoint from RFC 8414 metadata, then logs in and refreshes', async () => {
    const live = await startLiveGatehouse();
    const issuer = await Issuer.discover(`${live.baseUrl}/.well-known/oauth-authorization-server/auth/local/api/orders`);
    assert.equal(issuer.metadata.token_endpoint, `${live.baseUrl}${tokenPath()}`);
    const oidc = new issuer.Client({ client_id: live.confidential.clientId, client_secret: live.confidential.clientSecret });
    await openidFlow(live, oidc, live.confidential);
    assertTokenRequests(live, PASSWORD_THEN_TWO_REFRESHES, 'client_secret_basic');
  });

  it('a confidential client with a wrong secret is invalid_client, 401', async () => {
    const live = await startLiveGatehouse();
    const oidc = openidClient(live, { ...live.confidential, clientSecret: `${live.confidential.clientSecret}x` }, 'client_secret_basic');
    const failure = await openidFailure(oidc.grant({ grant_type: 'password', username: live.login, password: USER_PASSWORD }));
    assert.deepEqual(failure, { status: 401, error: 'invalid_client' });
  });
});

/** A directory service for the external auth method: one account, password USER_PASSWORD. */
async function startDirectory(t: TestContext, answer: 'profile' | 'broken'): Promise<{ url: string; calls: () => number }> {
  let calls = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      calls += 1;
      const { username, password } = JSON.parse(Buffer.concat(chunks).toString()) as { username: string; password: string };
      if (answer === 'broken') return void res.writeHead(500).end();
      if (username !== 'ext-alice' || password !== USER_PASSWORD) return void res.writeHead(401).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ sub: 'dir-42', email: 'alice@corp.example', name: 'Alice' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/verify`, calls: () => calls };
}

describe('the external auth method through a client library', () => {
  it('simple-oauth2 logs in through the directory service and refreshes', async (t) => {
    const directory = await startDirectory(t, 'profile');
    const live = await startLiveGatehouse({ externalUrl: directory.url });
    const oauth = new ResourceOwnerPassword({
      client: { id: live.confidential.clientId, secret: live.confidential.clientSecret },
      auth: { tokenHost: live.baseUrl, tokenPath: tokenPath('corp') },
    });
    const first = await oauth.getToken({ username: 'ext-alice', password: USER_PASSWORD });
    const record = await live.harness.store.tokens.findAccessToken(hashTokenValue(first.token.access_token as string));
    const userId = record?.family.userId;
    assert.ok(userId, 'a password-grant login has a user');
    const user = await live.harness.store.users.findById(userId);
    assert.equal(user?.authMethod, 'corp');
    assert.equal(user?.externalSub, 'dir-42');
    assert.equal(user?.email, 'alice@corp.example');
    await assertIssuedTo(live, first.token.access_token, live.confidential, { userId });
    const second = await first.refresh();
    await assertIssuedTo(live, second.token.access_token, live.confidential, { userId });
    assert.equal(directory.calls(), 1, 'a refresh does not ask the directory again');
    const wrong = await oauth.getToken({ username: 'ext-alice', password: 'nope' }).then(
      () => assert.fail('a wrong password got a token'),
      (error: unknown) => simpleOAuth2Error(error),
    );
    assert.deepEqual(wrong, { status: 400, error: 'invalid_grant' });
  });

  it('openid-client sees 503 temporarily_unavailable when the directory fails', async (t) => {
    const directory = await startDirectory(t, 'broken');
    const live = await startLiveGatehouse({ externalUrl: directory.url });
    const issuer = new Issuer({ issuer: `${live.baseUrl}/auth/corp/api/orders`, token_endpoint: `${live.baseUrl}${tokenPath('corp')}` });
    const oidc = new issuer.Client({ client_id: live.confidential.clientId, client_secret: live.confidential.clientSecret });
    const failure = await openidFailure(oidc.grant({ grant_type: 'password', username: 'ext-alice', password: USER_PASSWORD }));
    assert.deepEqual(failure, { status: 503, error: 'temporarily_unavailable' });
    assert.equal(directory.calls(), 1, 'the password is not retried');
  });
});
