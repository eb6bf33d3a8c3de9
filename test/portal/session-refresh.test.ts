import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PORTAL_CLIENT_ID } from '../../src/domain/portal-sign-in.js';
import { startTestGatehouse, testConfig } from '../support/gatehouse-instance.js';
import { fastHasher } from '../support/oauth-fixtures.js';
import { managementRawConfig, SIGN_IN_URL } from '../management/management-fixtures.js';

// Issue 13 item 10: portal/session.js, run as it is against a real Gatehouse over HTTP. A view
// fires several management calls at once with an expired access token: one refresh is sent and
// shared, every call succeeds, and the sign-in survives. The browser's globals it uses are
// provided: sessionStorage, location, and fetch (relative URLs resolved against the server).

const MINUTE = 60_000;
let clock = Date.now();
const passwords = fastHasher();
const gatehouse = await startTestGatehouse(testConfig(managementRawConfig()), { passwords, now: () => clock });
const { portal } = await gatehouse.listen();
const { store } = gatehouse.services;

const storage = new Map<string, string>();
const tokenRequests: string[] = [];
Object.assign(globalThis, {
  sessionStorage: {
    getItem: (key: string) => storage.get(key) ?? null,
    setItem: (key: string, value: string) => void storage.set(key, String(value)),
    removeItem: (key: string) => void storage.delete(key),
  },
  location: { hash: '#/' },
});
const realFetch = globalThis.fetch;
globalThis.fetch = (async (input: string | URL | Request, init?: RequestInit) => {
  const url = new URL(String(input), portal);
  if (url.pathname.endsWith('/token')) tokenRequests.push(String(new URLSearchParams(String(init?.body ?? '')).get('grant_type')));
  return realFetch(url, init);
}) as typeof fetch;

const sessionModule: string = '../../portal/session.js'; // plain browser JavaScript, untyped
const session = (await import(sessionModule)) as {
  tokenRequest(url: string, fields: Record<string, string>): Promise<void>;
  api(method: string, path: string, body?: unknown): Promise<unknown>;
  refresh(): Promise<boolean>;
  signedIn(): boolean;
};

describe('portal session refresh', () => {
  it('several calls with an expired access token share one refresh; the sign-in survives', async () => {
    const password = 'correct horse battery';
    const user = await store.users.create({ authMethod: 'local', email: 'ada@example.com', passwordHash: await passwords.hash(password), admin: true }, clock);
    await session.tokenRequest(`${portal}${SIGN_IN_URL}`, { grant_type: 'password', username: 'ada@example.com', password });
    assert.equal((await session.api('GET', '/users/me') as { id: string }).id, user.id);

    for (let round = 0; round < 3; round += 1) {
      clock += 16 * MINUTE; // past the 15-minute access token
      tokenRequests.length = 0;
      const results = await Promise.all([
        session.api('GET', '/users/me'),
        session.api('GET', '/applications?limit=5'),
        session.api('GET', '/approvals?limit=5'),
        session.api('GET', '/users?limit=5'),
      ]);
      assert.equal(results.length, 4);
      assert.deepEqual(tokenRequests, ['refresh_token'], `round ${round}: exactly one refresh for four calls`);
      assert.ok(session.signedIn());
    }
    const families = await store.tokens.listActiveFamilies({ userId: user.id }, clock);
    assert.equal(families.items.length, 1, 'the one sign-in is alive (no reuse detection)');
    const reused = await store.audit.list({ type: 'refresh_token.reused' }, { limit: 10 });
    assert.equal(reused.items.length, 0);
  });

  it('a lost refresh answer: the same refresh token presented again within the grace window still works', async () => {
    await store.users.create({ authMethod: 'local', email: 'bob@example.com', passwordHash: await passwords.hash('bob password 1'), admin: false }, clock);
    const signIn = await realFetch(`${portal}${SIGN_IN_URL}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'password', client_id: PORTAL_CLIENT_ID, username: 'bob@example.com', password: 'bob password 1' }),
    });
    const { refresh_token: first } = (await signIn.json()) as { refresh_token: string };
    const refreshWith = (token: string) =>
      realFetch(`${portal}${SIGN_IN_URL}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'refresh_token', client_id: PORTAL_CLIENT_ID, refresh_token: token }),
      });
    assert.equal((await refreshWith(first)).status, 200);
    clock += 5_000; // a second CLI process, moments later, with the same stored token
    const retry = await refreshWith(first);
    assert.equal(retry.status, 200, await retry.clone().text());
    const { refresh_token: latest } = (await retry.json()) as { refresh_token: string };
    assert.equal((await refreshWith(latest)).status, 200, 'the retry’s token carries on');
  });
});
