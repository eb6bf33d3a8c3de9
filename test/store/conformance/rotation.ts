import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { RotationResult, Store, TokenPair } from '../../../src/store/store.js';
import { DAY, holderOf, HOUR, pairAt, seedFamily, seedSubscription, T0, tokenHash, tokenPair } from './fixtures.js';
import { storeTest, type OpenedStore, type OpenStore } from './harness.js';

const T1 = T0 + 10 * 60_000;

async function assertNotStored(store: Store, pair: TokenPair): Promise<void> {
  assert.equal(await store.tokens.findAccessToken(pair.accessToken.hash), null, 'the next access token was not stored');
  assert.equal(await store.tokens.findRefreshToken(pair.refreshToken.hash), null, 'the next refresh token was not stored');
}

/** Extra stores on the same data when the backend has them (other processes), else just `store`. */
async function storesFor(store: Store, opened: OpenedStore, peers: number): Promise<Store[]> {
  const stores = [store];
  if (opened.openPeer) for (let i = 0; i < peers; i++) stores.push(await opened.openPeer());
  // Warm every pool so that the calls below meet in the database, not in connection set-up.
  await Promise.all(stores.flatMap((s) => Array.from({ length: 5 }, () => s.ping())));
  return stores;
}

async function raceRotation(store: Store, opened: OpenedStore, callers: number): Promise<void> {
  const stores = await storesFor(store, opened, 3);
  try {
    const seed = await seedSubscription(store);
    const { family, tokens } = await seedFamily(store, seed);
    const presented = tokens.refreshToken.hash;
    const nexts = Array.from({ length: callers }, () => pairAt(T1));
    const settled = await Promise.allSettled(
      nexts.map((next, i) => (stores[i % stores.length] ?? store).tokens.rotateRefreshToken(presented, next, T1, holderOf(seed))),
    );
    const results: RotationResult[] = settled.map((s, i) => {
      if (s.status === 'rejected') assert.fail(`caller ${i} failed: ${String(s.reason)}`);
      return s.value;
    });

    const winners = results.flatMap((r, i) => (r.outcome === 'rotated' ? [i] : []));
    assert.equal(winners.length, 1, `exactly one of ${callers} rotates; outcomes: ${results.map((r) => r.outcome).join(',')}`);
    const winner = nexts[winners[0] ?? -1];
    assert.ok(winner);
    for (const [i, result] of results.entries()) {
      if (i === winners[0]) {
        assert.deepEqual(result, { outcome: 'rotated', family });
        continue;
      }
      assert.equal(result.outcome, 'already-consumed', `caller ${i}`);
      assert.ok(result.outcome === 'already-consumed');
      assert.equal(result.token.hash, presented);
      assert.equal(result.token.replacedBy, winner.refreshToken.hash, 'losers see who won');
    }

    const original = await store.tokens.findRefreshToken(presented);
    assert.equal(original?.consumedAt, T1);
    assert.equal(original?.replacedBy, winner.refreshToken.hash);
    const stored = await Promise.all(nexts.map((next) => store.tokens.findRefreshToken(next.refreshToken.hash)));
    const unconsumed = stored.filter((record) => record !== null && record.consumedAt === null);
    assert.equal(unconsumed.length, 1, 'one new refresh token in the family');
    assert.equal(unconsumed[0]?.hash, winner.refreshToken.hash);
    assert.equal(unconsumed[0]?.familyId, family.id);
    assert.equal(stored.filter((record) => record !== null).length, 1, 'the losers stored nothing');
    const access = await Promise.all(nexts.map((next) => store.tokens.findAccessToken(next.accessToken.hash)));
    assert.deepEqual(access.flatMap((record) => (record ? [record.hash] : [])), [winner.accessToken.hash]);

    assert.equal((await store.tokens.rotateRefreshToken(winner.refreshToken.hash, pairAt(T1 + 1), T1 + 1, holderOf(seed))).outcome, 'rotated');
  } finally {
    await Promise.all(stores.filter((s) => s !== store).map((s) => s.close()));
  }
}

