import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import bcrypt from 'bcryptjs';
import { parseOptions } from '@node-rs/argon2';
import { createLocalVerifier } from '../../src/domain/auth-methods/local-verifier.js';
import { createPasswordHasher, OWASP_ARGON2ID } from '../../src/domain/passwords.js';
import { clientParameters, createClient, createUser, FAST_ARGON2, postForm, startOAuthGatehouse } from '../support/oauth-fixtures.js';

// The local auth method over the real store: legacy bcrypt imports, parameter upgrades, NFKC.

describe('the local verifier', () => {
  for (const prefix of ['$2a$', '$2b$', '$2y$']) {
    it(`an imported bcrypt hash (${prefix}) verifies through the token endpoint and is upgraded to argon2id`, async () => {
      const harness = await startOAuthGatehouse();
      const client = await createClient(harness);
      const legacy = bcrypt.hashSync('imported-Passw0rd', 4).replace(/^\$2[aby]\$/, prefix);
      const { user, login } = await createUser(harness, { passwordHash: legacy });
      const response = await postForm(harness, { grant_type: 'password', username: login, password: 'imported-Passw0rd', ...clientParameters(client) });
      assert.equal(response.statusCode, 200, response.body);
      const upgraded = (await harness.store.users.findById(user.id))?.passwordHash ?? '';
      assert.match(upgraded, /^\$argon2id\$/);
      assert.equal(parseOptions(upgraded).memoryCost, FAST_ARGON2.memoryCost);
      const again = await postForm(harness, { grant_type: 'password', username: login, password: 'imported-Passw0rd', ...clientParameters(client) });
      assert.equal(again.statusCode, 200, 'the upgraded hash verifies');
    });
  }

  it('a wrong password against a bcrypt hash is rejected and leaves the hash alone', async () => {
    const harness = await startOAuthGatehouse();
    const legacy = bcrypt.hashSync('imported-Passw0rd', 4);
    const { user, login } = await createUser(harness, { passwordHash: legacy });
    const verifier = createLocalVerifier('local', { users: harness.store.users, passwords: harness.passwords });
    assert.deepEqual(await verifier.verify(login, 'imported-passw0rd'), { outcome: 'rejected' });
    assert.equal((await harness.store.users.findById(user.id))?.passwordHash, legacy);
  });

  it('a hash made with older argon2 parameters is rehashed with the current ones at the next login', async () => {
    const harness = await startOAuthGatehouse();
    const { user, login, password } = await createUser(harness); // FAST_ARGON2
    const stronger = createPasswordHasher({ memoryCost: 2048, timeCost: 2, parallelism: 1 });
    const verifier = createLocalVerifier('local', { users: harness.store.users, passwords: stronger });
    const check = await verifier.verify(login, password);
    assert.equal(check.outcome, 'accepted');
    const rehashed = (await harness.store.users.findById(user.id))?.passwordHash ?? '';
    assert.deepEqual({ m: parseOptions(rehashed).memoryCost, t: parseOptions(rehashed).timeCost }, { m: 2048, t: 2 });
    assert.equal((await verifier.verify(login, password)).outcome, 'accepted');
  });

  it('the default hasher uses the OWASP argon2id parameters, so a login with it leaves an OWASP hash', async () => {
    const harness = await startOAuthGatehouse();
    const { user, login, password } = await createUser(harness);
    const verifier = createLocalVerifier('local', { users: harness.store.users, passwords: createPasswordHasher() });
    assert.equal((await verifier.verify(login, password)).outcome, 'accepted');
    const options = parseOptions((await harness.store.users.findById(user.id))?.passwordHash ?? '');
    assert.deepEqual(
      { memoryCost: options.memoryCost, timeCost: options.timeCost, parallelism: options.parallelism },
      { ...OWASP_ARGON2ID },
    );
  });

  it('passwords are compared after NFKC normalisation', async () => {
    const harness = await startOAuthGatehouse();
    const { login } = await createUser(harness, { password: 'caf\u00e9-\ufb01ne-2024' }); // é precomposed, "ﬁ" ligature
    const verifier = createLocalVerifier('local', { users: harness.store.users, passwords: harness.passwords });
    assert.equal((await verifier.verify(login, 'cafe\u0301-fine-2024')).outcome, 'accepted');
    assert.equal((await verifier.verify(login, 'cafe-fine-2024')).outcome, 'rejected');
  });

  it('a disabled user is rejected even with the right password; an unknown one costs a dummy verification', async () => {
    const harness = await startOAuthGatehouse();
    const { login, password } = await createUser(harness, { disabled: true });
    let dummies = 0;
    const passwords = { ...harness.passwords, verifyDummy: async (p: string) => ((dummies += 1), harness.passwords.verifyDummy(p)) };
    const verifier = createLocalVerifier('local', { users: harness.store.users, passwords });
    assert.deepEqual(await verifier.verify(login, password), { outcome: 'rejected' });
    assert.equal(dummies, 0);
    assert.deepEqual(await verifier.verify('ghost@example.com', password), { outcome: 'rejected' });
    assert.equal(dummies, 1);
  });

  it('a sign-in reads the account once: verify checks the password against the row findAccount read', async () => {
    const harness = await startOAuthGatehouse();
    const { user, login, password } = await createUser(harness);
    let reads = 0;
    const users = {
      findLocalByLogin: async (name: string) => ((reads += 1), harness.store.users.findLocalByLogin(name)),
      upgradePasswordHash: harness.store.users.upgradePasswordHash.bind(harness.store.users),
    };
    const verifier = createLocalVerifier('local', { users, passwords: harness.passwords });
    const found = await verifier.findAccount?.(login);
    assert.equal(found?.userId, user.id);
    assert.equal((await verifier.verify(login, password, found)).outcome, 'accepted');
    assert.equal(reads, 1);
    const unknown = await verifier.findAccount?.('ghost@example.com');
    assert.equal(unknown?.userId, null);
    assert.deepEqual(await verifier.verify('ghost@example.com', password, unknown), { outcome: 'rejected' });
    assert.equal(reads, 2);
    // Without a found account (or another method's), verify reads it itself.
    assert.equal((await verifier.verify(login, password, { userId: user.id })).outcome, 'accepted');
    assert.equal(reads, 3);
  });
});
