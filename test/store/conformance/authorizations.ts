import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe } from 'node:test';
import type { AuthorizationCode, CodeIssue, NewAuthorizationCode, Store } from '../../../src/store/store.js';
import { holderOf, MINUTE, newFamily, pairAt, seedSubscription, SECOND, T0, tokenHash, type Seed } from './fixtures.js';
import { storeTest, type OpenStore } from './harness.js';

// RFC 6749 §4.1: authorization requests, codes and consents, and redirect URIs.

function newCode(seed: Seed, overrides: Partial<NewAuthorizationCode> = {}): NewAuthorizationCode {
  return {
    hash: tokenHash(),
    subscriptionId: seed.subscription.id,
    apiId: seed.subscription.apiId,
    authMethod: seed.user.authMethod,
    userId: seed.user.id,
    redirectUri: 'https://app.example/callback',
    codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    scope: 'orders:read',
    createdAt: T0,
    expiresAt: T0 + MINUTE,
    ...overrides,
  };
}

async function newRequest(store: Store, seed: Seed, formTokenHash = tokenHash()) {
  const id = randomUUID();
  await store.authorizations.createRequest({
    id,
    formTokenHash,
    subscriptionId: seed.subscription.id,
    apiId: seed.subscription.apiId,
    authMethod: 'local',
    redirectUri: 'https://app.example/callback',
    state: 'xyz',
    codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    scope: 'orders:read',
    browserHash: tokenHash(),
    createdAt: T0,
    expiresAt: T0 + 10 * MINUTE,
  });
  return { id, formTokenHash };
}

/** A code issued through a request, as the authorize step does it. */
async function issuedCode(store: Store, seed: Seed, overrides: Partial<NewAuthorizationCode> = {}): Promise<NewAuthorizationCode> {
  const { id } = await newRequest(store, seed);
  const code = newCode(seed, overrides);
  assert.equal(await store.authorizations.issueCode(id, code, null), true);
  return code;
}

const issueFor = (seed: Seed) => (code: AuthorizationCode): CodeIssue => ({
  family: newFamily(seed, { createdAt: T0 + SECOND, scope: code.scope, grantType: 'authorization_code' }),
  tokens: pairAt(T0 + SECOND),
});

