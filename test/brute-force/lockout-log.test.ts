import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { captureLogs, type LogCapture } from '../support/gatehouse-instance.js';
import { createClient, createUser, startOAuthGatehouse, type OAuthHarness, type TestClient } from '../support/oauth-fixtures.js';
import { attempt, lockoutRawConfig } from './brute-force-fixtures.js';

// Issue 15: a locked account is invisible to the person locked out (by design), so the operator's
// log must show it: one warn line when an account locks or an address is throttled, naming the
// account key and the address (never a password); each refusal it then causes at debug with its
// private cause, while the client sees only the public answer. One server for the file: each
// case uses its own account and its own address.

const POLICY = { waitIncrementSeconds: 60, maxWaitSeconds: 300, failureResetSeconds: 3600 };
const BRUTE_FORCE = { accounts: { failuresAllowed: 3, ...POLICY }, addresses: { failuresAllowed: 6, ...POLICY } };
const WRONG = 'Wrong-Password-Never-Logged-1';

type Line = Record<string, unknown>;

const logs: LogCapture = captureLogs();
const harness: OAuthHarness = await startOAuthGatehouse({ raw: lockoutRawConfig(BRUTE_FORCE), logs, logLevel: 'debug' });
const client: TestClient = await createClient(harness);

/** The lines logged while `act` ran, parsed. */
async function logged(act: () => Promise<void>): Promise<Line[]> {
  const from = logs.lines.length;
  await act();
  return logs.lines.slice(from).map((line) => JSON.parse(line) as Line);
}

const warnings = (lines: readonly Line[], msg: string) => lines.filter((line) => line.level === 40 && line.msg === msg);

describe('lockouts and throttles in the log', () => {
  it('an account that locks is logged once at warn with its key and the address; its refusals at debug; no password', async () => {
    const { user, login, password } = await createUser(harness);
    const address = '198.51.100.21';
    const lines = await logged(async () => {
      for (let i = 0; i < 3; i += 1) assert.equal((await attempt(harness, client, login, WRONG, { remoteAddress: address })).statusCode, 400);
      for (let i = 0; i < 2; i += 1) assert.equal((await attempt(harness, client, login, password, { remoteAddress: address })).statusCode, 400);
    });
    const locked = warnings(lines, 'account locked after failed sign-ins');
    assert.equal(locked.length, 1, JSON.stringify(lines));
    assert.equal(locked[0]!.accountKey, `account:local:id:${user.id}`);
    assert.equal(locked[0]!.address, address);
    assert.equal(locked[0]!.failures, 3);
    const refusals = lines.filter((line) => line.level === 20 && line.msg === 'sign-in refused: the account is locked');
    assert.equal(refusals.length, 2, 'each refused attempt at debug');
    assert.deepEqual(refusals.map((line) => line.accountKey), [locked[0]!.accountKey, locked[0]!.accountKey]);
    const text = lines.join('\n') + JSON.stringify(lines);
    assert.ok(!text.includes(WRONG) && !text.includes(password), 'no password in the log');
  });

  it('a right password at the last allowed attempt lifts the lock it counted: nothing at warn', async () => {
    const { login, password } = await createUser(harness);
    const lines = await logged(async () => {
      for (let i = 0; i < 2; i += 1) await attempt(harness, client, login, WRONG, { remoteAddress: '198.51.100.22' });
      assert.equal((await attempt(harness, client, login, password, { remoteAddress: '198.51.100.22' })).statusCode, 200);
    });
    assert.deepEqual(warnings(lines, 'account locked after failed sign-ins'), []);
  });

  it('an address that is throttled is logged once at warn with the address; its 429s at debug', async () => {
    const address = '203.0.113.44';
    const lines = await logged(async () => {
      for (let i = 0; i < 6; i += 1) assert.equal((await attempt(harness, client, `sprayed-${i}@example.com`, WRONG, { remoteAddress: address })).statusCode, 400);
      for (let i = 0; i < 3; i += 1) assert.equal((await attempt(harness, client, `sprayed-x${i}@example.com`, WRONG, { remoteAddress: address })).statusCode, 429);
    });
    const throttled = warnings(lines, 'address throttled after failed sign-ins');
    assert.equal(throttled.length, 1, JSON.stringify(lines));
    assert.equal(throttled[0]!.address, address);
    assert.equal(throttled[0]!.failures, 6);
    const refusals = lines.filter((line) => line.level === 20 && line.msg === 'sign-in refused: the address is throttled');
    assert.equal(refusals.length, 3);
    assert.ok(refusals.every((line) => line.address === address && typeof line.retryAfterSeconds === 'number'));
    assert.deepEqual(warnings(lines, 'account locked after failed sign-ins'), [], 'one failure per account locks none');
    assert.ok(!JSON.stringify(lines).includes(WRONG), 'no password in the log');
  });

  it('an address throttled by attempts on a locked account is logged too, once', async () => {
    const { login } = await createUser(harness);
    const address = '203.0.113.45';
    const lines = await logged(async () => {
      // 3 failures lock the account; the attempts it refuses still count for the address, whose 6th throttles it.
      for (let i = 0; i < 6; i += 1) assert.equal((await attempt(harness, client, login, WRONG, { remoteAddress: address })).statusCode, 400);
      assert.equal((await attempt(harness, client, login, WRONG, { remoteAddress: address })).statusCode, 429);
    });
    assert.equal(warnings(lines, 'account locked after failed sign-ins').length, 1);
    const throttled = warnings(lines, 'address throttled after failed sign-ins');
    assert.equal(throttled.length, 1, JSON.stringify(lines));
    assert.equal(throttled[0]!.address, address);
  });
});