export function rotationSuite(open: OpenStore): void {
  const test = storeTest(open);

  describe('refresh token rotation', () => {
    test('rotated: the presented token is consumed and the next pair joins its family', async (store) => {
      const seed = await seedSubscription(store);
      const { family, tokens } = await seedFamily(store, seed);
      const next = pairAt(T1);
      assert.deepEqual(await store.tokens.rotateRefreshToken(tokens.refreshToken.hash, next, T1, holderOf(seed)), { outcome: 'rotated', family });

      const consumed = await store.tokens.findRefreshToken(tokens.refreshToken.hash);
      assert.equal(consumed?.consumedAt, T1);
      assert.equal(consumed?.replacedBy, next.refreshToken.hash);
      assert.deepEqual(await store.tokens.findRefreshToken(next.refreshToken.hash), {
        hash: next.refreshToken.hash,
        familyId: family.id,
        createdAt: T1,
        expiresAt: next.refreshToken.expiresAt,
        consumedAt: null,
        replacedBy: null,
        family,
      });
      assert.deepEqual(await store.tokens.findAccessToken(next.accessToken.hash), {
        hash: next.accessToken.hash,
        familyId: family.id,
        createdAt: T1,
        expiresAt: next.accessToken.expiresAt,
        family,
      });
      assert.ok(await store.tokens.findAccessToken(tokens.accessToken.hash), 'rotation leaves earlier access tokens alone');
    });

    test('already-consumed: a rotated token reports what replaced it and changes nothing', async (store) => {
      const seed = await seedSubscription(store);
      const { family, tokens } = await seedFamily(store, seed);
      const next = pairAt(T1);
      await store.tokens.rotateRefreshToken(tokens.refreshToken.hash, next, T1, holderOf(seed));
      const replay = pairAt(T1 + 1);
      const result = await store.tokens.rotateRefreshToken(tokens.refreshToken.hash, replay, T1 + 1, holderOf(seed));
      assert.deepEqual(result, {
        outcome: 'already-consumed',
        token: {
          hash: tokens.refreshToken.hash,
          familyId: family.id,
          createdAt: T0,
          expiresAt: tokens.refreshToken.expiresAt,
          consumedAt: T1,
          replacedBy: next.refreshToken.hash,
          family,
        },
      });
      await assertNotStored(store, replay);
      assert.equal((await store.tokens.findRefreshToken(next.refreshToken.hash))?.consumedAt, null);
    });

    test('not-usable: an expired token', async (store) => {
      const seed = await seedSubscription(store);
      const { tokens } = await seedFamily(store, seed);
      const now = tokens.refreshToken.expiresAt + 1;
      const next = pairAt(now);
      const result = await store.tokens.rotateRefreshToken(tokens.refreshToken.hash, next, now, holderOf(seed));
      assert.equal(result.outcome, 'not-usable');
      assert.ok(result.outcome === 'not-usable');
      assert.equal(result.token.hash, tokens.refreshToken.hash);
      assert.equal(result.token.consumedAt, null);
      await assertNotStored(store, next);
      assert.equal((await store.tokens.findRefreshToken(tokens.refreshToken.hash))?.consumedAt, null);
    });

    test('not-usable: a token of a revoked family', async (store) => {
      const seed = await seedSubscription(store);
      const { family, tokens } = await seedFamily(store, seed);
      await store.tokens.revokeFamilies({ familyId: family.id }, 'reuse-detected', T1);
      const next = pairAt(T1 + 1);
      const result = await store.tokens.rotateRefreshToken(tokens.refreshToken.hash, next, T1 + 1, holderOf(seed));
      assert.equal(result.outcome, 'not-usable');
      assert.ok(result.outcome === 'not-usable');
      assert.equal(result.token.hash, tokens.refreshToken.hash);
      assert.equal(result.token.consumedAt, null);
      assert.deepEqual(result.token.family, { ...family, revokedAt: T1, revokedReason: 'reuse-detected' });
      await assertNotStored(store, next);
    });

    test('not-usable: an unexpired token of a family past its absolute expiry', async (store) => {
      const seed = await seedSubscription(store);
      const { family, tokens } = await seedFamily(store, seed, { expiresAt: T0 + HOUR });
      const now = T0 + 2 * HOUR;
      assert.ok(tokens.refreshToken.expiresAt > now);
      const next = pairAt(now);
      const result = await store.tokens.rotateRefreshToken(tokens.refreshToken.hash, next, now, holderOf(seed));
      assert.equal(result.outcome, 'not-usable');
      assert.ok(result.outcome === 'not-usable');
      assert.equal(result.token.familyId, family.id);
      assert.equal(result.token.consumedAt, null);
      await assertNotStored(store, next);
    });

    test('unknown: a hash the store never saw', async (store) => {
      const seed = await seedSubscription(store);
      const { tokens } = await seedFamily(store, seed);
      const next = pairAt(T1);
      assert.deepEqual(await store.tokens.rotateRefreshToken(tokenHash(), next, T1, holderOf(seed)), { outcome: 'unknown' });
      assert.deepEqual(await store.tokens.rotateRefreshToken(tokens.accessToken.hash, next, T1, holderOf(seed)), { outcome: 'unknown' });
      await assertNotStored(store, next);
    });

    test('rotations asked for together: one that fails takes none of the others with it, and leaves nothing behind', async (store) => {
      const seed = await seedSubscription(store);
      const [first, failing, last, bystander] = await Promise.all(Array.from({ length: 4 }, () => seedFamily(store, seed)));
      assert.ok(first && failing && last && bystander);
      const nexts = [pairAt(T1), pairAt(T1), pairAt(T1)] as const;
      // Its next refresh token collides with a stored one: the insert fails after its token was consumed.
      const colliding: TokenPair = { ...nexts[1], refreshToken: { ...nexts[1].refreshToken, hash: bystander.tokens.refreshToken.hash } };
      const [a, b, c] = await Promise.allSettled([
        store.tokens.rotateRefreshToken(first.tokens.refreshToken.hash, nexts[0], T1, holderOf(seed)),
        store.tokens.rotateRefreshToken(failing.tokens.refreshToken.hash, colliding, T1, holderOf(seed)),
        store.tokens.rotateRefreshToken(last.tokens.refreshToken.hash, nexts[2], T1, holderOf(seed)),
      ]);
      assert.deepEqual(a, { status: 'fulfilled', value: { outcome: 'rotated', family: first.family } });
      assert.deepEqual(c, { status: 'fulfilled', value: { outcome: 'rotated', family: last.family } });
      assert.equal(b.status, 'rejected');
      assert.equal((await store.tokens.findRefreshToken(nexts[0].refreshToken.hash))?.familyId, first.family.id);
      assert.equal((await store.tokens.findRefreshToken(nexts[2].refreshToken.hash))?.familyId, last.family.id);
      assert.equal((await store.tokens.findRefreshToken(failing.tokens.refreshToken.hash))?.consumedAt, null, 'the failed rotation consumed nothing');
      assert.equal(await store.tokens.findAccessToken(nexts[1].accessToken.hash), null, 'nor stored its access token');
      assert.equal((await store.tokens.rotateRefreshToken(failing.tokens.refreshToken.hash, pairAt(T1 + 1), T1 + 1, holderOf(seed))).outcome, 'rotated');
    });

    test('rotations asked for together: each caller gets its own outcome, a token shown twice rotates once', async (store) => {
      const seed = await seedSubscription(store);
      const disabled = await seedSubscription(store, 'billing');
      const [usable, twice, consumed, stranger] = await Promise.all(Array.from({ length: 4 }, () => seedFamily(store, seed)));
      const ofDisabled = await seedFamily(store, disabled);
      assert.ok(usable && twice && consumed && stranger);
      const earlier = pairAt(T1 - 1);
      assert.equal((await store.tokens.rotateRefreshToken(consumed.tokens.refreshToken.hash, earlier, T1 - 1, holderOf(seed))).outcome, 'rotated');
      await store.users.update(disabled.user.id, { disabled: true }, T1 - 1);
      const nexts = Array.from({ length: 7 }, () => pairAt(T1));
      const asked = [
        [usable.tokens.refreshToken.hash, holderOf(seed)],
        [twice.tokens.refreshToken.hash, holderOf(seed)],
        [consumed.tokens.refreshToken.hash, holderOf(seed)],
        [stranger.tokens.refreshToken.hash, { ...holderOf(seed), apiId: 'billing' }],
        [tokenHash(), holderOf(seed)],
        [twice.tokens.refreshToken.hash, holderOf(seed)],
        [ofDisabled.tokens.refreshToken.hash, holderOf(disabled)],
      ] as const;
      const results = await Promise.all(asked.map(([presented, holder], i) => store.tokens.rotateRefreshToken(presented, nexts[i]!, T1, holder)));

      assert.deepEqual(results[0], { outcome: 'rotated', family: usable.family });
      const twiceOutcomes = [results[1], results[5]].map((r) => r?.outcome).sort();
      assert.deepEqual(twiceOutcomes, ['already-consumed', 'rotated'], 'a token shown twice rotates once');
      const [winner, loser] = results[1]?.outcome === 'rotated' ? [nexts[1]!, results[5]] : [nexts[5]!, results[1]];
      assert.ok(loser?.outcome === 'already-consumed');
      assert.equal(loser.token.replacedBy, winner.refreshToken.hash, 'the repeat sees who won');
      assert.ok(results[2]?.outcome === 'already-consumed');
      assert.equal(results[2].token.replacedBy, earlier.refreshToken.hash);
      assert.deepEqual(results[3], { outcome: 'unknown' });
      assert.deepEqual(results[4], { outcome: 'unknown' });
      assert.equal(results[6]?.outcome, 'not-usable');

      for (const i of [2, 3, 4, 6]) await assertNotStored(store, nexts[i]!);
      assert.equal((await store.tokens.findRefreshToken(nexts[0]!.refreshToken.hash))?.familyId, usable.family.id);
      assert.equal((await store.tokens.findAccessToken(winner.accessToken.hash))?.familyId, twice.family.id);
      assert.equal((await store.tokens.findRefreshToken(stranger.tokens.refreshToken.hash))?.consumedAt, null, 'not consumed by a stranger');
    });

    test('a chain of rotations stays in one family until its absolute expiry', async (store) => {
      const seed = await seedSubscription(store);
      const { family, tokens } = await seedFamily(store, seed, { expiresAt: T0 + 3 * DAY });
      let presented = tokens.refreshToken.hash;
      for (let step = 1; step <= 5; step++) {
        const now = T0 + step * 12 * HOUR;
        const next = pairAt(now);
        assert.deepEqual(await store.tokens.rotateRefreshToken(presented, next, now, holderOf(seed)), { outcome: 'rotated', family }, `step ${step}`);
        presented = next.refreshToken.hash;
      }
      const late = T0 + 3 * DAY + 1;
      const last = await store.tokens.findRefreshToken(presented);
      assert.equal(last?.expiresAt, family.expiresAt, 'the last pair was minted for longer; stored, it ends with its family');
      assert.equal((await store.tokens.rotateRefreshToken(presented, pairAt(late), late, holderOf(seed))).outcome, 'not-usable');
    });

    test('the next pair never outlives its family: its expiries are capped at the family end', async (store) => {
      const seed = await seedSubscription(store);
      const { family, tokens } = await seedFamily(store, seed, { expiresAt: T1 + HOUR / 2 });
      const next = pairAt(T1);
      assert.ok(next.accessToken.expiresAt > family.expiresAt && next.refreshToken.expiresAt > family.expiresAt);
      assert.deepEqual(await store.tokens.rotateRefreshToken(tokens.refreshToken.hash, next, T1, holderOf(seed)), { outcome: 'rotated', family });
      assert.equal((await store.tokens.findAccessToken(next.accessToken.hash))?.expiresAt, family.expiresAt);
      assert.equal((await store.tokens.findRefreshToken(next.refreshToken.hash))?.expiresAt, family.expiresAt);
      // A pair within the family's life is stored as given.
      const shortLived = tokenPair(T1 + 60_000, T1 + 120_000);
      await store.tokens.rotateRefreshToken(next.refreshToken.hash, shortLived, T1 + 1, holderOf(seed));
      assert.equal((await store.tokens.findAccessToken(shortLived.accessToken.hash))?.expiresAt, T1 + 60_000);
      assert.equal((await store.tokens.findRefreshToken(shortLived.refreshToken.hash))?.expiresAt, T1 + 120_000);
    });

    test('unknown: a token presented by another subscription, API or auth method, consumed or not; nothing changes', async (store) => {
      const seed = await seedSubscription(store);
      const other = await seedSubscription(store, 'billing');
      const { tokens } = await seedFamily(store, seed);
      const holder = holderOf(seed);
      const strangers = [
        { ...holder, subscriptionId: other.subscription.id },
        { ...holder, apiId: 'billing' },
        { ...holder, authMethod: 'corporate-sso' },
      ];
      for (const stranger of strangers) {
        const next = pairAt(T1);
        assert.deepEqual(await store.tokens.rotateRefreshToken(tokens.refreshToken.hash, next, T1, stranger), { outcome: 'unknown' });
        await assertNotStored(store, next);
      }
      assert.equal((await store.tokens.findRefreshToken(tokens.refreshToken.hash))?.consumedAt, null, 'not consumed by a stranger');
      const next = pairAt(T1);
      assert.equal((await store.tokens.rotateRefreshToken(tokens.refreshToken.hash, next, T1, holder)).outcome, 'rotated');
      for (const stranger of strangers) {
        assert.deepEqual(await store.tokens.rotateRefreshToken(tokens.refreshToken.hash, pairAt(T1 + 1), T1 + 1, stranger), { outcome: 'unknown' });
      }
    });

    test('not-usable: a token of a disabled user, consumed or not; re-enabled, it rotates again', async (store) => {
      const seed = await seedSubscription(store);
      const { family, tokens } = await seedFamily(store, seed);
      const rotatedOnce = await seedFamily(store, seed);
      assert.equal((await store.tokens.rotateRefreshToken(rotatedOnce.tokens.refreshToken.hash, pairAt(T1), T1, holderOf(seed))).outcome, 'rotated');
      await store.users.update(seed.user.id, { disabled: true }, T1);
      const next = pairAt(T1 + 1);
      const result = await store.tokens.rotateRefreshToken(tokens.refreshToken.hash, next, T1 + 1, holderOf(seed));
      assert.equal(result.outcome, 'not-usable');
      assert.ok(result.outcome === 'not-usable');
      assert.equal(result.token.familyId, family.id);
      assert.equal(result.token.consumedAt, null);
      await assertNotStored(store, next);
      const replay = await store.tokens.rotateRefreshToken(rotatedOnce.tokens.refreshToken.hash, pairAt(T1 + 1), T1 + 1, holderOf(seed));
      assert.equal(replay.outcome, 'not-usable', 'no reuse verdict for a disabled user');
      await store.users.update(seed.user.id, { disabled: false }, T1 + 2);
      assert.equal((await store.tokens.rotateRefreshToken(tokens.refreshToken.hash, next, T1 + 2, holderOf(seed))).outcome, 'rotated');
    });

    for (const callers of [20, 50]) {
      test(`${callers} concurrent rotations of one token: exactly one rotates`, (store, opened) =>
        raceRotation(store, opened, callers));
    }
  });
}
