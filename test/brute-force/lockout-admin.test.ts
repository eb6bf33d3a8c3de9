import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { listLockouts, LOCKOUT_EVENT, releaseLockedAccount, releaseThrottledAddress } from '../../src/domain/brute-force/lockout-admin.js';
import type { ManagementContext } from '../../src/domain/management/management-context.js';
import { ManagementError } from '../../src/domain/management/management-error.js';
import { createClient, createUser, startOAuthGatehouse, type OAuthHarness } from '../support/oauth-fixtures.js';
import { attempt, lockoutRawConfig } from './brute-force-fixtures.js';

// The admin view's use cases (what the management API and CLI will call): admins only, and a
// release is audited.

const BRUTE_FORCE = {
  accounts: { failuresAllowed: 2, waitIncrementSeconds: 60 },
  addresses: { failuresAllowed: 3, waitIncrementSeconds: 120 },
};

async function contextOf(harness: OAuthHarness, admin: boolean): Promise<ManagementContext> {
  const { user } = await createUser(harness);
  const actor = admin ? ((await harness.store.users.update(user.id, { admin: true }, harness.now())) ?? user) : user;
  const { gatehouse } = harness;
  return { store: harness.store, config: gatehouse.services.config, passwords: harness.passwords, now: harness.now(), actor, ip: '192.0.2.1' };
}

describe('lockout admin use cases', () => {
  it('an admin lists locked accounts and throttled addresses and releases them; the release is audited', async () => {
    const harness = await startOAuthGatehouse({ raw: lockoutRawConfig(BRUTE_FORCE) });
    const throttle = harness.gatehouse.services.loginThrottle;
    const client = await createClient(harness);
    const victim = await createUser(harness);
    for (let i = 0; i < 3; i += 1) await attempt(harness, client, victim.login, 'wrong', { remoteAddress: '198.51.100.4' });
    const admin = await contextOf(harness, true);

    const lockouts = await listLockouts(admin, throttle);
    assert.deepEqual(
      lockouts.accounts.map((a) => [a.authMethodId, a.username, a.failures, a.lockedUntil]),
      [['local', victim.login.toLowerCase(), 2, harness.now() + 60_000]],
      'the third attempt met a locked account and was not counted against it',
    );
    assert.deepEqual(lockouts.addresses.map((a) => [a.address, a.failures, a.lockedUntil]), [['198.51.100.4', 3, harness.now() + 120_000]]);

    await releaseLockedAccount(admin, throttle, 'local', victim.login);
    await releaseThrottledAddress(admin, throttle, '198.51.100.4');
    assert.deepEqual(await listLockouts(admin, throttle), { accounts: [], addresses: [] });
    const ok = await attempt(harness, client, victim.login, victim.password, { remoteAddress: '198.51.100.4' });
    assert.equal(ok.statusCode, 200, ok.body);

    const events = (await harness.store.audit.list({ actorUserId: admin.actor.id })).items.map((e) => [e.type, e.details]);
    assert.deepEqual(events.sort(), [
      [LOCKOUT_EVENT.accountReleased, { authMethod: 'local', username: victim.login }],
      [LOCKOUT_EVENT.addressReleased, { address: '198.51.100.4' }],
    ].sort());
    await assert.rejects(releaseThrottledAddress(admin, throttle, '198.51.100.4'), (e: unknown) => e instanceof ManagementError && e.code === 'not_found');
  });

  it('is for admins only', async () => {
    const harness = await startOAuthGatehouse({ raw: lockoutRawConfig(BRUTE_FORCE) });
    const throttle = harness.gatehouse.services.loginThrottle;
    const someone = await contextOf(harness, false);
    const forbidden = (e: unknown) => e instanceof ManagementError && e.code === 'forbidden';
    await assert.rejects(listLockouts(someone, throttle), forbidden);
    await assert.rejects(releaseLockedAccount(someone, throttle, 'local', 'x'), forbidden);
    await assert.rejects(releaseThrottledAddress(someone, throttle, '192.0.2.9'), forbidden);
  });
});
