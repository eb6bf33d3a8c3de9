import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createClient, createUser, startOAuthGatehouse } from '../support/oauth-fixtures.js';
import { attempt, countingHasher, lockoutRawConfig, MINUTE } from './brute-force-fixtures.js';

// Per-address throttling (credential stuffing, password spraying): failures from one address
// across many accounts end in 429 + Retry-After, whatever account is tried next.

const BRUTE_FORCE = { addresses: { failuresAllowed: 4, waitIncrementSeconds: 60, maxWaitSeconds: 600, failureResetSeconds: 3600 } };

async function world(extra: Record<string, unknown> = {}) {
  const passwords = countingHasher();
  const harness = await startOAuthGatehouse({ raw: lockoutRawConfig(BRUTE_FORCE, extra), passwords });
  const client = await createClient(harness);
  const user = await createUser(harness);
  return { harness, client, user, passwords };
}

describe('per-address throttling', () => {
  it('failures across accounts end in 429 with Retry-After, even for the right password, and reveal no account', async () => {
    const { harness, client, user, passwords } = await world();
    for (let i = 0; i < 4; i += 1) {
      assert.equal((await attempt(harness, client, `victim-${i}@example.com`, 'Summer2026!')).statusCode, 400);
    }
    const hashes = passwords.calls();
    const known = await attempt(harness, client, user.login, user.password);
    const unknown = await attempt(harness, client, 'nobody@example.com', 'x');
    assert.equal(passwords.calls(), hashes, 'nothing is hashed for a throttled address');
    for (const response of [known, unknown]) {
      assert.equal(response.statusCode, 429);
      assert.equal(response.headers['retry-after'], '60');
      assert.equal(response.headers['cache-control'], 'no-store');
      const body = response.json() as Record<string, unknown>;
      assert.deepEqual(Object.keys(body).sort(), ['error', 'error_description']);
      assert.equal(body.error, 'too_many_requests');
    }
    assert.equal(known.body, unknown.body, 'the same body whichever account');
    harness.advance(30_000);
    assert.equal((await attempt(harness, client, user.login, user.password)).headers['retry-after'], '30', 'Retry-After counts down');
    harness.advance(30_000);
    assert.equal((await attempt(harness, client, user.login, user.password)).statusCode, 200, 'the address may try again after the wait');
  });

  it('successful sign-ins do not add up to a throttle (one office behind one address)', async () => {
    const { harness, client, user } = await world();
    for (let i = 0; i < 10; i += 1) {
      assert.equal((await attempt(harness, client, user.login, user.password)).statusCode, 200);
      if (i % 4 === 0) await attempt(harness, client, user.login, 'typo');
    }
    assert.equal((await attempt(harness, client, user.login, user.password)).statusCode, 200, 'only the 3 failures count');
  });

  it('X-Forwarded-For is ignored unless the peer is a trusted proxy', async () => {
    const { harness, client } = await world();
    for (let i = 0; i < 4; i += 1) {
      await attempt(harness, client, `v${i}@example.com`, 'x', { remoteAddress: '203.0.113.7', forwardedFor: `198.51.100.${i}` });
    }
    const spoofed = await attempt(harness, client, 'v9@example.com', 'x', { remoteAddress: '203.0.113.7', forwardedFor: '198.51.100.99' });
    assert.equal(spoofed.statusCode, 429, 'a client cannot pick a fresh address with the header');
    const other = await attempt(harness, client, 'v9@example.com', 'x', { remoteAddress: '203.0.113.8' });
    assert.equal(other.statusCode, 400, 'another address has its own count');
  });

  it('behind a trusted proxy the forwarded address is the one counted', async () => {
    const { harness, client } = await world({ trustedProxies: ['10.0.0.0/8'] });
    const proxy = '10.1.2.3';
    for (let i = 0; i < 4; i += 1) await attempt(harness, client, `v${i}@example.com`, 'x', { remoteAddress: proxy, forwardedFor: '198.51.100.1' });
    const same = await attempt(harness, client, 'v9@example.com', 'x', { remoteAddress: proxy, forwardedFor: '198.51.100.1' });
    assert.equal(same.statusCode, 429);
    const otherClient = await attempt(harness, client, 'v9@example.com', 'x', { remoteAddress: proxy, forwardedFor: '198.51.100.2' });
    assert.equal(otherClient.statusCode, 400, 'other clients behind the same proxy are not throttled');
    const prepended = await attempt(harness, client, 'v9@example.com', 'x', { remoteAddress: proxy, forwardedFor: '192.0.2.50, 198.51.100.1' });
    assert.equal(prepended.statusCode, 429, 'only what the trusted proxy appended counts, not what the client wrote before it');

    const [throttled] = await harness.gatehouse.services.loginThrottle.throttledAddresses(harness.now(), 10);
    assert.equal(throttled?.address, '198.51.100.1');
    assert.equal(throttled.lockedUntil, harness.now() + MINUTE);
    assert.equal(await harness.gatehouse.services.loginThrottle.releaseAddress('198.51.100.1'), true);
    const released = await attempt(harness, client, 'v9@example.com', 'x', { remoteAddress: proxy, forwardedFor: '198.51.100.1' });
    assert.equal(released.statusCode, 400, 'an admin release lets the address try again');
  });

  it('the trustedProxies setting refuses what is not an address or CIDR range', async () => {
    const { testConfig } = await import('../support/gatehouse-instance.js');
    assert.throws(() => testConfig(lockoutRawConfig({}, { trustedProxies: ['10.0.0.0/33'] })), /trustedProxies\[0\]/);
    assert.throws(() => testConfig(lockoutRawConfig({}, { trustedProxies: ['proxy.internal'] })), /trustedProxies\[0\]/);
  });
});
