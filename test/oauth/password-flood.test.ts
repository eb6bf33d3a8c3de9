import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hash } from '@node-rs/argon2';
import { OWASP_ARGON2ID } from '../../src/domain/passwords.js';
import { captureLogs, startTestGatehouse, testConfig } from '../support/gatehouse-instance.js';
import { basicAuthorization, createClient, oauthRawConfig, TOKEN_URL } from '../support/oauth-fixtures.js';

// Issue 12: a flood of password grants past the hashing queue's bound (config
// passwordHashing.maxQueued) is answered at once with 503 temporarily_unavailable + Retry-After,
// over real HTTP, on the server's own hashing pool (no injected hasher); nothing hangs, and the
// accounts can sign in again once the flood is over.

const FLOOD = 24;
const PASSWORD = 'flood password';

test('a password flood past the queue bound gets 503 + Retry-After, never a hang', async () => {
  const raw = { ...oauthRawConfig(), passwordHashing: { threads: 1, maxQueued: 2 } };
  const logs = captureLogs();
  const gatehouse = await startTestGatehouse(testConfig(raw), { logs });
  const { public: base } = await gatehouse.listen();
  const store = gatehouse.services.store;
  const harness = { store, now: () => Date.now() };
  const client = await createClient(harness);
  // Many accounts, so that brute-force protection (5 attempts per account) refuses none of them.
  const stored = await hash(PASSWORD, { algorithm: 2, ...OWASP_ARGON2ID });
  const logins: string[] = [];
  for (let i = 0; i < FLOOD; i++) {
    const email = `flood-${i}@example.com`;
    await store.users.create({ authMethod: 'local', email, username: null, passwordHash: stored, disabled: false }, Date.now());
    logins.push(email);
  }
  const signIn = (login: string) =>
    fetch(`${base}${TOKEN_URL}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuthorization(client.clientId, client.clientSecret as string) },
      body: new URLSearchParams({ grant_type: 'password', username: login, password: PASSWORD }),
      signal: AbortSignal.timeout(60_000), // a guard against a hang, not a measurement
    });

  const responses = await Promise.all(logins.map(signIn));
  const statuses = responses.map((r) => r.status);
  const bodies = await Promise.all(responses.map((r) => r.json() as Promise<Record<string, unknown>>));
  assert.deepEqual([...new Set(statuses)].sort(), [200, 503], `statuses: ${statuses.join(' ')}`);
  // The first to arrive always get through: one hashing, two waiting.
  assert.ok(statuses.filter((s) => s === 200).length >= 3);
  responses.forEach((response, i) => {
    if (response.status !== 503) return;
    assert.equal(bodies[i]?.error, 'temporarily_unavailable');
    assert.match(response.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
    assert.equal(response.headers.get('cache-control'), 'no-store');
  });
  const stats = gatehouse.hashingStats();
  assert.ok(stats);
  assert.ok(stats.peakQueued <= 2, `peak queue ${stats.peakQueued}`);
  assert.equal(stats.refused, statuses.filter((s) => s === 503).length);
  // The refused attempts were not counted as failures, and the queue is free again.
  const refusedLogin = logins[statuses.indexOf(503)] as string;
  assert.equal((await signIn(refusedLogin)).status, 200);
  assert.ok(!logs.lines.some((line) => line.includes(PASSWORD)), 'the password never reaches the log');
});
