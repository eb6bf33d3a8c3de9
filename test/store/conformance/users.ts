import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { createLocalUser, seedFamily, seedSubscription, T0 } from './fixtures.js';
import { allPages, ids, rejectsWithConflict, sorted, storeTest, type OpenStore } from './harness.js';

const T1 = T0 + 60_000;

export function userStoreSuite(open: OpenStore): void {
  const test = storeTest(open);

  describe('users', () => {
    test('create returns the record with defaults, and findById returns the same', async (store) => {
      const user = await store.users.create(
        { authMethod: 'local', email: 'Alice@Example.COM', username: 'alice', passwordHash: '$argon2id$h1' },
        T0,
      );
      assert.equal(typeof user.id, 'string');
      assert.ok(user.id.length > 0);
      assert.deepEqual(user, {
        id: user.id,
        authMethod: 'local',
        externalSub: null,
        email: 'alice@example.com',
        username: 'alice',
        name: null,
        passwordHash: '$argon2id$h1',
        groups: [],
        admin: false,
        approverOf: [],
        disabled: false,
        pending: false,
        createdAt: T0,
        updatedAt: T0,
        passwordChangedAt: T0,
      });
      assert.deepEqual(await store.users.findById(user.id), user);
      assert.equal(await store.users.findById('no-such-user'), null);
    });

    test('create stores every field given', async (store) => {
      const input = {
        authMethod: 'corp-ldap',
        externalSub: 'sub-1',
        email: 'bob@example.com',
        username: 'bob',
        name: 'Bob',
        groups: ['sales', 'emea'],
        admin: true,
        approverOf: ['sales'],
        disabled: true,
      };
      const user = await store.users.create(input, T0);
      assert.deepEqual(await store.users.findById(user.id), {
        ...input,
        id: user.id,
        pending: false,
        passwordHash: null,
        createdAt: T0,
        updatedAt: T0,
        passwordChangedAt: null,
      });
    });

    test('a taken email, in any case, or a taken username is a StoreConflictError', async (store) => {
      await store.users.create({ authMethod: 'local', email: 'carol@example.com', username: 'carol' }, T0);
      await rejectsWithConflict(store.users.create({ authMethod: 'local', email: 'CAROL@example.com' }, T0));
      await rejectsWithConflict(store.users.create({ authMethod: 'local', username: 'carol' }, T0));
      assert.equal((await store.users.list()).items.length, 1);
    });

    test('an email is unique per auth method, not across methods', async (store) => {
      const local = await store.users.create({ authMethod: 'local', email: 'dan@example.com' }, T0);
      const external = await store.users.upsertExternal('corp-ldap', { sub: 'dan', email: 'DAN@example.com' }, T0);
      assert.notEqual(external.id, local.id);
      assert.equal(external.email, 'dan@example.com');
    });

    test('findLocalByLogin finds a local user by email in any case or by username', async (store) => {
      const user = await store.users.create({ authMethod: 'local', email: 'erin@example.com', username: 'erin_w' }, T0);
      await store.users.upsertExternal('corp-ldap', { sub: 'x', email: 'frank@example.com' }, T0);
      assert.deepEqual(await store.users.findLocalByLogin('Erin@EXAMPLE.com'), user);
      assert.deepEqual(await store.users.findLocalByLogin('erin@example.com'), user);
      assert.deepEqual(await store.users.findLocalByLogin('erin_w'), user);
      assert.equal(await store.users.findLocalByLogin('nobody@example.com'), null);
      assert.equal(await store.users.findLocalByLogin('frank@example.com'), null, 'external identities cannot log in locally');
    });

    test('upsertExternal creates the identity, then refreshes the same record', async (store) => {
      const profile = { sub: 'u-42', email: 'Gina@Example.com', name: 'Gina', groups: ['ops'] };
      const created = await store.users.upsertExternal('corp-ldap', profile, T0);
      assert.equal(created.authMethod, 'corp-ldap');
      assert.equal(created.externalSub, 'u-42');
      assert.equal(created.email, 'gina@example.com');
      assert.equal(created.name, 'Gina');
      assert.deepEqual(created.groups, ['ops']);
      assert.equal(created.passwordHash, null);
      assert.equal(created.createdAt, T0);
      await store.users.update(created.id, { admin: true, approverOf: ['ops'] }, T0);

      const changed = { sub: 'u-42', email: 'gina.new@example.com', name: 'Gina N', groups: ['ops', 'dev'] };
      const refreshed = await store.users.upsertExternal('corp-ldap', changed, T1);
      assert.equal(refreshed.id, created.id);
      assert.equal(refreshed.email, 'gina.new@example.com');
      assert.equal(refreshed.name, 'Gina N');
      assert.deepEqual(refreshed.groups, ['ops', 'dev']);
      assert.equal(refreshed.createdAt, T0);
      assert.equal(refreshed.updatedAt, T1);
      assert.equal(refreshed.admin, true, 'roles granted in Gatehouse survive a login');
      assert.deepEqual(refreshed.approverOf, ['ops']);
      assert.deepEqual(await store.users.findById(created.id), refreshed);

      const otherMethod = await store.users.upsertExternal('partner-sso', { sub: 'u-42' }, T1);
      assert.notEqual(otherMethod.id, created.id, 'a sub is scoped to its auth method');
      assert.equal((await store.users.list()).items.length, 2);
    });

    test('update changes only the patched fields', async (store) => {
      const user = await store.users.create({ authMethod: 'local', email: 'hal@example.com', username: 'hal', passwordHash: 'h' }, T0);
      const patch = { email: 'HAL9000@example.com', name: 'Hal', groups: ['g'], admin: true, approverOf: ['g'], disabled: true };
      const patched = await store.users.update(user.id, patch, T1);
      assert.deepEqual(patched, {
        ...user,
        email: 'hal9000@example.com',
        name: 'Hal',
        groups: ['g'],
        admin: true,
        approverOf: ['g'],
        disabled: true,
        updatedAt: T1,
      });
      assert.deepEqual(await store.users.findById(user.id), patched);
      const renamed = await store.users.update(user.id, { username: null }, T1);
      assert.equal(renamed?.username, null);
      assert.equal(renamed?.email, 'hal9000@example.com');
      assert.equal(await store.users.update('no-such-user', { name: 'x' }, T1), null);
    });

    test('update to a taken email is a StoreConflictError', async (store) => {
      await store.users.create({ authMethod: 'local', email: 'ivy@example.com' }, T0);
      const other = await store.users.create({ authMethod: 'local', email: 'jon@example.com' }, T0);
      await rejectsWithConflict(store.users.update(other.id, { email: 'IVY@example.com' }, T1));
      assert.equal((await store.users.findById(other.id))?.email, 'jon@example.com');
    });

    test('setPasswordHash replaces the hash and records the change', async (store) => {
      const user = await createLocalUser(store, T0, { passwordHash: 'old' });
      assert.equal(await store.users.setPasswordHash(user.id, 'new', T1), true);
      const after = await store.users.findById(user.id);
      assert.equal(after?.passwordHash, 'new');
      assert.equal(after?.passwordChangedAt, T1);
      assert.equal(after?.updatedAt, T1);
      assert.equal(await store.users.setPasswordHash('no-such-user', 'x', T1), false);
    });

    test('upgradePasswordHash replaces the hash only while the expected one is stored', async (store) => {
      const user = await createLocalUser(store, T0, { passwordHash: '$2b$legacy' });
      assert.equal(await store.users.upgradePasswordHash(user.id, '$2b$other', '$argon2id$x'), false);
      assert.equal((await store.users.findById(user.id))?.passwordHash, '$2b$legacy');

      assert.equal(await store.users.upgradePasswordHash(user.id, '$2b$legacy', '$argon2id$a'), true);
      const upgraded = await store.users.findById(user.id);
      assert.equal(upgraded?.passwordHash, '$argon2id$a');
      assert.equal(upgraded?.passwordChangedAt, T0, 'a rehash is not a password change');

      // The password changed between the login's read and its rehash: the rehash must lose.
      await store.users.setPasswordHash(user.id, '$argon2id$changed', T1);
      assert.equal(await store.users.upgradePasswordHash(user.id, '$argon2id$a', '$argon2id$stale'), false);
      assert.equal((await store.users.findById(user.id))?.passwordHash, '$argon2id$changed');
      assert.equal(await store.users.upgradePasswordHash('no-such-user', 'a', 'b'), false);
    });

    test('delete removes the user once', async (store) => {
      const user = await createLocalUser(store);
      const kept = await createLocalUser(store);
      assert.equal(await store.users.delete(user.id), true);
      assert.equal(await store.users.findById(user.id), null);
      assert.equal(await store.users.delete(user.id), false);
      assert.deepEqual(await store.users.findById(kept.id), kept);
    });

    test('delete of a user who owns applications and has logins removes their ownership and tokens', async (store) => {
      const seed = await seedSubscription(store);
      const { tokens } = await seedFamily(store, seed);
      assert.equal(await store.users.delete(seed.user.id), true);
      assert.deepEqual((await store.applications.findById(seed.application.id))?.ownerIds, []);
      assert.equal(await store.tokens.findAccessToken(tokens.accessToken.hash), null);
      assert.equal(await store.tokens.findRefreshToken(tokens.refreshToken.hash), null);
    });

    test('list pages through every user exactly once', async (store) => {
      const created = [];
      for (let i = 0; i < 7; i++) created.push(await createLocalUser(store, T0 + Math.floor(i / 3) * 1000)); // ties on createdAt
      const pages = await allPages((page) => store.users.list(page), 3);
      assert.deepEqual(pages.map((p) => p.length), [3, 3, 1]);
      assert.deepEqual(sorted(pages.flatMap(ids)), sorted(ids(created)));
      assert.deepEqual(sorted(ids((await store.users.list()).items)), sorted(ids(created)));

      await store.users.delete(created[0]?.id ?? '');
      const exact = await allPages((page) => store.users.list(page), 3);
      assert.deepEqual(exact.map((p) => p.length), [3, 3], 'a full last page has no next cursor');
    });

    test('upsertExternal: an email another user of the method has is a StoreConflictError, and nothing changes', async (store) => {
      const holder = await store.users.upsertExternal('corp-ldap', { sub: 'u-1', email: 'shared@example.com', name: 'Holder' }, T0);
      const mover = await store.users.upsertExternal('corp-ldap', { sub: 'u-2', email: 'own@example.com', name: 'Mover' }, T0);
      // Issue 13 item 13: the refresh of an existing record (the update) was not mapped.
      await rejectsWithConflict(store.users.upsertExternal('corp-ldap', { sub: 'u-2', email: 'SHARED@example.com', name: 'Mover 2' }, T1));
      await rejectsWithConflict(store.users.upsertExternal('corp-ldap', { sub: 'u-3', email: 'shared@example.com' }, T1));
      assert.deepEqual(await store.users.findById(mover.id), mover, 'the clashing refresh changed nothing');
      assert.deepEqual(await store.users.findById(holder.id), holder);
      assert.equal((await store.users.list()).items.length, 2, 'the clashing first login created nothing');
    });

    test('upsertExternal without an email keeps the stored one, and a new record has none', async (store) => {
      const created = await store.users.upsertExternal('corp-ldap', { sub: 'u-7', email: 'kept@example.com', name: 'A' }, T0);
      const refreshed = await store.users.upsertExternal('corp-ldap', { sub: 'u-7', name: 'B' }, T1);
      assert.equal(refreshed.id, created.id);
      assert.equal(refreshed.email, 'kept@example.com');
      assert.equal(refreshed.name, 'B');
      const cleared = await store.users.upsertExternal('corp-ldap', { sub: 'u-7', email: null }, T1);
      assert.equal(cleared.email, null, 'null, unlike absent, clears it');
      assert.equal((await store.users.upsertExternal('corp-ldap', { sub: 'u-8' }, T1)).email, null);
    });

    test('countAdmins counts enabled admins only', async (store) => {
      assert.equal(await store.users.countAdmins(), 0);
      const first = await createLocalUser(store, T0, { admin: true });
      await createLocalUser(store, T0, { admin: true });
      await createLocalUser(store, T0, { admin: true, disabled: true });
      await createLocalUser(store, T0);
      assert.equal(await store.users.countAdmins(), 2);
      await store.users.update(first.id, { disabled: true }, T1);
      assert.equal(await store.users.countAdmins(), 1);
    });

    test('findByIds returns the users that exist, once each, and nothing for none', async (store) => {
      const alice = await createLocalUser(store);
      const bob = await createLocalUser(store);
      await createLocalUser(store);
      const found = await store.users.findByIds([bob.id, 'no-such-user', alice.id, bob.id]);
      assert.deepEqual(sorted(ids(found)), sorted([alice.id, bob.id]));
      assert.deepEqual(found.find((user) => user.id === alice.id), alice);
      assert.deepEqual(await store.users.findByIds([]), []);
    });

    test('a pending sign-up is stored disabled, with its audit row in the same transaction', async (store) => {
      const event = { type: 'user.sign_up_requested', at: T0, ip: '192.0.2.1', details: { mode: 'approval' } };
      const user = await store.users.create({ authMethod: 'local', email: 'new@example.com', passwordHash: '$argon2id$h', pending: true }, T0, event);
      assert.deepEqual({ pending: user.pending, disabled: user.disabled }, { pending: true, disabled: true });
      assert.deepEqual(await store.users.findById(user.id), user);
      const [row] = (await store.audit.list({ type: 'user.sign_up_requested' })).items;
      assert.deepEqual({ userId: row?.userId, ip: row?.ip, details: row?.details }, { userId: user.id, ip: '192.0.2.1', details: { mode: 'approval' } });
      // A taken address writes neither the user nor the audit row.
      await rejectsWithConflict(store.users.create({ authMethod: 'local', email: 'NEW@example.com', pending: true }, T1, { ...event, at: T1 }));
      assert.equal((await store.audit.list({ type: 'user.sign_up_requested' })).items.length, 1);
    });

    test('list filters pending sign-ups; decideSignUp approves or declines each once, audited', async (store) => {
      const active = await createLocalUser(store, T0);
      const pendingIds: string[] = [];
      for (const email of ['p1@example.com', 'p2@example.com']) {
        pendingIds.push((await store.users.create({ authMethod: 'local', email, passwordHash: '$argon2id$h', pending: true }, T0)).id);
      }
      assert.deepEqual(sorted(ids((await store.users.list({}, { pending: true })).items)), sorted(pendingIds));
      assert.deepEqual(ids((await store.users.list({}, { pending: false })).items), [active.id]);
      const [approveId = '', declineId = ''] = pendingIds;
      const decided = { at: T1, actorUserId: active.id, ip: null, details: {} };
      const approved = await store.users.decideSignUp(approveId, 'approve', T1, { ...decided, type: 'user.sign_up_approved' });
      assert.deepEqual({ pending: approved?.pending, disabled: approved?.disabled, updatedAt: approved?.updatedAt }, { pending: false, disabled: false, updatedAt: T1 });
      assert.equal(await store.users.decideSignUp(approveId, 'approve', T1, { ...decided, type: 'user.sign_up_approved' }), null, 'decided once');
      assert.equal(await store.users.decideSignUp(active.id, 'decline', T1, { ...decided, type: 'user.sign_up_declined' }), null, 'an active user is no sign-up');
      assert.ok(await store.users.findById(active.id));
      assert.equal((await store.users.decideSignUp(declineId, 'decline', T1, { ...decided, type: 'user.sign_up_declined' }))?.id, declineId);
      assert.equal(await store.users.findById(declineId), null, 'a declined sign-up is deleted');
      const events = (await store.audit.list({ actorUserId: active.id })).items.map((e) => [e.type, e.userId]);
      assert.deepEqual(sorted(events.map((e) => e.join(' '))), sorted([`user.sign_up_approved ${approveId}`, `user.sign_up_declined ${declineId}`]));
    });
  });
}
