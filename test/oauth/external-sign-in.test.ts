import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { captureLogs } from '../support/gatehouse-instance.js';
import { testConfig } from '../support/gatehouse-instance.js';
import { createClient, oauthRawConfig, postForm, startOAuthGatehouse, type OAuthHarness, type TestClient } from '../support/oauth-fixtures.js';

// Issue 13 items 13, 14 and 17 through the real token endpoint, on the store of the environment:
// an external auth method whose service answers what each test sets.
// - 13: a profile email another user of the method holds never gives 500 and never counts
//   toward lockout: the sign-in goes ahead, the email stays, a warning and an audit row say why.
// - 14: an ill-formed profile (NUL, lone surrogate) is 503 temporarily_unavailable, nothing is
//   stored, and it is not a failed sign-in (more attempts than the lockout allows, then success).
// - 17: an outage is one warning and two audit rows (begun, recovered with a count), not one row
//   per refused sign-in.

const ATTEMPTS = 8; // more than bruteForce.accounts.failuresAllowed (5)
const CORP_TOKEN_URL = '/auth/corp/api/orders/token';

let answer: (username: string) => unknown = () => ({ sub: 'nobody' });
let status = 200;

async function startDirectory(): Promise<string> {
  const server = createServer((req, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const { username } = JSON.parse(Buffer.concat(chunks).toString()) as { username: string };
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(answer(username)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/verify`;
}

const raw = oauthRawConfig();
raw.authMethods = [
  ...(raw.authMethods as Record<string, unknown>[]).filter((method) => method.id !== 'corp'),
  { id: 'corp', type: 'external', url: await startDirectory(), timeoutMs: 5000 },
];
const logs = captureLogs();
const harness: OAuthHarness = await startOAuthGatehouse({ config: testConfig(raw), logs });
const client: TestClient = await createClient(harness);

const signIn = (username: string) =>
  postForm(
    harness,
    { grant_type: 'password', username, password: 'whatever-the-directory-says', client_id: client.clientId, client_secret: client.clientSecret ?? '' },
    { url: CORP_TOKEN_URL },
  );

const warnings = (pattern: RegExp) =>
  logs.lines.map((line) => JSON.parse(line) as { level: number; msg: string }).filter((entry) => entry.level === 40 && pattern.test(entry.msg));

const auditOf = async (type: string) => (await harness.store.audit.list({ type }, { limit: 500 })).items;

describe('external sign-in through the token endpoint', () => {
  it('an ill-formed profile is 503 on every attempt, stores nothing, locks nobody out; the outage is one warning and two audit rows', async () => {
    const illFormed = [{ sub: 'u-\u0000-nul' }, { sub: 'u-\ud800' }, { sub: 'u-ok', name: 'Eve\u0000' }, { sub: 'u-ok', email: 'eve\u0000@example.com' }];
    let attempt = 0;
    answer = () => illFormed[attempt++ % illFormed.length];
    const usersBefore = (await harness.store.users.list({ limit: 500 })).items.length;
    for (let i = 0; i < ATTEMPTS; i++) {
      const response = await signIn('eve');
      assert.equal(response.statusCode, 503, `attempt ${i + 1}: ${response.body}`);
      assert.equal((response.json() as { error: string }).error, 'temporarily_unavailable');
      assert.match(String(response.headers['retry-after']), /^\d+$/);
    }
    assert.equal((await harness.store.users.list({ limit: 500 })).items.length, usersBefore, 'nothing stored');

    answer = () => ({ sub: 'u-eve', email: 'eve@example.com' });
    const recovered = await signIn('eve');
    assert.equal(recovered.statusCode, 200, `not locked out by the refused attempts: ${recovered.body}`);

    assert.equal(warnings(/auth method unavailable/).length, 1, 'one warning for the whole outage');
    assert.equal(warnings(/^auth method answers again/).length, 1);
    const refusedRows = (await auditOf('login.refused')).filter((event) => event.details.reason === 'auth_method_unavailable');
    assert.deepEqual(refusedRows, [], 'no row per refused sign-in');
    const begun = await auditOf('auth_method.unavailable');
    assert.equal(begun.length, 1);
    assert.equal(begun[0]?.details.authMethod, 'corp');
    assert.match(String(begun[0]?.details.cause), /malformed/);
    const ended = await auditOf('auth_method.recovered');
    assert.equal(ended.length, 1);
    assert.equal(ended[0]?.details.refusedSignIns, ATTEMPTS);
  });

  it('a directory answering 500: a warning when the outage begins and one when it ends, two audit rows in all', async () => {
    const warnedBefore = warnings(/^auth method (unavailable|answers again)/).length;
    const begunBefore = (await auditOf('auth_method.unavailable')).length;
    status = 500;
    answer = () => ({ error: 'directory down' });
    try {
      for (let i = 0; i < ATTEMPTS; i++) assert.equal((await signIn('frank')).statusCode, 503);
    } finally {
      status = 200;
    }
    answer = () => ({ sub: 'u-frank' });
    assert.equal((await signIn('frank')).statusCode, 200, 'not locked out');
    const logged = warnings(/^auth method (unavailable|answers again)/).slice(warnedBefore) as { msg: string; cause?: string; refusedSignIns?: number }[];
    assert.equal(logged.length, 2, 'one warning per change of state');
    assert.match(String(logged[0]?.cause), /HTTP 500/, 'the cause is in the warning');
    assert.equal(logged[1]?.refusedSignIns, ATTEMPTS);
    const refusedRows = (await auditOf('login.refused')).filter((event) => event.details.reason === 'auth_method_unavailable');
    assert.deepEqual(refusedRows, [], 'no row per refused sign-in');
    assert.equal((await auditOf('auth_method.unavailable')).length, begunBefore + 1);
    assert.equal((await auditOf('auth_method.recovered'))[0]?.details.refusedSignIns, ATTEMPTS, 'the newest recovery row counts them');
  });

  it('a profile email another user holds: every attempt signs in (never 500, never locked), the email stays, warning + audit row', async () => {
    answer = (username) => (username === 'holder' ? { sub: 'u-holder', email: 'shared@example.com' } : { sub: 'u-mover', email: 'mover@example.com' });
    assert.equal((await signIn('holder')).statusCode, 200);
    assert.equal((await signIn('mover')).statusCode, 200);
    answer = (username) => (username === 'holder' ? { sub: 'u-holder', email: 'shared@example.com' } : { sub: 'u-mover', email: 'Shared@Example.com', name: 'Mover' });
    for (let i = 0; i < ATTEMPTS; i++) {
      const response = await signIn('mover');
      assert.equal(response.statusCode, 200, `attempt ${i + 1}: ${response.body}`);
    }
    const users = (await harness.store.users.list({ limit: 500 })).items.filter((user) => user.authMethod === 'corp');
    const mover = users.find((user) => user.externalSub === 'u-mover');
    assert.equal(mover?.email, 'mover@example.com', 'the clashing email is not taken over');
    assert.equal(mover?.name, 'Mover', 'the rest of the profile is refreshed');
    assert.equal(users.find((user) => user.externalSub === 'u-holder')?.email, 'shared@example.com');
    const conflicts = await auditOf('auth_method.profile_conflict');
    assert.equal(conflicts.length, ATTEMPTS);
    assert.equal(conflicts[0]?.userId, mover?.id);
    assert.equal(warnings(/email belongs to another user/).length, ATTEMPTS);
  });
});
