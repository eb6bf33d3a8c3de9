import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/config/config.js';
import { ensurePortalClient, PORTAL_API_ID, PORTAL_CLIENT_ID } from '../../src/domain/portal-sign-in.js';
import { hashTokenValue } from '../../src/domain/token-values.js';
import { testConfig } from '../support/gatehouse-instance.js';
import { managementRawConfig, SIGN_IN_URL, startManagement, TRUSTED_BASIC } from './management-fixtures.js';

// Signing in to the management API with Gatehouse's own password grant, through the built-in API
// and the built-in trusted public client, on the portal listener.

interface Tokens {
  readonly access_token: string;
  readonly refresh_token: string;
  readonly expires_in: number;
}

// One instance per file (each test makes its own users and applications): fewer PostgreSQL schemas.
const h = await startManagement();

describe('sign-in to the management API', () => {
  it('the built-in client exists after start-up: an approved trusted subscription of a public application', async () => {
    const subscription = await h.store.subscriptions.findByClientId(PORTAL_CLIENT_ID);
    assert.ok(subscription);
    assert.equal(subscription.apiId, PORTAL_API_ID);
    assert.equal(subscription.trusted, true);
    assert.equal(subscription.status, 'approved');
    assert.equal(subscription.clientSecretHash, null);
    assert.equal((await h.store.applications.findById(subscription.applicationId))?.clientType, 'public');
  });

  it('creating it again is idempotent, and repairs a subscription someone changed in the database', async () => {
    const first = await h.store.subscriptions.findByClientId(PORTAL_CLIENT_ID);
    assert.ok(first);
    await h.store.subscriptions.update(first.id, { status: 'declined', trusted: false }, h.now());
    const again = await Promise.all([ensurePortalClient(h.store, h.now()), ensurePortalClient(h.store, h.now())]);
    assert.deepEqual(new Set(again.map((s) => s.id)), new Set([first.id]));
    const repaired = await h.store.subscriptions.findById(first.id);
    assert.equal(repaired?.status, 'approved');
    assert.equal(repaired?.trusted, true);
    const portalApps = (await h.store.applications.list({}, { limit: 500 })).items.filter((a) => a.id === first.applicationId);
    assert.equal(portalApps.length, 1);
  });

  it('a user signs in with the password grant and the access token works on the management API', async () => {
    const person = await h.person({ name: 'dev' });
    const response = await h.signIn(person.login, person.password);
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['cache-control'], 'no-store');
    const tokens = response.json() as Tokens;
    assert.equal(tokens.expires_in, 900);
    const me = await h.call(tokens.access_token, 'GET', '/api/v1/users/me');
    assert.equal(me.statusCode, 200);
    assert.equal((me.json() as { id: string }).id, person.user.id);
  });

  it('a wrong password is invalid_grant, and a secret sent by the public client is invalid_client', async () => {
    const person = await h.person();
    const wrong = await h.signIn(person.login, 'not the password');
    assert.equal(wrong.statusCode, 400);
    assert.equal((wrong.json() as { error: string }).error, 'invalid_grant');
    const withSecret = await h.gatehouse.portalServer.inject({
      method: 'POST',
      url: SIGN_IN_URL,
      payload: { grant_type: 'password', client_id: PORTAL_CLIENT_ID, client_secret: 'x', username: person.login, password: person.password },
    });
    assert.equal(withSecret.statusCode, 401);
    assert.equal((withSecret.json() as { error: string }).error, 'invalid_client');
  });

  it('the public listener does not serve the built-in API, and the portal listener serves no configured API', async () => {
    const person = await h.person();
    const body = new URLSearchParams({ grant_type: 'password', client_id: PORTAL_CLIENT_ID, username: person.login, password: person.password });
    const headers = { 'content-type': 'application/x-www-form-urlencoded' };
    const onPublic = await h.gatehouse.publicServer.inject({ method: 'POST', url: SIGN_IN_URL, headers, payload: body.toString() });
    assert.equal(onPublic.statusCode, 404);
    const ordersOnPortal = await h.gatehouse.portalServer.inject({ method: 'POST', url: '/auth/local/api/orders/token', headers, payload: body.toString() });
    assert.equal(ordersOnPortal.statusCode, 404);
  });

  it('refuses tokens of other APIs, expired tokens, revoked logins and disabled users', async () => {
    const person = await h.person();
    const otherApiToken = 'x'.repeat(43);
    assert.equal((await h.call(otherApiToken, 'GET', '/api/v1/users/me')).statusCode, 401);

    const expiring = await h.person();
    h.advance(16 * 60 * 1000); // past the 15-minute access token lifetime
    const expired = await h.call(expiring.token, 'GET', '/api/v1/users/me');
    assert.equal(expired.statusCode, 401);
    assert.match(String(expired.headers['www-authenticate']), /error="invalid_token"/);

    const fresh = (await h.signIn(person.login, person.password)).json() as Tokens;
    const record = await h.store.tokens.findAccessToken(hashTokenValue(fresh.access_token));
    assert.ok(record);
    await h.store.tokens.revokeFamilies({ familyId: record.familyId }, 'test', h.now());
    assert.equal((await h.call(fresh.access_token, 'GET', '/api/v1/users/me')).statusCode, 401);

    const again = (await h.signIn(person.login, person.password)).json() as Tokens;
    assert.equal((await h.call(again.access_token, 'GET', '/api/v1/users/me')).statusCode, 200);
    await h.store.users.update(person.user.id, { disabled: true }, h.now());
    assert.equal((await h.call(again.access_token, 'GET', '/api/v1/users/me')).statusCode, 401);
  });

  it('a token of a configured API is no management token', async () => {
    const person = await h.person({ admin: true });
    const created = await h.call(person.token, 'POST', '/api/v1/applications', { name: 'App', clientType: 'public' });
    const application = created.json() as { id: string };
    const subscribed = await h.call(person.token, 'POST', '/api/v1/subscriptions', { applicationId: application.id, apiId: 'orders', trusted: true });
    const { subscription, clientId } = subscribed.json() as { subscription: { id: string }; clientId: string };
    assert.equal((await h.call(person.token, 'POST', `/api/v1/subscriptions/${subscription.id}/approve`, TRUSTED_BASIC)).statusCode, 200);
    const login = await h.gatehouse.publicServer.inject({
      method: 'POST',
      url: '/auth/local/api/orders/token',
      payload: { grant_type: 'password', client_id: clientId, username: person.login, password: person.password },
    });
    assert.equal(login.statusCode, 200);
    const ordersToken = (login.json() as Tokens).access_token;
    assert.equal((await h.call(ordersToken, 'GET', '/api/v1/users/me')).statusCode, 401);
  });

  it('refresh renews the sign-in, and revoking the refresh token signs out', async () => {
    const person = await h.person();
    const tokens = (await h.signIn(person.login, person.password)).json() as Tokens;
    const form = (parameters: Record<string, string>) => ({
      method: 'POST' as const,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ client_id: PORTAL_CLIENT_ID, ...parameters }).toString(),
    });
    const refreshed = await h.gatehouse.portalServer.inject({ url: SIGN_IN_URL, ...form({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token }) });
    assert.equal(refreshed.statusCode, 200);
    const renewed = refreshed.json() as Tokens;
    assert.equal((await h.call(renewed.access_token, 'GET', '/api/v1/users/me')).statusCode, 200);
    const revokeUrl = SIGN_IN_URL.replace(/\/token$/, '/revoke');
    assert.equal((await h.gatehouse.portalServer.inject({ url: revokeUrl, ...form({ token: renewed.refresh_token }) })).statusCode, 200);
    assert.equal((await h.call(renewed.access_token, 'GET', '/api/v1/users/me')).statusCode, 401);
  });

  it('GET /api/v1/sign-in tells clients the client id and token URL per auth method, without sign-in', async () => {
    const response = await h.call(null, 'GET', '/api/v1/sign-in');
    assert.equal(response.statusCode, 200);
    const info = response.json() as { clientId: string; tokenEndpoints: { authMethod: string; url: string }[] };
    assert.equal(info.clientId, PORTAL_CLIENT_ID);
    assert.deepEqual(info.tokenEndpoints.map((e) => new URL(e.url).pathname), [SIGN_IN_URL]);
  });

  it('the configuration may not declare an API with the built-in id', () => {
    const raw = managementRawConfig();
    (raw.apis as Record<string, unknown>[]).push({ id: PORTAL_API_ID, name: 'X', pathPrefix: '/x', upstreamUrl: 'http://127.0.0.1:9', authMethods: ['local'] });
    assert.throws(() => testConfig(raw), (error: unknown) => error instanceof ConfigError && /reserved/.test(error.message));
  });
});
