import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { managementRawConfig, startManagement } from './management-fixtures.js';

// The admin view of brute-force protection over the management API: what is locked shows up,
// and releasing it lets the right password in again.

const raw = { ...managementRawConfig(), bruteForce: { accounts: { failuresAllowed: 3 }, addresses: { failuresAllowed: 4 } } };

describe('/api/v1/lockouts', () => {
  it('lists a locked account and a throttled address, and releases each', async () => {
    const h = await startManagement(raw);
    const admin = await h.person({ admin: true, name: 'admin' });
    const victim = await h.person({ name: 'victim' });

    for (let i = 0; i < 4; i++) await h.signIn(victim.login, 'wrong password');
    assert.equal((await h.signIn(victim.login, victim.password)).statusCode, 429, 'the address is throttled');

    const listed = await h.call(admin.token, 'GET', '/api/v1/lockouts');
    assert.equal(listed.statusCode, 200);
    const body = listed.json() as { accounts: { authMethodId: string; username: string; failures: number; lockedUntil: string }[]; addresses: { address: string }[] };
    const account = body.accounts.find((a) => a.username === victim.login.toLowerCase());
    assert.ok(account, `the victim's account is listed: ${listed.body}`);
    assert.equal(account.authMethodId, 'local');
    assert.ok(account.failures >= 3);
    assert.ok(Date.parse(account.lockedUntil) > h.now());
    assert.deepEqual(
      body.addresses.map((a) => a.address),
      ['127.0.0.1'],
    );

    const address = await h.call(admin.token, 'DELETE', '/api/v1/lockouts/addresses/127.0.0.1');
    assert.equal(address.statusCode, 204);
    const stillLocked = await h.signIn(victim.login, victim.password);
    assert.equal(stillLocked.statusCode, 400, 'the account lock still holds');
    assert.equal((stillLocked.json() as { error: string }).error, 'invalid_grant');

    const released = await h.call(admin.token, 'DELETE', `/api/v1/lockouts/accounts/local/${encodeURIComponent(victim.login)}`);
    assert.equal(released.statusCode, 204);
    assert.equal((await h.signIn(victim.login, victim.password)).statusCode, 200, 'the right password works again');

    const after = (await h.call(admin.token, 'GET', '/api/v1/lockouts')).json() as { accounts: unknown[]; addresses: unknown[] };
    assert.deepEqual(after, { accounts: [], addresses: [] });
    const audit = await h.store.audit.list({ type: 'lockout.account_released' });
    assert.equal(audit.items[0]?.actorUserId, admin.user.id);
  });
});
