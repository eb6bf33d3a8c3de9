import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { NewSubscription, Store } from '../../../src/store/store.js';
import { createLocalUser, seedFamily, seedSubscription, T0 } from './fixtures.js';
import { allPages, ids, rejectsWithConflict, rejectsWithMissingReference, sorted, storeTest, type OpenStore } from './harness.js';

const T1 = T0 + 60_000;

async function createApplication(store: Store, name = 'app') {
  const owner = await createLocalUser(store);
  return store.applications.create({ name, clientType: 'confidential', ownerIds: [owner.id] }, T0);
}

const pending = (applicationId: string, apiId: string, extra: Partial<NewSubscription> = {}): NewSubscription => ({
  applicationId,
  apiId,
  plan: 'default',
  trusted: false,
  status: 'pending',
  ...extra,
});

export function subscriptionStoreSuite(open: OpenStore): void {
  const test = storeTest(open);

  describe('subscriptions', () => {
    test('create stores the subscription, and findById returns it', async (store) => {
      const app = await createApplication(store);
      const sub = await store.subscriptions.create(
        pending(app.id, 'orders', { plan: 'gold', trusted: true, clientId: 'cid-1', clientSecretHash: '$argon2id$secret' }),
        T0,
      );
      assert.deepEqual(sub, {
        id: sub.id,
        applicationId: app.id,
        apiId: 'orders',
        plan: 'gold',
        trusted: true,
        status: 'pending',
        clientId: 'cid-1',
        clientSecretHash: '$argon2id$secret',
        decidedBy: null,
        decidedAt: null,
        createdAt: T0,
        updatedAt: T0,
      });
      assert.deepEqual(await store.subscriptions.findById(sub.id), sub);
      assert.equal(await store.subscriptions.findById('no-such-subscription'), null);

      const bare = await store.subscriptions.create(pending(app.id, 'billing'), T0);
      assert.equal(bare.clientId, null);
      assert.equal(bare.clientSecretHash, null);
      assert.equal(bare.trusted, false);
    });

    test('create for an unknown application is a StoreReferenceError', async (store) => {
      await rejectsWithMissingReference(store.subscriptions.create(pending('no-such-app', 'orders'), T0));
    });

    test('one subscription per application and API', async (store) => {
      const app = await createApplication(store, 'one');
      const other = await createApplication(store, 'two');
      await store.subscriptions.create(pending(app.id, 'orders'), T0);
      await rejectsWithConflict(store.subscriptions.create(pending(app.id, 'orders', { plan: 'gold' }), T0));
      await store.subscriptions.create(pending(app.id, 'billing'), T0);
      await store.subscriptions.create(pending(other.id, 'orders'), T0);
      assert.equal((await store.subscriptions.list({})).items.length, 3);
    });

    test('a client id belongs to one subscription; many may have none yet', async (store) => {
      const app = await createApplication(store);
      await store.subscriptions.create(pending(app.id, 'orders', { clientId: 'shared-id' }), T0);
      await rejectsWithConflict(store.subscriptions.create(pending(app.id, 'billing', { clientId: 'shared-id' }), T0));
      await store.subscriptions.create(pending(app.id, 'billing', { clientId: null }), T0);
      await store.subscriptions.create(pending(app.id, 'search', { clientId: null }), T0);
      assert.equal((await store.subscriptions.list({})).items.length, 3);
    });

    test('findByClientId finds the subscription holding the client id', async (store) => {
      const app = await createApplication(store);
      const sub = await store.subscriptions.create(pending(app.id, 'orders', { clientId: 'cid-find' }), T0);
      await store.subscriptions.create(pending(app.id, 'billing', { clientId: 'cid-other' }), T0);
      assert.deepEqual(await store.subscriptions.findByClientId('cid-find'), sub);
      assert.equal(await store.subscriptions.findByClientId('CID-FIND'), null, 'client ids are compared exactly');
      assert.equal(await store.subscriptions.findByClientId('no-such-client'), null);
    });

    test('findClient finds the subscription holding the client id with its application, owners and all', async (store) => {
      const owners = await Promise.all([createLocalUser(store), createLocalUser(store), createLocalUser(store)]);
      const application = await store.applications.create(
        { name: 'phone app', clientType: 'public', redirectUris: ['com.example:/cb'], ownerIds: owners.map((o) => o.id) },
        T0,
      );
      const subscription = await store.subscriptions.create(
        { applicationId: application.id, apiId: 'orders', plan: 'gold', trusted: true, status: 'approved', clientId: 'cid-client' },
        T1,
      );
      assert.deepEqual(await store.subscriptions.findClient('cid-client'), { subscription, application: await store.applications.findById(application.id) });
      assert.deepEqual((await store.subscriptions.findClient('cid-client'))?.application.ownerIds, sorted(owners.map((o) => o.id)));
      const lonely = await store.applications.create({ name: 'no owners', clientType: 'confidential', ownerIds: [] }, T0);
      const other = await store.subscriptions.create(
        { applicationId: lonely.id, apiId: 'orders', plan: 'default', trusted: false, status: 'pending', clientId: 'cid-lonely' },
        T1,
      );
      assert.deepEqual(await store.subscriptions.findClient('cid-lonely'), { subscription: other, application: lonely });
      assert.equal(await store.subscriptions.findClient('CID-CLIENT'), null, 'client ids are compared exactly');
      assert.equal(await store.subscriptions.findClient('no-such-client'), null);
    });

    test('list filters by application, APIs and status', async (store) => {
      const app = await createApplication(store, 'one');
      const other = await createApplication(store, 'two');
      const orders = await store.subscriptions.create(pending(app.id, 'orders'), T0);
      const billing = await store.subscriptions.create(pending(app.id, 'billing', { status: 'approved' }), T0 + 1);
      const search = await store.subscriptions.create(pending(app.id, 'search', { status: 'declined' }), T0 + 2);
      const otherOrders = await store.subscriptions.create(pending(other.id, 'orders', { status: 'approved' }), T0 + 3);
      const list = async (filter: Parameters<Store['subscriptions']['list']>[0]) =>
        sorted(ids((await store.subscriptions.list(filter)).items));

      assert.deepEqual(await list({}), sorted(ids([orders, billing, search, otherOrders])));
      assert.deepEqual(await list({ applicationId: app.id }), sorted(ids([orders, billing, search])));
      assert.deepEqual(await list({ applicationId: 'no-such-app' }), []);
      assert.deepEqual(await list({ apiIds: ['orders'] }), sorted(ids([orders, otherOrders])));
      assert.deepEqual(await list({ apiIds: ['orders', 'search'] }), sorted(ids([orders, search, otherOrders])));
      assert.deepEqual(await list({ status: 'approved' }), sorted(ids([billing, otherOrders])));
      assert.deepEqual(await list({ status: 'pending', apiIds: ['orders'] }), [orders.id]);
      assert.deepEqual(await list({ applicationId: other.id, apiIds: ['orders'], status: 'approved' }), [otherOrders.id]);
      assert.deepEqual(await list({ applicationId: other.id, status: 'pending' }), []);

      const none = await store.subscriptions.list({ apiIds: [] });
      assert.deepEqual(none, { items: [], nextCursor: null }, 'no APIs selects no subscriptions, not all of them');
      assert.deepEqual(await list({ apiIds: [], status: 'approved' }), []);
    });

    test('list pages through every matching subscription once', async (store) => {
      const created = [];
      for (let i = 0; i < 5; i++) {
        const app = await createApplication(store, `app${i}`);
        created.push(await store.subscriptions.create(pending(app.id, 'orders', { status: 'approved' }), T0 + (i % 2)));
        await store.subscriptions.create(pending(app.id, 'billing'), T0);
      }
      const pages = await allPages((page) => store.subscriptions.list({ status: 'approved', apiIds: ['orders'] }, page), 2);
      assert.deepEqual(pages.map((p) => p.length), [2, 2, 1]);
      assert.deepEqual(sorted(pages.flatMap(ids)), sorted(ids(created)));
    });

    test('update changes only the patched fields', async (store) => {
      const app = await createApplication(store);
      const approver = await createLocalUser(store);
      const sub = await store.subscriptions.create(pending(app.id, 'orders', { trusted: true }), T0);
      const approved = await store.subscriptions.update(
        sub.id,
        { status: 'approved', decidedBy: approver.id, decidedAt: T1, clientId: 'cid-new', clientSecretHash: '$argon2id$s' },
        T1,
      );
      assert.deepEqual(approved, {
        ...sub,
        status: 'approved',
        decidedBy: approver.id,
        decidedAt: T1,
        clientId: 'cid-new',
        clientSecretHash: '$argon2id$s',
        updatedAt: T1,
      });
      assert.deepEqual(await store.subscriptions.findByClientId('cid-new'), approved);

      const downgraded = await store.subscriptions.update(sub.id, { plan: 'bronze', trusted: false, clientSecretHash: null }, T1 + 1);
      assert.deepEqual(downgraded, { ...approved, plan: 'bronze', trusted: false, clientSecretHash: null, updatedAt: T1 + 1 });
      assert.equal(await store.subscriptions.update('no-such-subscription', { plan: 'x' }, T1), null);
    });

    test('update to a taken client id is a StoreConflictError', async (store) => {
      const app = await createApplication(store);
      await store.subscriptions.create(pending(app.id, 'orders', { clientId: 'taken' }), T0);
      const sub = await store.subscriptions.create(pending(app.id, 'billing', { clientId: 'mine' }), T0);
      await rejectsWithConflict(store.subscriptions.update(sub.id, { clientId: 'taken' }, T1));
      assert.deepEqual(await store.subscriptions.findById(sub.id), sub);
    });

    test('delete removes the subscription and its tokens once', async (store) => {
      const seed = await seedSubscription(store);
      const login = await seedFamily(store, seed);
      assert.equal(await store.subscriptions.delete(seed.subscription.id), true);
      assert.equal(await store.subscriptions.findById(seed.subscription.id), null);
      assert.equal(await store.subscriptions.findByClientId(seed.subscription.clientId ?? ''), null);
      assert.equal(await store.tokens.findFamily(login.family.id), null);
      assert.equal(await store.tokens.findRefreshToken(login.tokens.refreshToken.hash), null);
      assert.equal(await store.subscriptions.delete(seed.subscription.id), false);
      assert.ok(await store.applications.findById(seed.application.id), 'the application outlives its subscription');
    });
  });
}
