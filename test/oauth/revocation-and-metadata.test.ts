import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hashTokenValue } from '../../src/domain/token-values.js';
import {
  basicAuthorization,
  clientParameters,
  createClient,
  createUser,
  oauthRawConfig,
  passwordLogin,
  postForm,
  refresh,
  REVOKE_URL,
  startOAuthGatehouse,
  type OAuthHarness,
} from '../support/oauth-fixtures.js';
import { testConfig } from '../support/gatehouse-instance.js';

// RFC 7009 revocation ("log out") and RFC 8414 discovery.

async function loggedIn(harness: OAuthHarness, clientType: 'confidential' | 'public' = 'confidential') {
  const client = await createClient(harness, { clientType });
  const user = await createUser(harness);
  return { client, tokens: await passwordLogin(harness, client, user.login, user.password) };
}

async function revokedAt(harness: OAuthHarness, accessToken: string): Promise<number | null> {
  const record = await harness.store.tokens.findAccessToken(hashTokenValue(accessToken));
  assert.ok(record);
  return record.family.revokedAt;
}

describe('POST .../revoke (RFC 7009)', () => {
  it('revoking the refresh token ends the login: empty 200, family revoked, refresh refused, audited', async () => {
    const harness = await startOAuthGatehouse();
    const { client, tokens } = await loggedIn(harness);
    const response = await postForm(
      harness,
      { token: tokens.refresh_token, token_type_hint: 'refresh_token' },
      { url: REVOKE_URL, headers: { authorization: basicAuthorization(client.clientId, client.clientSecret as string) } },
    );
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.body, '');
    assert.equal(response.headers['cache-control'], 'no-store');
    assert.equal(await revokedAt(harness, tokens.access_token), harness.now());
    assert.equal((await refresh(harness, client, tokens.refresh_token)).statusCode, 400);
    const events = await harness.store.audit.list({ type: 'token.revoked' });
    assert.equal(events.items.length, 1);
    assert.equal(events.items[0]?.subscriptionId, client.subscription.id);
  });

  it('revoking the access token (even with a wrong hint) ends the family too; a public client authenticates by client_id', async () => {
    const harness = await startOAuthGatehouse();
    const { client, tokens } = await loggedIn(harness, 'public');
    const response = await postForm(harness, { token: tokens.access_token, token_type_hint: 'refresh_token', client_id: client.clientId }, { url: REVOKE_URL, json: true });
    assert.equal(response.statusCode, 200, response.body);
    assert.notEqual(await revokedAt(harness, tokens.access_token), null);
  });

  it('an unknown token is answered 200 all the same (§2.2)', async () => {
    const harness = await startOAuthGatehouse();
    const client = await createClient(harness);
    const response = await postForm(harness, { token: 'never-issued', ...clientParameters(client) }, { url: REVOKE_URL });
    assert.equal(response.statusCode, 200);
  });

  it("another client cannot revoke a token it does not own, and the login lives on", async () => {
    const harness = await startOAuthGatehouse();
    const { tokens } = await loggedIn(harness);
    const other = await createClient(harness);
    const response = await postForm(harness, { token: tokens.refresh_token, ...clientParameters(other) }, { url: REVOKE_URL });
    assert.equal(response.statusCode, 400);
    assert.equal((response.json() as { error: string }).error, 'unauthorized_client');
    assert.equal(await revokedAt(harness, tokens.access_token), null);
  });

  it('a wrong client secret is invalid_client, and nothing is revoked', async () => {
    const harness = await startOAuthGatehouse();
    const { client, tokens } = await loggedIn(harness);
    const response = await postForm(harness, { token: tokens.refresh_token, client_id: client.clientId, client_secret: 'wrong' }, { url: REVOKE_URL });
    assert.equal(response.statusCode, 401);
    assert.equal(await revokedAt(harness, tokens.access_token), null);
  });
});

describe('RFC 8414 metadata', () => {
  const METADATA = '/.well-known/oauth-authorization-server/auth/local/api/orders';

  it('is served at the path-inserted well-known URL, with the issuer derived from Host', async () => {
    const harness = await startOAuthGatehouse();
    const response = await harness.gatehouse.publicServer.inject({ method: 'GET', url: METADATA, headers: { host: 'gw.example.com:8443' } });
    assert.equal(response.statusCode, 200, response.body);
    const issuer = 'http://gw.example.com:8443/auth/local/api/orders';
    assert.deepEqual(response.json(), {
      issuer,
      authorization_endpoint: `${issuer}/authorize`,
      token_endpoint: `${issuer}/token`,
      revocation_endpoint: `${issuer}/revoke`,
      grant_types_supported: ['password', 'refresh_token', 'authorization_code', 'client_credentials'],
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
      revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
      introspection_endpoint: `${issuer}/introspect`,
      introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      scopes_supported: ['orders:read', 'orders:write'],
    });
    // RFC 8414 §3.1: the well-known URL is the issuer with the suffix inserted after the host.
    assert.equal(new URL(issuer).pathname, METADATA.replace('/.well-known/oauth-authorization-server', ''));
  });

  it('uses the configured public URL when there is one', async () => {
    const raw = { ...oauthRawConfig(), publicUrl: 'https://api.example.com/' };
    const harness = await startOAuthGatehouse({ raw });
    const response = await harness.gatehouse.publicServer.inject({ method: 'GET', url: METADATA });
    assert.equal((response.json() as { issuer: string }).issuer, 'https://api.example.com/auth/local/api/orders');
  });

  it('GATEHOUSE_PUBLIC_URL overrides the file', async () => {
    const config = testConfig(oauthRawConfig(), { GATEHOUSE_PUBLIC_URL: 'https://env.example.com' });
    const harness = await startOAuthGatehouse({ config });
    const response = await harness.gatehouse.publicServer.inject({ method: 'GET', url: METADATA });
    assert.equal((response.json() as { issuer: string }).issuer, 'https://env.example.com/auth/local/api/orders');
  });

  it('an auth method the API does not accept has no metadata', async () => {
    const harness = await startOAuthGatehouse();
    const response = await harness.gatehouse.publicServer.inject({ method: 'GET', url: '/.well-known/oauth-authorization-server/auth/staff/api/orders' });
    assert.equal(response.statusCode, 400);
    assert.match((response.json() as { error_description: string }).error_description, /staff/);
  });
});
