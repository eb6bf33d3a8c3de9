import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AccessTokenVerifier } from '../../src/domain/access-token-verifier.js';
import { hashTokenValue } from '../../src/domain/token-values.js';
import type { AccessTokenRecord, Subscription } from '../../src/store/store.js';

// The gateway's token cache against a store whose lookups the test holds open, so that a
// revocation can arrive while a lookup is in flight: the race the cache must not lose.

const NOW = 1_800_000_000_000;

function record(familyId: string): AccessTokenRecord {
  return {
    hash: 'h',
    familyId,
    createdAt: NOW - 1000,
    expiresAt: NOW + 600_000,
    family: {
      id: familyId,
      grantType: 'password',
      subscriptionId: 'sub-1',
      applicationId: 'app-1',
      apiId: 'orders',
      authMethod: 'local',
      userId: 'user-1',
      scope: 'read',
      createdAt: NOW - 1000,
      expiresAt: NOW + 3_600_000,
      revokedAt: null,
      revokedReason: null,
    },
  };
}

/** A verifier whose store answers each lookup only when the test releases it. */
function heldVerifier() {
  const pending: Array<() => void> = [];
  let lookups = 0;
  const verifier = new AccessTokenVerifier({
    tokens: {
      findAccessToken: async (hash) => {
        lookups += 1;
        await new Promise<void>((resolve) => pending.push(resolve));
        return hash === hashTokenValue('token-a') ? record('family-a') : null;
      },
    },
    subscriptions: {
      findById: async () => ({ id: 'sub-1', status: 'approved', clientId: 'client-1', plan: 'basic' }) as Subscription,
    },
    now: () => NOW,
    maxEntries: 100,
    ttlMs: 30_000,
  });
  return {
    verifier,
    lookups: () => lookups,
    async release() {
      while (pending.length === 0) await new Promise((resolve) => setImmediate(resolve));
      pending.shift()?.();
    },
  };
}

describe('the access-token cache', () => {
  it('a revocation of another family during a lookup does not stop the answer being cached', async () => {
    const held = heldVerifier();
    const first = held.verifier.verify('token-a', 'orders');
    held.verifier.evictFamilies(['family-of-someone-else']);
    await held.release();
    assert.equal((await first).active, true);
    const second = held.verifier.verify('token-a', 'orders');
    if (held.lookups() > 1) await held.release(); // a cache that missed: let it finish, and fail below
    assert.equal((await second).active, true);
    assert.equal(held.lookups(), 1, 'the second check was answered by the cache');
    assert.equal(held.verifier.cacheHits, 1);
  });

  it('a revocation of the token\'s own family during its lookup: answered once, not cached', async () => {
    const held = heldVerifier();
    const first = held.verifier.verify('token-a', 'orders');
    held.verifier.evictFamilies(['family-a']);
    await held.release();
    assert.equal((await first).active, true, 'the lookup read the family before it was revoked');
    const second = held.verifier.verify('token-a', 'orders');
    await held.release();
    await second;
    assert.equal(held.lookups(), 2, 'the second check asked the store again');
  });

  it('messages possibly missed during a lookup: its answer is not cached', async () => {
    const held = heldVerifier();
    const first = held.verifier.verify('token-a', 'orders');
    held.verifier.evictAll();
    await held.release();
    await first;
    const second = held.verifier.verify('token-a', 'orders');
    await held.release();
    await second;
    assert.equal(held.lookups(), 2);
  });

  it('a revocation before the lookup started does not count against it', async () => {
    const held = heldVerifier();
    held.verifier.evictFamilies(['family-a']);
    const first = held.verifier.verify('token-a', 'orders');
    await held.release();
    await first;
    const second = held.verifier.verify('token-a', 'orders');
    if (held.lookups() > 1) await held.release();
    await second;
    assert.equal(held.lookups(), 1);
  });

  it('check answers a cached token at once, and a miss with one store lookup', async () => {
    const held = heldVerifier();
    const miss = held.verifier.check('token-a', 'orders');
    assert.ok(miss instanceof Promise, 'a miss waits for the store');
    await held.release();
    assert.equal((await miss).active, true);
    const hit = held.verifier.check('token-a', 'orders');
    assert.ok(!(hit instanceof Promise), 'a hit is answered without a promise');
    assert.deepEqual([hit.active, hit.active && hit.token.familyId], [true, 'family-a']);
    const otherApi = held.verifier.check('token-a', 'billing');
    assert.deepEqual(otherApi, { active: false, reason: 'other_api' });
    assert.deepEqual([held.lookups(), held.verifier.cacheMisses, held.verifier.cacheHits], [1, 1, 2]);
  });
});
