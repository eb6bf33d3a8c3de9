import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { deleteApplication } from '../../src/domain/management/applications.js';
import type { ManagementContext } from '../../src/domain/management/management-context.js';
import { revokeSubscription } from '../../src/domain/management/subscriptions.js';
import { hashTokenValue } from '../../src/domain/token-values.js';
import type { User } from '../../src/store/store.js';
import { bearer, gatewayRawConfig, startUpstream } from '../gateway/gateway-harness.js';
import { testConfig } from '../support/gatehouse-instance.js';
import {
  basicAuthorization,
  clientParameters,
  createClient,
  postForm,
  REVOKE_URL,
  startOAuthGatehouse,
  type TestClient,
} from '../support/oauth-fixtures.js';

// RFC 6749 §4.4 at the token endpoint, in process on the store of the environment: who may use
// the grant, what comes back (no refresh token, §4.4.3), the scope rules (§3.3), the per-API
// grant list, the audit row and the metric; then what the gateway and introspection make of a
// token without a user, and that withdrawing the subscription or deleting the app ends it at once.

describe('grant_type=client_credentials (RFC 6749 §4.4)', async () => {
  const upstream = await startUpstream();
  const raw = await gatewayRawConfig(upstream.url, { tokenCacheTtlMs: 60_000 });
  const apis = raw.apis as Array<Record<string, unknown>>;
  // billing keeps to the grants that carry a user.
  apis[1] = { ...apis[1], grants: ['password', 'refresh_token'] };
  // reports serves machines only.
  apis[2] = { ...apis[2], grants: ['client_credentials'] };
  const harness = await startOAuthGatehouse({ config: testConfig(raw) });
  const { store } = harness;

  const clientCredentials = (client: TestClient, extra: Record<string, string> = {}, url?: string) =>
    postForm(
      harness,
      { grant_type: 'client_credentials', ...extra },
      { headers: { authorization: basicAuthorization(client.clientId, client.clientSecret ?? '') }, ...(url ? { url } : {}) },
    );
  const familiesOf = async (client: TestClient) =>
    (await store.tokens.listActiveFamilies({ subscriptionId: client.subscription.id }, harness.now())).items;
  const gatewayCall = (token: string, headers: Record<string, string> = {}) =>
    harness.gatehouse.publicServer.inject({ method: 'GET', url: '/orders/items', headers: { ...bearer(token), ...headers } });
  const admin = (): ManagementContext => {
    const actor: User = {
      id: 'test-admin', authMethod: 'local', externalSub: null, email: null, username: null, name: 'admin', passwordHash: null,
      groups: [], admin: true, approverOf: [], disabled: false, pending: false, createdAt: 0, updatedAt: 0, passwordChangedAt: null,
    };
    const { services } = harness.gatehouse;
    return { store: services.store, config: services.config, passwords: harness.passwords, now: harness.now(), actor, ip: null };
  };

  test('a confidential client of an approved, untrusted subscription gets an access token and no refresh token', async () => {
    const client = await createClient(harness, { trusted: false });
    const response = await clientCredentials(client);
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.headers['cache-control'], 'no-store');
    assert.equal(response.headers.pragma, 'no-cache');
    const body = response.json();
    assert.deepEqual(Object.keys(body).sort(), ['access_token', 'expires_in', 'scope', 'token_type']);
    assert.equal(body.token_type, 'bearer');
    assert.equal(body.expires_in, 900);
    assert.equal(body.scope, 'orders:read orders:write', 'no scope asked: the API’s full scope');

    const record = await store.tokens.findAccessToken(hashTokenValue(body.access_token));
    assert.ok(record);
    assert.equal(record.family.userId, null);
    assert.equal(record.family.subscriptionId, client.subscription.id);
    assert.equal(record.expiresAt, harness.now() + 900_000);

    const audit = await store.audit.list({ subscriptionId: client.subscription.id });
    assert.deepEqual(
      audit.items.map((event) => [event.type, event.userId, event.familyId, event.details.clientId, event.details.scope]),
      [['client_credentials.granted', null, record.family.id, client.clientId, 'orders:read orders:write']],
    );
  });

  test('credentials in a JSON body work too, and a narrower scope is granted as asked (§3.3)', async () => {
    const client = await createClient(harness);
    const response = await postForm(harness, { grant_type: 'client_credentials', scope: 'orders:write  orders:write', ...clientParameters(client) }, { json: true });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json().scope, 'orders:write');
    assert.equal(response.json().refresh_token, undefined);
  });

  test('a scope the API does not have is invalid_scope, and nothing is issued', async () => {
    const client = await createClient(harness);
    for (const scope of ['orders:read admin', 'ORDERS:READ', 'orders']) {
      const response = await clientCredentials(client, { scope });
      assert.equal(response.statusCode, 400, scope);
      assert.equal(response.json().error, 'invalid_scope', scope);
    }
    const overlong = await clientCredentials(client, { scope: 'orders:read '.repeat(500) });
    assert.equal(overlong.json().error, 'invalid_request', 'a bounded parameter');
    assert.deepEqual(await familiesOf(client), []);
  });

  test('a public client is unauthorized_client (§4.4: confidential clients only), audited, nothing issued', async () => {
    const client = await createClient(harness, { clientType: 'public' });
    const response = await postForm(harness, { grant_type: 'client_credentials', ...clientParameters(client) });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().error, 'unauthorized_client');
    assert.match(response.json().error_description, /confidential clients only/);
    assert.deepEqual(await familiesOf(client), []);
    const audit = await store.audit.list({ subscriptionId: client.subscription.id });
    assert.deepEqual(audit.items.map((event) => [event.type, event.details.reason]), [['client_credentials.refused', 'public_client']]);
  });

  test('a pending or declined subscription is unauthorized_client, nothing issued', async () => {
    for (const status of ['pending', 'declined'] as const) {
      const client = await createClient(harness, { status, trusted: false });
      const response = await clientCredentials(client);
      assert.equal(response.statusCode, 400, status);
      assert.equal(response.json().error, 'unauthorized_client', status);
      assert.match(response.json().error_description, /not approved/);
      assert.deepEqual(await familiesOf(client), [], status);
    }
  });

  test('a wrong secret is invalid_client before any grant rule', async () => {
    const client = await createClient(harness);
    const response = await clientCredentials({ ...client, clientSecret: 'wrong' });
    assert.equal(response.statusCode, 401);
    assert.equal(response.json().error, 'invalid_client');
  });

  test('an API whose grants leave it out answers unsupported_grant_type, and its metadata does not list it', async () => {
    const client = await createClient(harness, { apiId: 'billing' });
    const response = await clientCredentials(client, {}, '/auth/local/api/billing/token');
    assert.equal(response.statusCode, 400);
    assert.deepEqual(response.json(), {
      error: 'unsupported_grant_type',
      error_description: "grant_type 'client_credentials' is not supported (supported: password, refresh_token)",
    });
    assert.deepEqual(await familiesOf(client), []);

    const metadata = async (apiId: string) =>
      (await harness.gatehouse.publicServer.inject({ method: 'GET', url: `/.well-known/oauth-authorization-server/auth/local/api/${apiId}` })).json();
    assert.deepEqual((await metadata('billing')).grant_types_supported, ['password', 'refresh_token']);
    assert.deepEqual((await metadata('orders')).grant_types_supported, ['password', 'refresh_token', 'authorization_code', 'client_credentials']);
    assert.equal((await metadata('orders')).authorization_endpoint, 'http://localhost:80/auth/local/api/orders/authorize');
    // Without the code grant there is no authorization endpoint, and the one at its path refuses.
    assert.equal((await metadata('billing')).authorization_endpoint, undefined);
    assert.deepEqual((await metadata('billing')).response_types_supported, []);
    const redirectUri = 'https://app.example/callback';
    await harness.store.applications.update(client.subscription.applicationId, { redirectUris: [redirectUri] }, harness.now());
    const authorize = await harness.gatehouse.publicServer.inject({
      method: 'GET',
      url: `/auth/local/api/billing/authorize?${new URLSearchParams({
        response_type: 'code', client_id: client.clientId, redirect_uri: redirectUri, state: 's1',
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGWSo2OaYc', code_challenge_method: 'S256',
      })}`,
    });
    assert.equal(authorize.statusCode, 302);
    const location = new URL(authorize.headers.location ?? '');
    assert.equal(`${location.origin}${location.pathname}`, redirectUri);
    assert.equal(location.searchParams.get('error'), 'unsupported_response_type');
    assert.equal(location.searchParams.get('state'), 's1');
    assert.equal(location.searchParams.get('code'), null);
    assert.deepEqual((await metadata('orders')).token_endpoint_auth_methods_supported, ['client_secret_basic', 'client_secret_post', 'none']);
    const machinesOnly = await metadata('reports');
    assert.deepEqual(machinesOnly.grant_types_supported, ['client_credentials']);
    assert.deepEqual(machinesOnly.token_endpoint_auth_methods_supported, ['client_secret_basic', 'client_secret_post'], 'no public client can use it');
  });

  test('the gateway forwards no user, the consumer headers, and never the client’s own copies', async () => {
    const client = await createClient(harness);
    const token = (await clientCredentials(client, { scope: 'orders:read' })).json().access_token as string;
    const before = upstream.received.length;
    const response = await gatewayCall(token, {
      'x-authenticated-userid': 'mallory',
      'x_authenticated_userid': 'mallory',
      'x-authenticated-auth-method': 'local',
      'x-consumer-id': 'someone-else',
    });
    assert.equal(response.statusCode, 201, response.body);
    assert.equal(upstream.received.length, before + 1);
    const headers = upstream.received.at(-1)?.headers ?? {};
    assert.equal('x-authenticated-userid' in headers, false, 'absent, not empty');
    assert.equal('x_authenticated_userid' in headers, false);
    assert.equal('x-authenticated-auth-method' in headers, false, 'nobody signed in');
    assert.equal(headers['x-authenticated-scope'], 'orders:read');
    assert.equal(headers['x-consumer-id'], client.subscription.id);
    assert.equal(headers['x-consumer-custom-id'], client.subscription.id);
    assert.equal(headers['x-consumer-username'], client.subscription.applicationId);
    assert.equal(headers['x-credential-identifier'], client.clientId);
  });

  test('introspection describes it with client_id and no sub', async () => {
    const client = await createClient(harness);
    const token = (await clientCredentials(client)).json().access_token as string;
    const resourceServer = await createClient(harness);
    const response = await postForm(harness, { token }, { url: '/auth/local/api/orders/introspect', headers: { authorization: basicAuthorization(resourceServer.clientId, resourceServer.clientSecret ?? '') } });
    const body = response.json();
    assert.equal(body.active, true, response.body);
    assert.equal(body.client_id, client.clientId);
    assert.equal('sub' in body, false);
    assert.equal(body.scope, 'orders:read orders:write');
    assert.equal(body.exp - body.iat, 900);
  });

  test('revocation ends it at once: RFC 7009 by the client, the subscription revoked, the application deleted', async () => {
    const issue = async (client: TestClient) => {
      const token = (await clientCredentials(client)).json().access_token as string;
      assert.equal((await gatewayCall(token)).statusCode, 201, 'admitted (and cached for a minute)');
      return token;
    };
    const byClient = await createClient(harness);
    const first = await issue(byClient);
    assert.equal((await postForm(harness, { token: first, ...clientParameters(byClient) }, { url: REVOKE_URL })).statusCode, 200);
    assert.equal((await gatewayCall(first)).statusCode, 401);

    const bySubscription = await createClient(harness);
    const second = await issue(bySubscription);
    await revokeSubscription(admin(), bySubscription.subscription.id);
    assert.equal((await gatewayCall(second)).statusCode, 401);

    const byApplication = await createClient(harness);
    const third = await issue(byApplication);
    await deleteApplication(admin(), byApplication.subscription.applicationId);
    assert.equal((await gatewayCall(third)).statusCode, 401);
  });

  test('a refresh_token grant has nothing to refresh, and a token of it never signs in to the management API', async () => {
    const client = await createClient(harness);
    const token = (await clientCredentials(client)).json().access_token as string;
    const refreshed = await postForm(harness, { grant_type: 'refresh_token', refresh_token: token, ...clientParameters(client) });
    assert.equal(refreshed.json().error, 'invalid_grant');
    const portal = await createClient(harness, { apiId: 'gatehouse-portal' });
    const refused = await harness.gatehouse.portalServer.inject({
      method: 'POST',
      url: '/auth/local/api/gatehouse-portal/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuthorization(portal.clientId, portal.clientSecret ?? '') },
      payload: 'grant_type=client_credentials',
    });
    assert.equal(refused.json().error, 'unsupported_grant_type', refused.body);
  });

  test('the token endpoint metric counts the grant under its own bounded label', async () => {
    const metrics = (await harness.gatehouse.portalServer.inject({ method: 'GET', url: '/metrics' })).body;
    const granted = /gatehouse_token_requests_total\{grant_type="client_credentials",auth_method="local",api="orders",outcome="granted"\} (\d+)/.exec(metrics);
    assert.ok(granted && Number(granted[1]) >= 5, metrics.split('\n').filter((line) => line.includes('client_credentials')).join('\n'));
    assert.match(metrics, /gatehouse_token_requests_total\{grant_type="client_credentials",auth_method="local",api="orders",outcome="unauthorized_client"\} \d+/);
    assert.match(metrics, /gatehouse_token_requests_total\{grant_type="client_credentials",auth_method="local",api="billing",outcome="unsupported_grant_type"\} 1/);
  });
});
