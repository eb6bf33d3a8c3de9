import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { LATEST_MIGRATION } from '../../../src/store/sql/migrations.js';
import { DAY, holderOf, HOUR, newFamily, seedSubscription, T0, tokenHash, tokenPair } from './fixtures.js';
import { storeTest, type OpenStore } from './harness.js';

// Token values and client secrets never reach the store: the domain hands it SHA-256 digests and
// password hashes, and the store must give back exactly those, untransformed.
export function basicsSuite(open: OpenStore): void {
  const test = storeTest(open);

  describe('store', () => {
    test('ping resolves while the database is reachable', async (store) => {
      await store.ping();
      assert.ok(store.kind === 'sqlite' || store.kind === 'postgres');
    });

    test('an opened store is fully migrated: migrate applies nothing and every migration is listed once', async (store) => {
      const applied = await store.appliedMigrations();
      assert.ok(applied.length > 0);
      assert.equal(applied.at(-1), LATEST_MIGRATION);
      assert.equal(new Set(applied).size, applied.length);
      assert.deepEqual(await store.migrate(), []);
      assert.deepEqual(await store.appliedMigrations(), applied);
    });

    test('hashes come back exactly as they were given', async (store) => {
      const passwordHash = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo';
      const user = await store.users.create({ authMethod: 'local', email: 'hash@example.com', passwordHash }, T0);
      assert.equal((await store.users.findLocalByLogin('hash@example.com'))?.passwordHash, passwordHash);

      const seed = await seedSubscription(store);
      const secretHash = '$argon2id$v=19$m=19456,t=2,p=1$c2VjcmV0$c2VjcmV0aGFzaA';
      const sub = await store.subscriptions.update(seed.subscription.id, { clientSecretHash: secretHash }, T0);
      assert.equal(sub?.clientSecretHash, secretHash);
      assert.equal((await store.subscriptions.findByClientId(seed.subscription.clientId ?? ''))?.clientSecretHash, secretHash);

      const access = tokenHash();
      const refresh = tokenHash();
      const family = newFamily({ user, subscription: seed.subscription });
      await store.tokens.createFamily(family, {
        accessToken: { hash: access, expiresAt: T0 + HOUR },
        refreshToken: { hash: refresh, expiresAt: T0 + DAY },
      });
      assert.equal((await store.tokens.findAccessToken(access))?.hash, access);
      assert.equal((await store.tokens.findRefreshToken(refresh))?.hash, refresh);
      assert.equal(await store.tokens.findAccessToken(access.toUpperCase()), null, 'hashes are compared exactly');

      const next = tokenPair(T0 + 2 * HOUR, T0 + 2 * DAY);
      const rotated = await store.tokens.rotateRefreshToken(refresh, next, T0 + 1, holderOf(seed));
      assert.equal(rotated.outcome, 'rotated');
      assert.equal((await store.tokens.findRefreshToken(refresh))?.replacedBy, next.refreshToken.hash);
    });
  });
}
