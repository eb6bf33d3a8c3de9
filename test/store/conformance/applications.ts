import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { createLocalUser, seedFamily, seedSubscription, T0 } from './fixtures.js';
import { allPages, ids, rejectsWithMissingReference, sorted, storeTest, type OpenStore } from './harness.js';

const T1 = T0 + 60_000;

export function applicationStoreSuite(open: OpenStore): void {
  const test = storeTest(open);

  describe('applications', () => {
    test('create stores the application with its owners, and findById returns it', async (store) => {
      const alice = await createLocalUser(store);
      const bob = await createLocalUser(store);
      const app = await store.applications.create(
        { name: 'Mobile app', clientType: 'public', redirectUris: ['com.example.app:/cb'], ownerIds: [alice.id, bob.id] },
        T0,
      );
      assert.equal(app.name, 'Mobile app');
      assert.equal(app.clientType, 'public');
      assert.deepEqual(app.redirectUris, ['com.example.app:/cb']);
      assert.deepEqual(sorted(app.ownerIds), sorted([alice.id, bob.id]));
      assert.equal(app.createdAt, T0);
      assert.equal(app.updatedAt, T0);

      const found = await store.applications.findById(app.id);
      assert.ok(found);
      assert.deepEqual({ ...found, ownerIds: sorted(found.ownerIds) }, { ...app, ownerIds: sorted(app.ownerIds) });
      assert.equal(await store.applications.findById('no-such-app'), null);
    });

    test('create defaults redirectUris to none', async (store) => {
      const owner = await createLocalUser(store);
      const app = await store.applications.create({ name: 'Backend', clientType: 'confidential', ownerIds: [owner.id] }, T0);
      assert.deepEqual(app.redirectUris, []);
      assert.deepEqual((await store.applications.findById(app.id))?.redirectUris, []);
    });

    test('create with an unknown owner is a StoreReferenceError and creates nothing', async (store) => {
      const owner = await createLocalUser(store);
      const ghost = { name: 'Ghost', clientType: 'public', ownerIds: [owner.id, 'no-such-user'] } as const;
      await rejectsWithMissingReference(store.applications.create(ghost, T0));
      assert.deepEqual((await store.applications.list({})).items, []);
    });

    test('list filters by owner and pages through every application once', async (store) => {
      const alice = await createLocalUser(store);
      const bob = await createLocalUser(store);
      const create = (name: string, ownerIds: string[], now: number) =>
        store.applications.create({ name, clientType: 'confidential', ownerIds }, now);
      const a1 = await create('a1', [alice.id], T0);
      const a2 = await create('a2', [alice.id, bob.id], T0);
      const b1 = await create('b1', [bob.id], T0 + 1);
      const b2 = await create('b2', [bob.id], T0 + 2);
      const none = await create('none', [], T0 + 3);

      assert.deepEqual(sorted(ids((await store.applications.list({ ownerId: alice.id })).items)), sorted([a1.id, a2.id]));
      assert.deepEqual(sorted(ids((await store.applications.list({ ownerId: bob.id })).items)), sorted([a2.id, b1.id, b2.id]));
      assert.deepEqual((await store.applications.list({ ownerId: 'no-such-user' })).items, []);

      const shared = (await store.applications.list({ ownerId: alice.id })).items.find((a) => a.id === a2.id);
      assert.deepEqual(sorted(shared?.ownerIds ?? []), sorted([alice.id, bob.id]), 'listed applications carry all their owners');

      const pages = await allPages((page) => store.applications.list({}, page), 2);
      assert.deepEqual(pages.map((p) => p.length), [2, 2, 1]);
      assert.deepEqual(sorted(pages.flatMap(ids)), sorted(ids([a1, a2, b1, b2, none])));
      const bobPages = await allPages((page) => store.applications.list({ ownerId: bob.id }, page), 2);
      assert.deepEqual(bobPages.map((p) => p.length), [2, 1]);
      assert.deepEqual(sorted(bobPages.flatMap(ids)), sorted([a2.id, b1.id, b2.id]));
    });

    test('update changes the patched fields and replaces the owners', async (store) => {
      const alice = await createLocalUser(store);
      const bob = await createLocalUser(store);
      const app = await store.applications.create({ name: 'Old', clientType: 'confidential', ownerIds: [alice.id] }, T0);

      const renamed = await store.applications.update(app.id, { name: 'New', clientType: 'public', redirectUris: ['https://x/cb'] }, T1);
      assert.deepEqual(renamed, { ...app, name: 'New', clientType: 'public', redirectUris: ['https://x/cb'], updatedAt: T1 });

      const handedOver = await store.applications.update(app.id, { ownerIds: [bob.id] }, T1);
      assert.deepEqual(handedOver?.ownerIds, [bob.id]);
      assert.deepEqual((await store.applications.findById(app.id))?.ownerIds, [bob.id]);
      assert.deepEqual(ids((await store.applications.list({ ownerId: alice.id })).items), []);
      assert.deepEqual(ids((await store.applications.list({ ownerId: bob.id })).items), [app.id]);
      assert.equal(handedOver?.name, 'New');

      assert.equal(await store.applications.update('no-such-app', { name: 'x' }, T1), null);
    });

    test('update with an unknown owner is a StoreReferenceError and changes nothing', async (store) => {
      const alice = await createLocalUser(store);
      const app = await store.applications.create({ name: 'Keep', clientType: 'confidential', ownerIds: [alice.id] }, T0);
      await rejectsWithMissingReference(store.applications.update(app.id, { name: 'Changed', ownerIds: ['no-such-user'] }, T1));
      assert.deepEqual(await store.applications.findById(app.id), app);
    });

    test('delete removes the application with its subscriptions and their tokens', async (store) => {
      const doomed = await seedSubscription(store, 'orders');
      const second = await store.subscriptions.create(
        { applicationId: doomed.application.id, apiId: 'billing', plan: 'default', trusted: false, status: 'pending' },
        T0,
      );
      const login = await seedFamily(store, doomed);
      const kept = await seedSubscription(store, 'orders');
      const keptLogin = await seedFamily(store, kept);

      assert.equal(await store.applications.delete(doomed.application.id), true);
      assert.equal(await store.applications.findById(doomed.application.id), null);
      assert.equal(await store.subscriptions.findById(doomed.subscription.id), null);
      assert.equal(await store.subscriptions.findById(second.id), null);
      assert.equal(await store.subscriptions.findByClientId(doomed.subscription.clientId ?? ''), null);
      assert.equal(await store.tokens.findFamily(login.family.id), null);
      assert.equal(await store.tokens.findAccessToken(login.tokens.accessToken.hash), null);
      assert.equal(await store.tokens.findRefreshToken(login.tokens.refreshToken.hash), null);
      assert.equal(await store.applications.delete(doomed.application.id), false);

      assert.ok(await store.applications.findById(kept.application.id));
      assert.ok(await store.subscriptions.findById(kept.subscription.id));
      assert.ok(await store.tokens.findAccessToken(keptLogin.tokens.accessToken.hash));
      assert.ok(await store.users.findById(doomed.user.id), 'the owner outlives the application');
    });

    test('findByIds returns the applications that exist with their owners, once each', async (store) => {
      const alice = await createLocalUser(store);
      const first = await store.applications.create({ name: 'First', clientType: 'public', ownerIds: [alice.id] }, T0);
      const second = await store.applications.create({ name: 'Second', clientType: 'confidential', ownerIds: [alice.id] }, T0);
      await store.applications.create({ name: 'Third', clientType: 'public', ownerIds: [alice.id] }, T0);
      const found = await store.applications.findByIds([second.id, 'no-such-app', first.id, first.id]);
      assert.deepEqual(sorted(ids(found)), sorted([first.id, second.id]));
      assert.deepEqual(found.find((app) => app.id === second.id), second);
      assert.deepEqual(await store.applications.findByIds([]), []);
    });
  });
}
