import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { AuditEvent, AuditFilter, NewAuditEvent, Store } from '../../../src/store/store.js';
import { T0 } from './fixtures.js';
import { allPages, ids, storeTest, type OpenStore } from './harness.js';

const SECOND = 1000;

/** Newest first; equal times in the store's own stable order, so compare as sets there. */
function assertNewestFirst(events: readonly AuditEvent[]): void {
  const times = events.map((e) => e.at);
  assert.deepEqual(times, [...times].sort((a, b) => b - a), 'newest first');
}

async function recordAll(store: Store, events: readonly NewAuditEvent[]): Promise<AuditEvent[]> {
  const recorded: AuditEvent[] = [];
  for (const event of events) recorded.push(await store.audit.record(event));
  return recorded;
}

export function auditStoreSuite(open: OpenStore): void {
  const test = storeTest(open);

  describe('audit', () => {
    test('record stores every field and returns the event with an id', async (store) => {
      const full = {
        at: T0,
        type: 'token.issued',
        actorUserId: 'admin-1',
        userId: 'user-1',
        applicationId: 'app-1',
        subscriptionId: 'sub-1',
        apiId: 'orders',
        familyId: 'fam-1',
        ip: '203.0.113.7',
        details: { grant: 'password', attempts: 2, nested: { ok: true, list: ['a', 'b'] }, none: null },
      };
      const event = await store.audit.record(full);
      assert.equal(typeof event.id, 'string');
      assert.ok(event.id.length > 0);
      assert.deepEqual(event, { ...full, id: event.id });
      assert.deepEqual((await store.audit.list({})).items, [event]);

      const bare = await store.audit.record({ at: T0 + 1, type: 'store.opened' });
      assert.deepEqual(bare, {
        id: bare.id,
        at: T0 + 1,
        type: 'store.opened',
        actorUserId: null,
        userId: null,
        applicationId: null,
        subscriptionId: null,
        apiId: null,
        familyId: null,
        ip: null,
        details: {},
      });
      assert.notEqual(bare.id, event.id);
      assert.deepEqual((await store.audit.list({})).items, [bare, event]);
    });

    test('list returns events newest first, whatever the order they were recorded in', async (store) => {
      const offsets = [3, 0, 5, 1, 4, 2];
      const recorded = await recordAll(store, offsets.map((i) => ({ at: T0 + i * SECOND, type: `e${i}` })));
      const listed = (await store.audit.list({})).items;
      assert.deepEqual(listed.map((e) => e.type), ['e5', 'e4', 'e3', 'e2', 'e1', 'e0']);
      assert.deepEqual(new Set(ids(listed)), new Set(ids(recorded)));
    });

    test('list applies every filter, alone and together', async (store) => {
      const base = { type: 'login.failed', actorUserId: 'a1', userId: 'u1', applicationId: 'app1', subscriptionId: 's1', apiId: 'orders' };
      const [all, otherType, otherActor, otherUser, otherApp, otherSub, otherApi, early, late] = await recordAll(store, [
        { ...base, at: T0 + 10 * SECOND },
        { ...base, at: T0 + 11 * SECOND, type: 'login.succeeded' },
        { ...base, at: T0 + 12 * SECOND, actorUserId: 'a2' },
        { ...base, at: T0 + 13 * SECOND, userId: 'u2' },
        { ...base, at: T0 + 14 * SECOND, applicationId: 'app2' },
        { ...base, at: T0 + 15 * SECOND, subscriptionId: 's2' },
        { ...base, at: T0 + 16 * SECOND, apiId: 'billing' },
        { ...base, at: T0 },
        { ...base, at: T0 + 100 * SECOND },
      ]);
      assert.ok(all && otherType && otherActor && otherUser && otherApp && otherSub && otherApi && early && late);
      const middle = [all, otherType, otherActor, otherUser, otherApp, otherSub, otherApi];
      const list = async (filter: AuditFilter) => new Set(ids((await store.audit.list(filter)).items));
      const except = (...excluded: AuditEvent[]) => new Set(ids([...middle, early, late].filter((e) => !excluded.includes(e))));

      assert.deepEqual(await list({ type: 'login.failed' }), except(otherType));
      assert.deepEqual(await list({ type: 'login.succeeded' }), new Set([otherType.id]));
      assert.deepEqual(await list({ actorUserId: 'a1' }), except(otherActor));
      assert.deepEqual(await list({ userId: 'u2' }), new Set([otherUser.id]));
      assert.deepEqual(await list({ applicationId: 'app1' }), except(otherApp));
      assert.deepEqual(await list({ subscriptionId: 's2' }), new Set([otherSub.id]));
      assert.deepEqual(await list({ apiId: 'orders' }), except(otherApi));
      assert.deepEqual(await list({ since: T0 + 5 * SECOND }), except(early));
      assert.deepEqual(await list({ until: T0 + 50 * SECOND }), except(late));
      assert.deepEqual(await list({ since: T0 + 5 * SECOND, until: T0 + 50 * SECOND }), new Set(ids(middle)));
      assert.deepEqual(await list({ since: T0 + 12 * SECOND + 500, until: T0 + 14 * SECOND + 500 }), new Set([otherUser.id, otherApp.id]));
      assert.deepEqual(await list({ ...base, since: T0 + 1, until: T0 + 50 * SECOND }), new Set([all.id]));
      assert.deepEqual(await list({ userId: 'nobody' }), new Set());

      const filtered = (await store.audit.list({ userId: 'u1' })).items;
      assertNewestFirst(filtered);
      assert.equal(filtered[0]?.id, late.id);
    });

    test('list pages newest first through every matching event once, equal times included', async (store) => {
      const events: NewAuditEvent[] = [];
      for (let i = 0; i < 8; i++) events.push({ at: T0 + Math.floor(i / 3) * SECOND, type: 'token.refreshed', userId: 'u1' });
      events.push({ at: T0 + 5 * SECOND, type: 'token.refreshed', userId: 'u2' });
      const recorded = await recordAll(store, events);

      const unpaged = (await store.audit.list({ userId: 'u1' })).items;
      assert.equal(unpaged.length, 8);
      const pages = await allPages((page) => store.audit.list({ userId: 'u1' }, page), 3);
      assert.deepEqual(pages.map((p) => p.length), [3, 3, 2]);
      const paged = pages.flat();
      assert.deepEqual(ids(paged), ids(unpaged), 'pages continue the same order');
      assertNewestFirst(paged);
      assert.deepEqual(new Set(ids(paged)), new Set(ids(recorded.filter((e) => e.userId === 'u1'))));

      const all = await allPages((page) => store.audit.list({}, page), 9);
      assert.deepEqual(all.map((p) => p.length), [9]);
    });

    test('latestForSubscriptions gives each subscription its newest event of the types asked', async (store) => {
      await recordAll(store, [
        { at: T0, type: 'subscription.created', subscriptionId: 's1', actorUserId: 'u1' },
        { at: T0 + 2 * SECOND, type: 'subscription.updated', subscriptionId: 's1', actorUserId: 'u2' },
        { at: T0 + 3 * SECOND, type: 'subscription.approved', subscriptionId: 's1', actorUserId: 'u3' },
        { at: T0 + SECOND, type: 'subscription.created', subscriptionId: 's2', actorUserId: 'u4' },
        { at: T0 + SECOND, type: 'subscription.created', subscriptionId: 's3', actorUserId: 'u5' },
      ]);
      const latest = await store.audit.latestForSubscriptions(['s1', 's2', 's4'], ['subscription.created', 'subscription.updated']);
      assert.deepEqual(
        latest.map((e) => [e.subscriptionId, e.actorUserId, e.type]).sort(),
        [['s1', 'u2', 'subscription.updated'], ['s2', 'u4', 'subscription.created']],
      );
      assert.deepEqual(await store.audit.latestForSubscriptions([], ['subscription.created']), []);
    });
  });
}
