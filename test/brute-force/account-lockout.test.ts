import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createClient, createUser, startOAuthGatehouse } from '../support/oauth-fixtures.js';
import { attempt, countingHasher, HOUR, lockoutRawConfig, MINUTE, observable } from './brute-force-fixtures.js';

// Per-account lockout (RFC 6749 §4.3.2; OWASP Authentication Cheat Sheet, "Account Lockout"),
// with the injected clock: 3 failures allowed, waits of 1 min, 2 min, ... up to 5 min, counts
// forgotten 12 h after the last failure.

const BRUTE_FORCE = { accounts: { failuresAllowed: 3, waitIncrementSeconds: 60, maxWaitSeconds: 300, failureResetSeconds: 12 * 3600 } };

async function world() {
  const passwords = countingHasher();
  const harness = await startOAuthGatehouse({ raw: lockoutRawConfig(BRUTE_FORCE), passwords });
  const client = await createClient(harness);
  const user = await createUser(harness);
  return { harness, client, user, passwords };
}

describe('per-account lockout', () => {
  it('locks after the allowed failures: the right password then gets the wrong-password body, and no hash is computed', async () => {
    const { harness, client, user, passwords } = await world();
    const wrong = [];
    for (let i = 0; i < 3; i += 1) wrong.push(await attempt(harness, client, user.login, 'not-the-password'));
    for (const response of wrong) assert.equal(response.statusCode, 400);
    const hashesBefore = passwords.calls();
    const locked = await attempt(harness, client, user.login, user.password);
    assert.equal(locked.statusCode, 400);
    assert.deepEqual(observable(locked), observable(wrong[0]!), 'locked looks exactly like a wrong password');
    assert.equal(passwords.calls(), hashesBefore, 'no password check while locked');

    harness.advance(MINUTE - 1);
    assert.equal((await attempt(harness, client, user.login, user.password)).statusCode, 400, 'still locked just before the wait ends');
    harness.advance(1);
    const after = await attempt(harness, client, user.login, user.password);
    assert.equal(after.statusCode, 200, after.body);
  });

  it('each failure after a lock waits one increment longer, up to the maximum', async () => {
    const { harness, client, user } = await world();
    for (let i = 0; i < 3; i += 1) await attempt(harness, client, user.login, 'wrong');
    harness.advance(MINUTE);
    await attempt(harness, client, user.login, 'wrong'); // 4th failure: 2 min
    harness.advance(2 * MINUTE - 1);
    assert.equal((await attempt(harness, client, user.login, user.password)).statusCode, 400, 'the second wait is two increments');
    harness.advance(1);
    await attempt(harness, client, user.login, 'wrong'); // 5th: 3 min
    harness.advance(3 * MINUTE);
    await attempt(harness, client, user.login, 'wrong'); // 6th: 4 min
    harness.advance(4 * MINUTE);
    await attempt(harness, client, user.login, 'wrong'); // 7th: 5 min
    harness.advance(5 * MINUTE);
    await attempt(harness, client, user.login, 'wrong'); // 8th: capped at 5 min, not 6
    harness.advance(5 * MINUTE - 1);
    assert.equal((await attempt(harness, client, user.login, user.password)).statusCode, 400);
    harness.advance(1);
    assert.equal((await attempt(harness, client, user.login, user.password)).statusCode, 200, 'the wait never exceeds maxWaitSeconds');
  });

  it('a success resets the count; so does the failure reset time', async () => {
    const { harness, client, user } = await world();
    for (let i = 0; i < 2; i += 1) await attempt(harness, client, user.login, 'wrong');
    assert.equal((await attempt(harness, client, user.login, user.password)).statusCode, 200);
    for (let i = 0; i < 2; i += 1) await attempt(harness, client, user.login, 'wrong');
    assert.equal((await attempt(harness, client, user.login, user.password)).statusCode, 200, 'two more failures do not lock after a success');

    for (let i = 0; i < 2; i += 1) await attempt(harness, client, user.login, 'wrong');
    harness.advance(12 * HOUR);
    for (let i = 0; i < 2; i += 1) await attempt(harness, client, user.login, 'wrong');
    assert.equal((await attempt(harness, client, user.login, user.password)).statusCode, 200, 'failures older than the reset time are forgotten');

    for (let i = 0; i < 2; i += 1) await attempt(harness, client, user.login, 'wrong');
    harness.advance(12 * HOUR - 1);
    await attempt(harness, client, user.login, 'wrong');
    assert.equal((await attempt(harness, client, user.login, user.password)).statusCode, 400, 'within the reset time they add up');
  });

  it('unknown accounts lock the same way: unknown, wrong and locked are indistinguishable', async () => {
    const { harness, client, user, passwords } = await world();
    const unknown = await attempt(harness, client, 'nobody@example.com', 'whatever');
    const wrong = await attempt(harness, client, user.login, 'wrong');
    for (let i = 0; i < 3; i += 1) await attempt(harness, client, 'ghost@example.com', 'whatever');
    const hashes = passwords.calls();
    const lockedUnknown = await attempt(harness, client, 'ghost@example.com', 'whatever');
    assert.equal(passwords.calls(), hashes, 'an unknown account is locked too: no dummy hash either');
    for (let i = 0; i < 2; i += 1) await attempt(harness, client, user.login, 'wrong');
    const lockedKnown = await attempt(harness, client, user.login, user.password);
    for (const response of [wrong, lockedUnknown, lockedKnown]) assert.deepEqual(observable(response), observable(unknown));
  });

  it('the count is per auth method and normalised user name', async () => {
    const { harness, client, user } = await world();
    const upper = user.login.toUpperCase();
    await attempt(harness, client, upper, 'wrong');
    await attempt(harness, client, user.login, 'wrong');
    await attempt(harness, client, upper.normalize('NFKD'), 'wrong');
    assert.equal((await attempt(harness, client, user.login, user.password)).statusCode, 400, 'case variants share one count');
    // The same name through another auth method has its own count.
    const billing = await createClient(harness, { apiId: 'billing' });
    const staff = await attempt(harness, billing, user.login, 'wrong', { url: '/auth/staff/api/billing/token' });
    assert.equal(staff.statusCode, 400);
    const locked = await harness.gatehouse.services.loginThrottle.lockedAccounts(harness.now(), 10);
    assert.deepEqual(
      locked.map((a) => [a.authMethodId, a.userId, a.failures]),
      [['local', user.user.id, 3]],
    );
  });

  it('an auth method that cannot answer does not count towards a lock', async () => {
    const { harness, client, user } = await world();
    for (let i = 0; i < 4; i += 1) {
      const response = await attempt(harness, client, user.login, user.password, { url: '/auth/corp/api/orders/token' });
      assert.equal(response.statusCode, 503);
    }
    assert.deepEqual(await harness.gatehouse.services.loginThrottle.lockedAccounts(harness.now(), 10), []);
  });

  it('an admin release lifts the lock at once', async () => {
    const { harness, client, user } = await world();
    for (let i = 0; i < 3; i += 1) await attempt(harness, client, user.login, 'wrong');
    const throttle = harness.gatehouse.services.loginThrottle;
    const [locked] = await throttle.lockedAccounts(harness.now(), 10);
    assert.ok(locked);
    assert.equal(locked.lockedUntil, harness.now() + MINUTE);
    assert.equal(await throttle.releaseAccount('local', user.login, user.user.id), true);
    assert.equal(await throttle.releaseAccount('local', user.login, user.user.id), false, 'nothing left to release');
    assert.equal((await attempt(harness, client, user.login, user.password)).statusCode, 200);
  });

  it('an existing account is one counter whatever name reaches it: username, email, any case (issue 13 item 3)', async () => {
    const { harness, client, passwords } = await world();
    const { user, password } = await createUser(harness, { email: 'bf1@example.com', username: 'bf1' });
    for (const name of ['bf1', 'BF1@example.com']) {
      for (let i = 0; i < 2; i += 1) assert.equal((await attempt(harness, client, name, 'not-the-password')).statusCode, 400);
    }
    // Four failures across two names: the account (3 allowed) is locked, by any of its names.
    const hashesBefore = passwords.calls();
    for (const name of ['bf1@example.com', 'Bf1@Example.COM', 'bf1']) {
      const locked = await attempt(harness, client, name, password);
      assert.equal(locked.statusCode, 400, `${name}: ${locked.body}`);
      assert.equal((locked.json() as { error: string }).error, 'invalid_grant');
    }
    assert.equal(passwords.calls(), hashesBefore, 'no password is checked while the account is locked');
    // The admin view: one entry for the account, named by its username.
    const listed = await harness.gatehouse.services.loginThrottle.lockedAccounts(harness.now(), 10);
    assert.deepEqual(listed.map((entry) => [entry.userId, entry.username]), [[user.id, null]]);
    harness.advance(5 * MINUTE);
    assert.equal((await attempt(harness, client, 'bf1@example.com', password)).statusCode, 200);
  });

  it('a name that reaches no account keeps its own counter, so locking tells nothing about which names exist', async () => {
    const { harness, client } = await world();
    await createUser(harness, { email: 'real@example.com', username: 'real', password: 'the real password' });
    for (let i = 0; i < 3; i += 1) await attempt(harness, client, 'ghost', 'wrong');
    // 'ghost' is locked (like an account would be), but 'ghost@example.com' is another name: not locked.
    const listed = await harness.gatehouse.services.loginThrottle.lockedAccounts(harness.now(), 10);
    assert.deepEqual(listed.map((entry) => [entry.userId, entry.username]), [[null, 'ghost']]);
    for (let i = 0; i < 2; i += 1) await attempt(harness, client, 'ghost@example.com', 'wrong');
    assert.equal((await harness.gatehouse.services.loginThrottle.lockedAccounts(harness.now(), 10)).length, 1, 'two failures of another unknown name lock nothing');
    // And the unknown names' failures never touch a real account's counter.
    assert.equal((await attempt(harness, client, 'real', 'the real password')).statusCode, 200);
  });
});
