import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PORTAL_CLIENT_ID } from '../../src/domain/portal-sign-in.js';
import { startManagement, TRUSTED_BASIC } from './management-fixtures.js';

// Users, the built-in client's protection, and the audit log through the management API.

const h = await startManagement();

describe('users', () => {
  it('an admin creates a user who can then sign in; duplicates and unknown groups are refused', async () => {
    const admin = await h.person({ admin: true });
    const email = `new-${Date.now()}@Example.com`;
    const created = await h.call(admin.token, 'POST', '/api/v1/users', { email, password: 'a fine password', approverOf: ['partners'] });
    assert.equal(created.statusCode, 201, created.body);
    const user = created.json() as Record<string, unknown>;
    assert.equal(user.email, email.toLowerCase());
    assert.deepEqual(user.approverOf, ['partners']);
    assert.equal('passwordHash' in user, false);
    assert.equal((await h.signIn(email, 'a fine password')).statusCode, 200);

    const duplicate = await h.call(admin.token, 'POST', '/api/v1/users', { email });
    assert.equal(duplicate.statusCode, 409);
    const unknownGroup = await h.call(admin.token, 'POST', '/api/v1/users', { email: `x-${email}`, groups: ['nowhere'] });
    assert.equal(unknownGroup.statusCode, 400);
    assert.match((unknownGroup.json() as { detail: string }).detail, /unknown group "nowhere"/);
    const shortPassword = await h.call(admin.token, 'POST', '/api/v1/users', { email: `y-${email}`, password: 'short' });
    assert.equal(shortPassword.statusCode, 400);
  });

  it('a developer may not put an application in someone else’s name only', async () => {
    const dev = await h.person();
    const other = await h.person();
    const response = await h.call(dev.token, 'POST', '/api/v1/applications', { name: 'X', clientType: 'public', ownerIds: [other.user.id] });
    assert.equal(response.statusCode, 400);
    const shared = await h.call(dev.token, 'POST', '/api/v1/applications', { name: 'X', clientType: 'public', ownerIds: [dev.user.id, other.user.id] });
    assert.equal(shared.statusCode, 201);
    const application = shared.json() as { id: string };
    assert.equal((await h.call(other.token, 'GET', `/api/v1/applications/${application.id}`)).statusCode, 200);
  });

  it('the built-in application and subscription cannot be changed, even by an admin', async () => {
    const admin = await h.person({ admin: true });
    const portal = await h.store.subscriptions.findByClientId(PORTAL_CLIENT_ID);
    assert.ok(portal);
    const attempts = [
      await h.call(admin.token, 'DELETE', `/api/v1/applications/${portal.applicationId}`),
      await h.call(admin.token, 'PATCH', `/api/v1/applications/${portal.applicationId}`, { clientType: 'confidential' }),
      await h.call(admin.token, 'DELETE', `/api/v1/subscriptions/${portal.id}`),
      await h.call(admin.token, 'PATCH', `/api/v1/subscriptions/${portal.id}`, { trusted: false }),
      await h.call(admin.token, 'POST', `/api/v1/subscriptions/${portal.id}/decline`, TRUSTED_BASIC),
    ];
    assert.deepEqual(
      attempts.map((response) => response.statusCode),
      [409, 409, 409, 409, 409],
    );
    assert.equal((await h.call(admin.token, 'GET', '/api/v1/users/me')).statusCode, 200);
    const unchanged = await h.store.subscriptions.findById(portal.id);
    assert.deepEqual({ trusted: unchanged?.trusted, status: unchanged?.status }, { trusted: true, status: 'approved' });
  });
});

describe('audit log', () => {
  it('records who did what from where, filterable by type, user and time', async () => {
    const admin = await h.person({ admin: true });
    const user = await h.person();
    const start = new Date(h.now()).toISOString();
    h.advance(1000);
    assert.equal((await h.call(admin.token, 'PATCH', `/api/v1/users/${user.user.id}`, { name: 'Renamed' })).statusCode, 200);
    const page = (await h.call(admin.token, 'GET', `/api/v1/audit-events?type=user.updated&userId=${user.user.id}&since=${start}`)).json() as {
      items: { type: string; actorUserId: string; userId: string; ip: string; at: string; details: Record<string, unknown> }[];
    };
    assert.equal(page.items.length, 1);
    const [event] = page.items;
    assert.equal(event?.actorUserId, admin.user.id);
    assert.equal(event?.userId, user.user.id);
    assert.equal(event?.ip, '127.0.0.1');
    assert.deepEqual(event?.details.fields, ['name']);
    const before = (await h.call(admin.token, 'GET', `/api/v1/audit-events?type=user.updated&userId=${user.user.id}&until=${start}`)).json() as { items: unknown[] };
    assert.equal(before.items.length, 0);

    const refused = await h.signIn(user.login, 'wrong password');
    assert.equal(refused.statusCode, 400);
    const logins = (await h.call(admin.token, 'GET', '/api/v1/audit-events?type=login.refused&apiId=gatehouse-portal')).json() as { items: unknown[] };
    assert.ok(logins.items.length >= 1);
    assert.ok(!JSON.stringify(logins.items).includes('wrong password'));
  });
});
