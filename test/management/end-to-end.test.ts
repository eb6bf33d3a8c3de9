import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startIdentityUpstream } from '../support/identity-upstream.js';
import { managementRawConfig, startManagement, TRUSTED_BASIC } from './management-fixtures.js';

// The story, through the real endpoints: a developer registers an application and
// subscribes it trusted; the password grant says unauthorized_client until an approver
// approves; then it works and the gateway admits the token; the subscription is revoked and the
// gateway refuses the same token on the very next request.

describe('end to end: develop, subscribe trusted, approve, use, revoke', () => {
  it('follows the seed from registration to revocation', async () => {
    const raw = managementRawConfig();
    const upstream = await startIdentityUpstream();
    for (const api of raw.apis as Record<string, unknown>[]) api.upstreamUrl = upstream;
    const h = await startManagement(raw);
    const developer = await h.person({ name: 'developer' });
    const approver = await h.person({ name: 'approver', approverOf: ['partners'] });
    const endUser = await h.person({ name: 'end-user' });

    const created = await h.call(developer.token, 'POST', '/api/v1/applications', { name: 'Mobile app', clientType: 'public' });
    assert.equal(created.statusCode, 201);
    const applicationId = (created.json() as { id: string }).id;
    const subscribed = await h.call(developer.token, 'POST', '/api/v1/subscriptions', { applicationId, apiId: 'orders', trusted: true });
    assert.equal(subscribed.statusCode, 201);
    const { subscription, clientId } = subscribed.json() as { subscription: { id: string; status: string }; clientId: string };
    assert.equal(subscription.status, 'pending');

    const passwordGrant = () =>
      h.gatehouse.publicServer.inject({
        method: 'POST',
        url: '/auth/local/api/orders/token',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ grant_type: 'password', client_id: clientId, username: endUser.login, password: endUser.password }).toString(),
      });
    const refused = await passwordGrant();
    assert.equal(refused.statusCode, 400);
    assert.equal((refused.json() as { error: string }).error, 'unauthorized_client');

    const queue = (await h.call(approver.token, 'GET', '/api/v1/approvals')).json() as { items: { id: string }[] };
    assert.deepEqual(queue.items.map((item) => item.id), [subscription.id]);
    assert.equal((await h.call(approver.token, 'POST', `/api/v1/subscriptions/${subscription.id}/approve`, TRUSTED_BASIC)).statusCode, 200);

    const granted = await passwordGrant();
    assert.equal(granted.statusCode, 200, granted.body);
    const accessToken = (granted.json() as { access_token: string }).access_token;
    const callApi = () => h.gatehouse.publicServer.inject({ method: 'GET', url: '/orders/items', headers: { authorization: `Bearer ${accessToken}` } });
    const admitted = await callApi();
    assert.equal(admitted.statusCode, 200, admitted.body);
    assert.deepEqual(admitted.json(), { user: endUser.user.id });

    const logins = (await h.call(developer.token, 'GET', `/api/v1/applications/${applicationId}/logins`)).json() as { items: { userId: string }[] };
    assert.deepEqual(logins.items.map((login) => login.userId), [endUser.user.id]);

    assert.equal((await h.call(developer.token, 'DELETE', `/api/v1/subscriptions/${subscription.id}`)).statusCode, 204);
    const afterRevocation = await callApi();
    assert.equal(afterRevocation.statusCode, 401);
    assert.match(String(afterRevocation.headers['www-authenticate']), /invalid_token/);

    const audit = await h.store.audit.list({ subscriptionId: subscription.id }, { limit: 50 });
    const types = audit.items.map((event) => event.type);
    for (const type of ['subscription.created', 'login.refused', 'subscription.approved', 'login.granted', 'subscription.revoked']) {
      assert.ok(types.includes(type), `audit has ${type}: ${types.join(', ')}`);
    }
  });
});