export function authorizationStoreSuite(open: OpenStore): void {
  const test = storeTest(open);
  describe('AuthorizationStore', () => {
    test('a form token is taken once; the request continues with the next one', async (store) => {
      const seed = await seedSubscription(store);
      const { id, formTokenHash } = await newRequest(store, seed);
      const taken = await store.authorizations.takeRequest(formTokenHash, T0 + SECOND);
      assert.equal(taken?.id, id);
      assert.equal(taken?.state, 'xyz');
      assert.equal(taken?.userId, null);
      assert.equal(await store.authorizations.takeRequest(formTokenHash, T0 + SECOND), null, 'a used form token is nothing');
      const next = tokenHash();
      assert.equal(await store.authorizations.continueRequest(id, next, seed.user.id), true);
      assert.equal((await store.authorizations.takeRequest(next, T0 + 2 * SECOND))?.userId, seed.user.id);
    });

    test('an expired request cannot be taken', async (store) => {
      const seed = await seedSubscription(store);
      const { formTokenHash } = await newRequest(store, seed);
      assert.equal(await store.authorizations.takeRequest(formTokenHash, T0 + 10 * MINUTE), null);
    });

    test('concurrent takes of one form token: exactly one wins', async (store) => {
      const seed = await seedSubscription(store);
      const { formTokenHash } = await newRequest(store, seed);
      const results = await Promise.all(Array.from({ length: 8 }, () => store.authorizations.takeRequest(formTokenHash, T0 + SECOND)));
      assert.equal(results.filter((r) => r !== null).length, 1);
    });

    test('issuing a code ends the request; a second issue writes nothing', async (store) => {
      const seed = await seedSubscription(store);
      const { id } = await newRequest(store, seed);
      assert.equal(await store.authorizations.issueCode(id, newCode(seed), null), true);
      const second = newCode(seed);
      assert.equal(await store.authorizations.issueCode(id, second, null), false);
      const redemption = await store.authorizations.redeemCode(second.hash, holderOf(seed), T0 + SECOND, issueFor(seed));
      assert.equal(redemption.outcome, 'unknown');
    });

    test('a code is redeemed once, into a new family; its replay reports that family', async (store) => {
      const seed = await seedSubscription(store);
      const code = await issuedCode(store, seed);
      const first = await store.authorizations.redeemCode(code.hash, holderOf(seed), T0 + SECOND, issueFor(seed));
      assert.equal(first.outcome, 'redeemed');
      const family = first.outcome === 'redeemed' ? first.family : assert.fail();
      assert.equal(family.scope, 'orders:read');
      assert.equal(family.grantType, 'authorization_code');
      assert.equal((await store.tokens.findFamily(family.id))?.userId, seed.user.id);
      assert.equal((await store.tokens.findFamily(family.id))?.grantType, 'authorization_code', 'the family remembers its grant');
      const replay = await store.authorizations.redeemCode(code.hash, holderOf(seed), T0 + 2 * SECOND, issueFor(seed));
      assert.equal(replay.outcome, 'already-consumed');
      assert.equal(replay.outcome === 'already-consumed' ? replay.code.familyId : null, family.id);
    });

    test('concurrent redemptions: exactly one issues', async (store) => {
      const seed = await seedSubscription(store);
      const code = await issuedCode(store, seed);
      const results = await Promise.all(
        Array.from({ length: 8 }, () => store.authorizations.redeemCode(code.hash, holderOf(seed), T0 + SECOND, issueFor(seed))),
      );
      assert.equal(results.filter((r) => r.outcome === 'redeemed').length, 1, results.map((r) => r.outcome).join(','));
      assert.equal(results.filter((r) => r.outcome === 'already-consumed').length, 7);
    });

    test('a refused check consumes the code and issues nothing', async (store) => {
      const seed = await seedSubscription(store);
      const code = await issuedCode(store, seed);
      const refused = await store.authorizations.redeemCode(code.hash, holderOf(seed), T0 + SECOND, () => null);
      assert.equal(refused.outcome, 'refused');
      const replay = await store.authorizations.redeemCode(code.hash, holderOf(seed), T0 + SECOND, issueFor(seed));
      assert.equal(replay.outcome, 'already-consumed');
      assert.equal(replay.outcome === 'already-consumed' ? replay.code.familyId : 'x', null);
      assert.equal((await store.tokens.listActiveFamilies({ userId: seed.user.id }, T0 + SECOND)).items.length, 0);
    });

    test('expired, another holder’s, or a disabled user’s code is not redeemed (and another holder does not consume it)', async (store) => {
      const seed = await seedSubscription(store);
      const other = await seedSubscription(store);
      const expired = await issuedCode(store, seed);
      assert.equal((await store.authorizations.redeemCode(expired.hash, holderOf(seed), T0 + MINUTE, issueFor(seed))).outcome, 'unknown');
      const code = await issuedCode(store, seed);
      assert.equal((await store.authorizations.redeemCode(code.hash, holderOf(other), T0 + SECOND, issueFor(other))).outcome, 'unknown');
      assert.equal((await store.authorizations.redeemCode(code.hash, { ...holderOf(seed), authMethod: 'corp' }, T0 + SECOND, issueFor(seed))).outcome, 'unknown');
      await store.users.update(seed.user.id, { disabled: true }, T0);
      assert.equal((await store.authorizations.redeemCode(code.hash, holderOf(seed), T0 + SECOND, issueFor(seed))).outcome, 'unknown');
      await store.users.update(seed.user.id, { disabled: false }, T0);
      assert.equal((await store.authorizations.redeemCode(code.hash, holderOf(seed), T0 + SECOND, issueFor(seed))).outcome, 'redeemed');
    });

    test('consents: given with a code (audited), listed, revoked once (audited)', async (store) => {
      const seed = await seedSubscription(store);
      const { id } = await newRequest(store, seed);
      const consent = { userId: seed.user.id, subscriptionId: seed.subscription.id, applicationId: seed.application.id, apiId: 'orders', scope: 'orders:read', grantedAt: T0 };
      const audit = { type: 'consent.granted', at: T0, userId: seed.user.id, subscriptionId: seed.subscription.id };
      assert.equal(await store.authorizations.issueCode(id, newCode(seed), { consent, audit }), true);
      assert.deepEqual(await store.authorizations.findConsent(seed.user.id, seed.subscription.id), consent);
      assert.deepEqual((await store.authorizations.listConsents(seed.user.id)).items, [consent]);
      const revoked = { type: 'consent.revoked', at: T0 + SECOND, userId: seed.user.id, subscriptionId: seed.subscription.id };
      assert.equal(await store.authorizations.revokeConsent(seed.user.id, seed.subscription.id, revoked), true);
      assert.equal(await store.authorizations.revokeConsent(seed.user.id, seed.subscription.id, revoked), false);
      assert.equal(await store.authorizations.findConsent(seed.user.id, seed.subscription.id), null);
      const types = (await store.audit.list({ userId: seed.user.id })).items.map((e) => e.type);
      assert.deepEqual(types.sort(), ['consent.granted', 'consent.revoked'], 'one row per change, none for the no-op');
    });

    test('housekeeping deletes expired requests and day-old codes, keeping recent redeemed ones', async (store) => {
      const seed = await seedSubscription(store);
      const { formTokenHash } = await newRequest(store, seed);
      const code = await issuedCode(store, seed);
      await store.authorizations.redeemCode(code.hash, holderOf(seed), T0 + SECOND, issueFor(seed));
      assert.equal(await store.authorizations.deleteExpired(T0 + 10 * MINUTE), 1);
      assert.equal(await store.authorizations.takeRequest(formTokenHash, T0), null);
      assert.equal((await store.authorizations.redeemCode(code.hash, holderOf(seed), T0 + 2 * SECOND, issueFor(seed))).outcome, 'already-consumed');
      assert.equal(await store.authorizations.deleteExpired(T0 + 25 * 60 * MINUTE), 1);
    });
  });

  describe('ApplicationStore.changeRedirectUris', () => {
    test('adds and removes one URI with its audit row; no-ops write nothing', async (store) => {
      const seed = await seedSubscription(store);
      const audit = (type: string) => ({ type, at: T0, applicationId: seed.application.id });
      assert.deepEqual(await store.applications.changeRedirectUris(seed.application.id, { add: 'https://a.example/cb' }, T0, audit('add')), ['https://a.example/cb']);
      assert.deepEqual(await store.applications.changeRedirectUris(seed.application.id, { add: 'https://a.example/cb' }, T0, audit('add')), ['https://a.example/cb']);
      await Promise.all(['https://b.example/cb', 'https://c.example/cb'].map((add) => store.applications.changeRedirectUris(seed.application.id, { add }, T0, audit('add'))));
      assert.deepEqual([...((await store.applications.findById(seed.application.id))?.redirectUris ?? [])].sort(), ['https://a.example/cb', 'https://b.example/cb', 'https://c.example/cb']);
      const left = await store.applications.changeRedirectUris(seed.application.id, { remove: 'https://a.example/cb' }, T0, audit('remove'));
      assert.deepEqual([...(left ?? [])].sort(), ['https://b.example/cb', 'https://c.example/cb']);
      assert.deepEqual(await store.applications.changeRedirectUris(seed.application.id, { remove: 'https://a.example/cb' }, T0, audit('remove')), left);
      assert.equal(await store.applications.changeRedirectUris(randomUUID(), { add: 'https://x.example/' }, T0, audit('add')), null);
      const types = (await store.audit.list({ applicationId: seed.application.id })).items.map((e) => e.type).sort();
      assert.deepEqual(types, ['add', 'add', 'add', 'remove']);
    });
  });
}
