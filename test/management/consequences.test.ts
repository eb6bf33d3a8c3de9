import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hashTokenValue } from '../../src/domain/token-values.js';
import { startManagement, type ManagementHarness, type Person, TRUSTED_BASIC } from './management-fixtures.js';

// Revoking or declining a subscription, deleting or disabling a user, changing a password and
// making a subscription untrusted end the affected logins at once: the families are revoked
// (through revokeFamilies, which the gateway's fan-out listens on) before anything is deleted.

interface Login {
  readonly accessToken: string;
  readonly subscriptionId: string;
}

/** `user` logs in to "orders" through an approved trusted subscription of an application owned by `owner`. */
async function liveLogin(h: ManagementHarness, admin: Person, owner: Person, user: Person): Promise<Login> {
  const application = (await h.call(owner.token, 'POST', '/api/v1/applications', { name: 'App', clientType: 'public' })).json() as { id: string };
  const issued = (await h.call(owner.token, 'POST', '/api/v1/subscriptions', { applicationId: application.id, apiId: 'orders', trusted: true })).json() as {
    subscription: { id: string };
    clientId: string;
  };
  assert.equal((await h.call(admin.token, 'POST', `/api/v1/subscriptions/${issued.subscription.id}/approve`, TRUSTED_BASIC)).statusCode, 200);
  const response = await h.gatehouse.publicServer.inject({
    method: 'POST',
    url: '/auth/local/api/orders/token',
    payload: { grant_type: 'password', client_id: issued.clientId, username: user.login, password: user.password },
  });
  assert.equal(response.statusCode, 200, response.body);
  return { accessToken: (response.json() as { access_token: string }).access_token, subscriptionId: issued.subscription.id };
}

async function revokedReason(h: ManagementHarness, accessToken: string): Promise<string | null> {
  const record = await h.store.tokens.findAccessToken(hashTokenValue(accessToken));
  // A deleted family (its subscription or user gone) can no longer be presented at all.
  if (!record) return 'deleted';
  return record.family.revokedAt === null ? null : record.family.revokedReason;
}

const CONSEQUENCES: readonly (readonly [string, (h: ManagementHarness, admin: Person, user: Person, login: Login) => Promise<number>, string])[] = [
  ['revoking the subscription', async (h, admin, _u, login) => (await h.call(admin.token, 'DELETE', `/api/v1/subscriptions/${login.subscriptionId}`)).statusCode, 'deleted'],
  ['declining the subscription', async (h, admin, _u, login) => (await h.call(admin.token, 'POST', `/api/v1/subscriptions/${login.subscriptionId}/decline`, TRUSTED_BASIC)).statusCode, 'subscription_declined'],
  ['making the subscription untrusted', async (h, admin, _u, login) => (await h.call(admin.token, 'PATCH', `/api/v1/subscriptions/${login.subscriptionId}`, { trusted: false })).statusCode, 'subscription_untrusted'],
  ['disabling the user', async (h, admin, user) => (await h.call(admin.token, 'PATCH', `/api/v1/users/${user.user.id}`, { disabled: true })).statusCode, 'user_disabled'],
  ['deleting the user', async (h, admin, user) => (await h.call(admin.token, 'DELETE', `/api/v1/users/${user.user.id}`)).statusCode, 'deleted'],
  ["resetting the user's password", async (h, admin, user) => (await h.call(admin.token, 'PUT', `/api/v1/users/${user.user.id}/password`, { password: 'a brand new one' })).statusCode, 'password_changed'],
  ['the user changing their own password', async (h, _a, user) => (await h.call(user.token, 'PUT', `/api/v1/users/${user.user.id}/password`, { password: 'a brand new one', currentPassword: user.password })).statusCode, 'password_changed'],
];

// One instance per file (each test makes its own users and applications): fewer PostgreSQL schemas.
const h = await startManagement();

describe('consequences end tokens at once', () => {
  for (const [label, act, expectedReason] of CONSEQUENCES) {
    it(`${label} ends the login`, async () => {
        const admin = await h.person({ admin: true });
      const user = await h.person();
      const login = await liveLogin(h, admin, admin, user);
      const revokedFamilies: unknown[] = [];
      const original = h.store.tokens.revokeFamilies.bind(h.store.tokens);
      // Observe the hook without replacing what it does: the revocation must go through it.
      (h.store.tokens as { revokeFamilies: typeof original }).revokeFamilies = async (selector, reason, now) => {
        revokedFamilies.push(selector);
        return original(selector, reason, now);
      };
      try {
        assert.equal(await revokedReason(h, login.accessToken), null);
        assert.ok((await act(h, admin, user, login)) < 300);
        assert.equal(await revokedReason(h, login.accessToken), expectedReason);
        assert.ok(revokedFamilies.length > 0, 'revokeFamilies was called');
      } finally {
        (h.store.tokens as { revokeFamilies: typeof original }).revokeFamilies = original;
      }
    });
  }

  it('a wrong current password changes nothing and ends nothing', async () => {
    const admin = await h.person({ admin: true });
    const user = await h.person();
    const login = await liveLogin(h, admin, admin, user);
    const response = await h.call(user.token, 'PUT', `/api/v1/users/${user.user.id}/password`, { password: 'a brand new one', currentPassword: 'wrong' });
    assert.equal(response.statusCode, 400);
    assert.equal(await revokedReason(h, login.accessToken), null);
    assert.equal((await h.signIn(user.login, user.password)).statusCode, 200);
  });

  it('an admin can neither delete, disable nor demote themself, so an admin always remains', async () => {
    const admin = await h.person({ admin: true });
    const other = await h.person({ admin: true });
    assert.equal((await h.call(admin.token, 'DELETE', `/api/v1/users/${admin.user.id}`)).statusCode, 409);
    assert.equal((await h.call(admin.token, 'PATCH', `/api/v1/users/${other.user.id}`, { admin: false })).statusCode, 200);
    assert.equal((await h.call(other.token, 'GET', '/api/v1/users')).statusCode, 403);
    const promoted = await h.person({ name: 'x' });
    assert.equal((await h.call(admin.token, 'PATCH', `/api/v1/users/${promoted.user.id}`, { disabled: true })).statusCode, 200);
    assert.equal((await h.call(admin.token, 'PATCH', `/api/v1/users/${admin.user.id}`, { disabled: true })).statusCode, 403);
    assert.equal((await h.call(admin.token, 'PATCH', `/api/v1/users/${admin.user.id}`, { admin: false })).statusCode, 403);
    const self = await h.store.users.findById(admin.user.id);
    assert.deepEqual({ admin: self?.admin, disabled: self?.disabled }, { admin: true, disabled: false });
  });
});
