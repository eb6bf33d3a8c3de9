import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { TokenFamily } from '../../../src/store/store.js';
import { DAY, holderOf, HOUR, newFamily, pairAt, seedFamily, seedSubscription, T0, tokenHash, tokenPair } from './fixtures.js';
import { allPages, ids, rejectsWithMissingReference, sorted, storeTest, type OpenStore } from './harness.js';

const T1 = T0 + 10 * 60_000;

export function tokenStoreSuite(open: OpenStore): void {
  const test = storeTest(open);

  describe('tokens', () => {
    test('createFamily starts a login whose tokens are found by hash with their family', async (store) => {
      const seed = await seedSubscription(store);
      const input = newFamily(seed);
      const tokens = tokenPair(T0 + HOUR, T0 + DAY);
      const family = await store.tokens.createFamily(input, tokens);
      assert.deepEqual(family, { ...input, grantType: 'password', revokedAt: null, revokedReason: null });
      assert.deepEqual(await store.tokens.findFamily(family.id), family);

      assert.deepEqual(await store.tokens.findAccessToken(tokens.accessToken.hash), {
        hash: tokens.accessToken.hash,
        familyId: family.id,
        createdAt: T0,
        expiresAt: T0 + HOUR,
        family,
      });
      assert.deepEqual(await store.tokens.findRefreshToken(tokens.refreshToken.hash), {
        hash: tokens.refreshToken.hash,
        familyId: family.id,
        createdAt: T0,
        expiresAt: T0 + DAY,
        consumedAt: null,
        replacedBy: null,
        family,
      });
    });

    test('a family without a user or refresh token (client credentials) is found, listed, revoked and cleaned up', async (store) => {
      const seed = await seedSubscription(store);
      const input = newFamily(seed, { userId: null, expiresAt: T0 + HOUR });
      const accessToken = tokenPair(T0 + HOUR, T0 + HOUR).accessToken;
      const family = await store.tokens.createFamily(input, { accessToken });
      assert.equal(family.userId, null);
      assert.deepEqual(await store.tokens.findFamily(family.id), family);
      assert.deepEqual(await store.tokens.findAccessToken(accessToken.hash), { hash: accessToken.hash, familyId: family.id, createdAt: T0, expiresAt: T0 + HOUR, family });
      assert.equal(await store.tokens.findRefreshToken(accessToken.hash), null);
      assert.deepEqual(ids((await store.tokens.listActiveFamilies({ applicationId: family.applicationId }, T1)).items), [family.id]);
      assert.deepEqual(await store.tokens.revokeFamilies({ userId: seed.user.id }, 'user', T1), [], 'a user selector never reaches it');
      assert.deepEqual(await store.tokens.revokeFamilies({ subscriptionId: seed.subscription.id }, 'withdrawn', T1), [family.id]);
      assert.equal((await store.tokens.findAccessToken(accessToken.hash))?.family.revokedAt, T1);
      assert.equal(await store.tokens.deleteExpired(T1), 1, 'the revoked family (its access token goes with it)');
      assert.equal(await store.tokens.findAccessToken(accessToken.hash), null);
    });

    test('lookups of unknown ids and hashes return null, and token kinds do not mix', async (store) => {
      const seed = await seedSubscription(store);
      const { tokens } = await seedFamily(store, seed);
      assert.equal(await store.tokens.findFamily('no-such-family'), null);
      assert.equal(await store.tokens.findAccessToken(tokenHash()), null);
      assert.equal(await store.tokens.findRefreshToken(tokenHash()), null);
      assert.equal(await store.tokens.findAccessToken(tokens.refreshToken.hash), null, 'a refresh token is no access token');
      assert.equal(await store.tokens.findRefreshToken(tokens.accessToken.hash), null, 'an access token is no refresh token');
    });

    test('createFamily is all or nothing', async (store) => {
      const seed = await seedSubscription(store);
      const first = await seedFamily(store, seed);
      const clash = newFamily(seed);
      await assert.rejects(store.tokens.createFamily(clash, { ...pairAt(T0), refreshToken: first.tokens.refreshToken }));
      assert.equal(await store.tokens.findFamily(clash.id), null);

      const orphan = newFamily(seed, { subscriptionId: 'no-such-subscription' });
      const orphanTokens = pairAt(T0);
      await rejectsWithMissingReference(store.tokens.createFamily(orphan, orphanTokens));
      assert.equal(await store.tokens.findFamily(orphan.id), null);
      assert.equal(await store.tokens.findAccessToken(orphanTokens.accessToken.hash), null);
      const noUser = newFamily(seed, { userId: 'no-such-user' });
      await rejectsWithMissingReference(store.tokens.createFamily(noUser, pairAt(T0)));
      assert.equal(await store.tokens.findFamily(noUser.id), null);
    });

    test('createFamily with an audit row stores both or neither', async (store) => {
      const seed = await seedSubscription(store);
      const login = newFamily(seed);
      const audit = (familyId: string) => ({
        type: 'login.granted',
        at: T0,
        ip: '192.0.2.7',
        userId: seed.user.id,
        familyId,
        applicationId: seed.application.id,
        subscriptionId: seed.subscription.id,
        apiId: seed.subscription.apiId,
        details: { clientId: seed.subscription.clientId },
      });
      const auditOf = async (familyId: string) =>
        (await store.audit.list({ subscriptionId: seed.subscription.id })).items.filter((event) => event.familyId === familyId);
      const tokens = pairAt(T0);
      await store.tokens.createFamily(login, tokens, audit(login.id));
      assert.equal((await store.tokens.findAccessToken(tokens.accessToken.hash))?.familyId, login.id);
      const recorded = await auditOf(login.id);
      assert.equal(recorded.length, 1);
      assert.deepEqual({ ...recorded[0], id: undefined }, { ...audit(login.id), actorUserId: null, id: undefined });

      const clash = newFamily(seed);
      await assert.rejects(store.tokens.createFamily(clash, { ...pairAt(T0), refreshToken: tokens.refreshToken }, audit(clash.id)));
      assert.deepEqual(await auditOf(clash.id), [], 'no audit row for a login that did not start');
      const noUser = newFamily(seed, { userId: 'no-such-user' });
      await rejectsWithMissingReference(store.tokens.createFamily(noUser, pairAt(T0), audit(noUser.id)));
      assert.deepEqual(await auditOf(noUser.id), []);
    });

    test('addTokens adds a pair to a live family without consuming anything', async (store) => {
      const seed = await seedSubscription(store);
      const { family, tokens } = await seedFamily(store, seed);
      const extra = tokenPair(T1 + HOUR, T1 + DAY);
      assert.equal(await store.tokens.addTokens(family.id, extra, null, T1), true);
      assert.deepEqual(await store.tokens.findAccessToken(extra.accessToken.hash), {
        hash: extra.accessToken.hash, familyId: family.id, createdAt: T1, expiresAt: T1 + HOUR, family,
      });
      const refresh = await store.tokens.findRefreshToken(extra.refreshToken.hash);
      assert.equal(refresh?.familyId, family.id);
      assert.equal(refresh?.createdAt, T1);
      assert.equal(refresh?.consumedAt, null);
      assert.equal((await store.tokens.findRefreshToken(tokens.refreshToken.hash))?.consumedAt, null);
    });

    test('addTokens with `replacing` retires that refresh token in favour of the new one', async (store) => {
      // The grace-window retry: A was rotated to B, whose response was lost; the client presents A again.
      const seed = await seedSubscription(store);
      const { family, tokens: a } = await seedFamily(store, seed);
      const b = pairAt(T1);
      assert.equal((await store.tokens.rotateRefreshToken(a.refreshToken.hash, b, T1, holderOf(seed))).outcome, 'rotated');
      const c = pairAt(T1 + 1);
      assert.equal(await store.tokens.addTokens(family.id, c, b.refreshToken.hash, T1 + 1), true);

      const retired = await store.tokens.findRefreshToken(b.refreshToken.hash);
      assert.equal(retired?.consumedAt, T1 + 1);
      assert.equal(retired?.replacedBy, c.refreshToken.hash);
      const original = await store.tokens.findRefreshToken(a.refreshToken.hash);
      assert.equal(original?.consumedAt, T1, 'an already consumed token keeps its record');
      assert.equal(original?.replacedBy, b.refreshToken.hash);
      assert.equal((await store.tokens.findRefreshToken(c.refreshToken.hash))?.consumedAt, null);
      assert.equal((await store.tokens.rotateRefreshToken(b.refreshToken.hash, pairAt(T1 + 2), T1 + 2, holderOf(seed))).outcome, 'already-consumed');

      const d = pairAt(T1 + 3);
      // Replacing a token that was consumed meanwhile (the grace retry lost a race with a
      // rotation of the successor) adds nothing: a second live branch would escape reuse detection.
      assert.equal(await store.tokens.addTokens(family.id, d, a.refreshToken.hash, T1 + 3), false);
      assert.equal(await store.tokens.findRefreshToken(d.refreshToken.hash), null, 'no second branch');
      const stillA = await store.tokens.findRefreshToken(a.refreshToken.hash);
      assert.equal(stillA?.consumedAt, T1, 'replacing a consumed token changes nothing');
      assert.equal(stillA?.replacedBy, b.refreshToken.hash);

      const other = await seedFamily(store, seed);
      await store.tokens.addTokens(family.id, pairAt(T1 + 4), other.tokens.refreshToken.hash, T1 + 4);
      assert.equal((await store.tokens.findRefreshToken(other.tokens.refreshToken.hash))?.consumedAt, null, 'other families are untouched');
    });

    test('addTokens refuses a revoked, expired or unknown family', async (store) => {
      const seed = await seedSubscription(store);
      const revoked = await seedFamily(store, seed);
      await store.tokens.revokeFamilies({ familyId: revoked.family.id }, 'logout', T1);
      const expired = await seedFamily(store, seed, { expiresAt: T0 + HOUR });
      for (const [familyId, replacing] of [
        [revoked.family.id, revoked.tokens.refreshToken.hash],
        [expired.family.id, expired.tokens.refreshToken.hash],
        ['no-such-family', null],
      ] as const) {
        const tokens = pairAt(T0 + 2 * HOUR);
        assert.equal(await store.tokens.addTokens(familyId, tokens, replacing, T0 + 2 * HOUR), false);
        assert.equal(await store.tokens.findAccessToken(tokens.accessToken.hash), null);
        assert.equal(await store.tokens.findRefreshToken(tokens.refreshToken.hash), null);
        if (replacing !== null) assert.equal((await store.tokens.findRefreshToken(replacing))?.consumedAt, null);
      }
    });

    test('revokeFamilies revokes by each selector and returns only the families it revoked', async (store) => {
      const one = await seedSubscription(store, 'orders');
      const billing = await store.subscriptions.create(
        { applicationId: one.application.id, apiId: 'billing', plan: 'default', trusted: true, status: 'approved' },
        T0,
      );
      const two = await seedSubscription(store, 'orders');
      const u1 = one.user;
      const u2 = two.user;
      const f1 = (await seedFamily(store, { user: u1, subscription: one.subscription })).family;
      const f2 = (await seedFamily(store, { user: u2, subscription: one.subscription })).family;
      const f3 = (await seedFamily(store, { user: u1, subscription: billing })).family;
      const f4 = (await seedFamily(store, { user: u1, subscription: two.subscription })).family;
      const f5 = (await seedFamily(store, { user: u2, subscription: two.subscription })).family;

      assert.deepEqual(await store.tokens.revokeFamilies({ familyId: f1.id }, 'logout', T1), [f1.id]);
      assert.deepEqual(await store.tokens.revokeFamilies({ familyId: f1.id }, 'again', T1 + 1), []);
      assert.deepEqual(sorted(await store.tokens.revokeFamilies({ userId: u1.id }, 'password-changed', T1 + 2)), sorted([f3.id, f4.id]));
      assert.deepEqual(await store.tokens.revokeFamilies({ subscriptionId: one.subscription.id }, 'unsubscribed', T1 + 3), [f2.id]);
      assert.deepEqual(await store.tokens.revokeFamilies({ applicationId: two.application.id }, 'app-disabled', T1 + 4), [f5.id]);
      assert.deepEqual(await store.tokens.revokeFamilies({ applicationId: one.application.id }, 'app-disabled', T1 + 5), []);
      assert.deepEqual(await store.tokens.revokeFamilies({ userId: 'no-such-user' }, 'x', T1 + 6), []);

      const expected = [
        [f1, T1, 'logout'],
        [f3, T1 + 2, 'password-changed'],
        [f4, T1 + 2, 'password-changed'],
        [f2, T1 + 3, 'unsubscribed'],
        [f5, T1 + 4, 'app-disabled'],
      ] as const;
      for (const [family, revokedAt, revokedReason] of expected) {
        assert.deepEqual(await store.tokens.findFamily(family.id), { ...family, revokedAt, revokedReason });
      }
    });

    test('revokeFamilies leaves unselected families alone', async (store) => {
      const seed = await seedSubscription(store);
      const other = await seedSubscription(store);
      const target = await seedFamily(store, seed);
      const bystander = await seedFamily(store, other);
      assert.deepEqual(await store.tokens.revokeFamilies({ userId: seed.user.id }, 'logout', T1), [target.family.id]);
      assert.deepEqual(await store.tokens.findFamily(bystander.family.id), bystander.family);
    });

    test('listActiveFamilies lists live families newest first, filtered and paged', async (store) => {
      const one = await seedSubscription(store, 'orders');
      const two = await seedSubscription(store, 'orders');
      const now = T0 + DAY;
      const live: TokenFamily[] = [];
      for (let i = 0; i < 5; i++) live.push((await seedFamily(store, one, { createdAt: T0 + i * HOUR })).family);
      const tie = (await seedFamily(store, one, { createdAt: T0 + 2 * HOUR })).family; // same createdAt as live[2]
      const otherUser = (await seedFamily(store, { user: two.user, subscription: one.subscription }, { createdAt: T0 + 6 * HOUR })).family;
      const otherApp = (await seedFamily(store, two, { createdAt: T0 + 7 * HOUR })).family;
      const revoked = (await seedFamily(store, one, { createdAt: T0 + 8 * HOUR })).family;
      await store.tokens.revokeFamilies({ familyId: revoked.id }, 'logout', T0 + 9 * HOUR);
      await seedFamily(store, one, { createdAt: T0 + 9 * HOUR, expiresAt: now - 1 }); // past its absolute expiry

      const all = (await store.tokens.listActiveFamilies({}, now)).items;
      assert.deepEqual(sorted(ids(all)), sorted(ids([...live, tie, otherUser, otherApp])));
      const createdAts = all.map((f) => f.createdAt);
      assert.deepEqual(createdAts, [...createdAts].sort((a, b) => b - a), 'newest first');
      assert.equal(all[0]?.id, otherApp.id);
      assert.deepEqual(all.find((f) => f.id === live[0]?.id), live[0]);

      const forUser = await store.tokens.listActiveFamilies({ userId: one.user.id }, now);
      assert.deepEqual(sorted(ids(forUser.items)), sorted(ids([...live, tie])));
      const forApp = await store.tokens.listActiveFamilies({ applicationId: two.application.id }, now);
      assert.deepEqual(ids(forApp.items), [otherApp.id]);
      const forSub = await store.tokens.listActiveFamilies({ subscriptionId: one.subscription.id }, now);
      assert.deepEqual(sorted(ids(forSub.items)), sorted(ids([...live, tie, otherUser])));
      const combined = await store.tokens.listActiveFamilies({ userId: two.user.id, subscriptionId: one.subscription.id }, now);
      assert.deepEqual(ids(combined.items), [otherUser.id]);

      const pages = await allPages((page) => store.tokens.listActiveFamilies({ userId: one.user.id }, now, page), 2);
      assert.deepEqual(pages.map((p) => p.length), [2, 2, 2]);
      const paged = pages.flat();
      assert.deepEqual(ids(paged), ids(forUser.items), 'pages continue the same newest-first order');

      const later = await store.tokens.listActiveFamilies({}, T0 + 30 * DAY + 1);
      assert.deepEqual(later.items, [], 'every family is past its absolute expiry');
    });

    test('deleteExpired removes what nobody can use any more and keeps the rest', async (store) => {
      const seed = await seedSubscription(store);
      const now = T0 + 2 * DAY;
      const live = await seedFamily(store, seed, { createdAt: T0 });
      const fresh = tokenPair(now + HOUR, now + DAY);
      assert.equal((await store.tokens.rotateRefreshToken(live.tokens.refreshToken.hash, fresh, T0 + HOUR, holderOf(seed))).outcome, 'rotated');
      const expired = await seedFamily(store, seed, { expiresAt: T0 + DAY });
      const revoked = await seedFamily(store, seed, { createdAt: now - HOUR });
      await store.tokens.revokeFamilies({ familyId: revoked.family.id }, 'logout', now - HOUR);

      const deleted = await store.tokens.deleteExpired(now);
      assert.ok(deleted > 0, `expected deletions, got ${deleted}`);
      for (const gone of [expired, revoked]) {
        assert.equal(await store.tokens.findFamily(gone.family.id), null);
        assert.equal(await store.tokens.findAccessToken(gone.tokens.accessToken.hash), null);
        assert.equal(await store.tokens.findRefreshToken(gone.tokens.refreshToken.hash), null);
      }
      assert.equal(await store.tokens.findAccessToken(live.tokens.accessToken.hash), null, 'expired access token');
      assert.equal(await store.tokens.findRefreshToken(live.tokens.refreshToken.hash), null, 'expired refresh token');
      assert.deepEqual(await store.tokens.findFamily(live.family.id), live.family);
      assert.equal((await store.tokens.findAccessToken(fresh.accessToken.hash))?.familyId, live.family.id);
      assert.equal((await store.tokens.findRefreshToken(fresh.refreshToken.hash))?.consumedAt, null);

      assert.equal(await store.tokens.deleteExpired(now), 0, 'nothing left to delete');
      assert.equal((await store.tokens.rotateRefreshToken(fresh.refreshToken.hash, pairAt(now), now, holderOf(seed))).outcome, 'rotated');
    });
  });
}
