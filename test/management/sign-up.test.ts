import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { managementRawConfig, startManagement, type ManagementHarness } from './management-fixtures.js';

// Self sign-up (portal.signUp): closed refuses, open makes a working account, approval queues
// it for an admin; a taken address gets the very answer a new one gets; every attempt counts
// against the address like a failed sign-in.

const withSignUp = (signUp: string, extra: Record<string, unknown> = {}) => ({ ...managementRawConfig(), portal: { signUp }, ...extra });
const signUp = (h: ManagementHarness, body: Record<string, unknown>) => h.call(null, 'POST', '/api/v1/sign-up', body);

describe('POST /api/v1/sign-up', () => {
  it('is refused when closed (the default), and GET /sign-in says so', async () => {
    const h = await startManagement();
      assert.equal((await h.call(null, 'GET', '/api/v1/sign-in')).json().signUp, 'closed');
      const refused = await signUp(h, { email: 'x@example.com', password: 'long enough password' });
      assert.equal(refused.statusCode, 403);
      assert.equal(refused.json().code, 'forbidden');
      assert.equal((await h.store.users.list({})).items.length, 0);
  });

  describe('open', () => {
    it('creates a working account; a taken address gets the same answer and changes nothing', async () => {
      const h = await startManagement(withSignUp('open'));
      assert.equal((await h.call(null, 'GET', '/api/v1/sign-in')).json().signUp, 'open');
      const first = await signUp(h, { email: 'New@Example.com', name: 'New Person', password: 'correct horse battery' });
      assert.equal(first.statusCode, 202, first.body);
      assert.equal((await h.signIn('new@example.com', 'correct horse battery')).statusCode, 200);
      const again = await signUp(h, { email: 'new@example.com', password: 'an attacker chose this' });
      assert.equal(again.statusCode, 202);
      assert.deepEqual(again.json(), first.json(), 'no account enumeration');
      assert.equal((await h.signIn('new@example.com', 'an attacker chose this')).statusCode, 400, 'the existing account is untouched');
      const events = (await h.store.audit.list({ type: 'user.signed_up' })).items;
      assert.equal(events.length, 1);
      assert.equal(events[0]?.ip, '127.0.0.1');
    });

    it('applies the password policy and the schema', async () => {
      const h = await startManagement(withSignUp('open'));
      const short = await signUp(h, { email: 'short@example.com', password: 'short' });
      assert.equal(short.statusCode, 400);
      assert.match(short.json().detail, /password must be at least 8 characters/);
      const bad = await signUp(h, { email: 'not an email', password: 'long enough password' });
      assert.equal(bad.statusCode, 400);
      assert.equal((await h.store.users.list({})).items.length, 0, 'nothing half-written');
      // Unknown properties are dropped by the schema: no roles through sign-up.
      const extra = await signUp(h, { email: 'x@example.com', password: 'long enough password', admin: true, approverOf: ['partners'] });
      assert.equal(extra.statusCode, 202);
      const created = await h.store.users.findLocalByLogin('x@example.com');
      assert.deepEqual({ admin: created?.admin, approverOf: created?.approverOf }, { admin: false, approverOf: [] });
    });
  });

  it('approval: the account waits for an admin, cannot sign in, and is approved or declined', async () => {
    const h = await startManagement(withSignUp('approval'));
      const admin = await h.person({ admin: true, name: 'admin' });
      const developer = await h.person({ name: 'dev' });
      const receipt = await signUp(h, { email: 'queued@example.com', password: 'queued password 1' });
      assert.equal(receipt.statusCode, 202);
      assert.equal(receipt.json().mode, 'approval');
      await signUp(h, { email: 'declined@example.com', password: 'queued password 2' });
      const refused = await h.signIn('queued@example.com', 'queued password 1');
      assert.equal(refused.statusCode, 400);
      assert.equal(refused.json().error, 'invalid_grant', 'the generic wrong-password answer');

      const queue = await h.call(admin.token, 'GET', '/api/v1/users?pending=true');
      assert.equal(queue.statusCode, 200);
      const pending = queue.json().items as { id: string; email: string; pending: boolean; disabled: boolean }[];
      assert.deepEqual(pending.map((u) => u.email).sort(), ['declined@example.com', 'queued@example.com']);
      const queued = pending.find((u) => u.email === 'queued@example.com');
      const declined = pending.find((u) => u.email === 'declined@example.com');
      assert.ok(queued && declined);
      assert.equal((await h.call(developer.token, 'POST', `/api/v1/users/${queued.id}/sign-up/approve`)).statusCode, 403);
      assert.equal((await h.call(admin.token, 'PATCH', `/api/v1/users/${queued.id}`, { disabled: false })).statusCode, 409, 'enabling is no approval');

      const approved = await h.call(admin.token, 'POST', `/api/v1/users/${queued.id}/sign-up/approve`);
      assert.equal(approved.statusCode, 200, approved.body);
      assert.deepEqual({ pending: approved.json().pending, disabled: approved.json().disabled }, { pending: false, disabled: false });
      assert.equal((await h.signIn('queued@example.com', 'queued password 1')).statusCode, 200);
      assert.equal((await h.call(admin.token, 'POST', `/api/v1/users/${queued.id}/sign-up/approve`)).statusCode, 409, 'decided once');

      assert.equal((await h.call(admin.token, 'POST', `/api/v1/users/${declined.id}/sign-up/decline`)).statusCode, 200);
      assert.equal(await h.store.users.findById(declined.id), null);
      const types = (await h.store.audit.list({ actorUserId: admin.user.id })).items.map((e) => e.type).sort();
      assert.deepEqual(types, ['user.sign_up_approved', 'user.sign_up_declined']);
      assert.equal((await h.call(admin.token, 'GET', '/api/v1/users?pending=true')).json().items.length, 0);
  });

  it('counts every attempt against the address: past the limit, 429 with Retry-After', async () => {
    const h = await startManagement(withSignUp('open', { bruteForce: { addresses: { failuresAllowed: 3 } } }));
      for (let i = 0; i < 3; i++) assert.equal((await signUp(h, { email: `s${i}@example.com`, password: 'long enough password' })).statusCode, 202);
      const throttled = await signUp(h, { email: 's9@example.com', password: 'long enough password' });
      assert.equal(throttled.statusCode, 429);
      assert.ok(Number(throttled.headers['retry-after']) >= 1);
      assert.equal(await h.store.users.findLocalByLogin('s9@example.com'), null);
      assert.equal((await h.signIn('s0@example.com', 'long enough password')).statusCode, 429, 'sign-in from the address is throttled too');
  });
});
