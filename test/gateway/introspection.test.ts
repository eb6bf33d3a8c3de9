import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { basicAuthorization, clientParameters, createClient, postForm, REVOKE_URL } from '../support/oauth-fixtures.js';
import { login, startGateway } from './gateway-harness.js';

// RFC 7662 at /auth/{authMethodId}/api/{apiId}/introspect, authenticated by a client of the API.
describe('token introspection (RFC 7662)', async () => {
  const harness = await startGateway();
  const URL = '/auth/local/api/orders/introspect';

  test('an active access token is described (RFC 7662 §2.2)', async () => {
    const { tokens, client, userId } = await login(harness);
    const resourceServer = await createClient(harness);
    const response = await postForm(
      harness,
      { token: tokens.access_token },
      { url: URL, headers: { authorization: basicAuthorization(resourceServer.clientId, resourceServer.clientSecret ?? '') } },
    );
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['cache-control'], 'no-store');
    const body = response.json();
    assert.equal(body.active, true);
    assert.equal(body.client_id, client.clientId);
    assert.equal(body.sub, userId);
    assert.equal(body.scope, 'orders:read orders:write');
    assert.equal(body.token_type, 'bearer');
    assert.equal(body.aud, 'orders');
    assert.equal(body.exp - body.iat, 900);
  });

  test('revoked, unknown, refresh and other-API tokens are {active: false} and nothing else', async () => {
    const { tokens, client } = await login(harness);
    const billing = await login(harness, 'billing');
    const revokedSession = await login(harness);
    const revoke = await postForm(harness, { token: revokedSession.tokens.access_token, ...clientParameters(revokedSession.client) }, { url: REVOKE_URL });
    assert.equal(revoke.statusCode, 200);
    for (const token of ['NoSuchTokenNoSuchTokenNoSuchTokenNoSuchToke', tokens.refresh_token, billing.tokens.access_token, revokedSession.tokens.access_token]) {
      const response = await postForm(harness, { token, ...clientParameters(client) }, { url: URL });
      assert.equal(response.statusCode, 200);
      assert.deepEqual(response.json(), { active: false });
    }
  });

  test('the caller must authenticate as a client of the API', async () => {
    const { tokens } = await login(harness);
    const anonymous = await postForm(harness, { token: tokens.access_token }, { url: URL });
    assert.equal(anonymous.statusCode, 401);
    assert.equal(anonymous.json().error, 'invalid_client');
    const billingClient = await createClient(harness, { apiId: 'billing' });
    const foreign = await postForm(harness, { token: tokens.access_token, ...clientParameters(billingClient) }, { url: URL });
    assert.equal(foreign.statusCode, 401);
    assert.equal(foreign.json().error, 'invalid_client');
  });

  test('only a confidential client with an approved subscription to the API may introspect; others get 401 invalid_client', async () => {
    const { tokens } = await login(harness);
    const refused = [
      await createClient(harness, { clientType: 'public' }),
      await createClient(harness, { clientType: 'public', trusted: false }),
      await createClient(harness, { status: 'pending' }),
      await createClient(harness, { status: 'declined' }),
      await createClient(harness, { status: 'declined', trusted: false }),
    ];
    for (const caller of refused) {
      for (const viaBasic of [false, true]) {
        const response = viaBasic && caller.clientSecret !== null
          ? await postForm(harness, { token: tokens.access_token }, { url: URL, headers: { authorization: basicAuthorization(caller.clientId, caller.clientSecret) } })
          : await postForm(harness, { token: tokens.access_token, ...clientParameters(caller) }, { url: URL });
        assert.equal(response.statusCode, 401, `${caller.subscription.status} ${response.body}`);
        assert.equal(response.json().error, 'invalid_client');
        assert.equal(response.headers['www-authenticate'], 'Basic realm="gatehouse", charset="UTF-8"');
        assert.ok(!response.body.includes('active'), 'nothing about the token');
      }
    }
    // An approved confidential subscription, trusted or not, is a resource server's credential.
    for (const caller of [await createClient(harness), await createClient(harness, { trusted: false })]) {
      const response = await postForm(harness, { token: tokens.access_token, ...clientParameters(caller) }, { url: URL });
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(response.json().active, true);
    }
  });

  test('a missing token parameter is invalid_request', async () => {
    const { client } = await login(harness);
    const response = await postForm(harness, clientParameters(client), { url: URL });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().error, 'invalid_request');
  });
});
