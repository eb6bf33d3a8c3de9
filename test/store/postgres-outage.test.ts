import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { loadConfig } from '../../src/config/load-config.js';
import { PORTAL_CLIENT_ID } from '../../src/domain/portal-sign-in.js';
import { writeConfig } from '../support/config-files.js';
import { captureLogs, startTestGatehouse } from '../support/gatehouse-instance.js';
import { createClient, createUser, fastHasher, postForm, type OAuthHarness, type TestClient } from '../support/oauth-fixtures.js';
import { DATABASE_URL, freshSchema, POSTGRES_SKIP_REASON } from '../support/postgres.js';
import { startTcpProxy, throughProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { gatewayRawConfig, startUpstream } from '../gateway/gateway-harness.js';

// Issue 13 item 4: PostgreSQL stalled (a proxy of our own that stops forwarding bytes) or
// refusing connections (the proxy closed). Every surface answers 503 in bounded time — token
// endpoint temporarily_unavailable + Retry-After, the gateway with an uncached token a JSON 503,
// the management API problem+json — and everything works again once the database is back,
// without a restart. The shared PostgreSQL itself is never touched.

/** Not a duration assertion: only turns "still waiting" into a failure instead of a hung run. */
const HANG_LIMIT_MS = 60_000;

async function answered(request: Promise<LightMyRequestResponse>, what: string): Promise<LightMyRequestResponse> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: still waiting after ${HANG_LIMIT_MS / 1000} s`)), HANG_LIMIT_MS);
  });
  try {
    return await Promise.race([request, hung]);
  } finally {
    clearTimeout(timer);
  }
}

if (DATABASE_URL === undefined) {
  it('PostgreSQL outage', { skip: POSTGRES_SKIP_REASON }, () => {});
} else {
  const url = DATABASE_URL;

  const target = new URL(url);
  const proxy: TcpProxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  after(() => proxy.close());
  const upstream = await startUpstream();
  after(() => new Promise<void>((resolve) => upstream.server.close(() => resolve())));
  const raw = await gatewayRawConfig(upstream.url);
  // Short bounds keep the test quick; the defaults (5 s) behave the same, only slower.
  raw.database = { connectTimeoutMs: 1000, queryTimeoutMs: 1000, poolSize: 4 };
  const schema = freshSchema(url);
  after(schema.drop);
  const config = loadConfig({ path: writeConfig(raw), env: { DATABASE_URL: throughProxy(url, proxy.port), DATABASE_SCHEMA: schema.name } });
  let clock = Date.now();
  const passwords = fastHasher();
  const logs = captureLogs();
  const gatehouse = await startTestGatehouse(config, { passwords, now: () => clock, logs });
  const harness: OAuthHarness = { gatehouse, store: gatehouse.services.store, passwords, advance: (ms) => (clock += ms), now: () => clock };
  const user = await createUser(harness);
  const client: TestClient = await createClient(harness);
  const admin = await createUser(harness);
  await harness.store.users.update(admin.user.id, { admin: true }, harness.now());

  describe('PostgreSQL stalled or refusing: 503 everywhere, recovery without restart', () => {
    let adminToken: string;
    before(async () => {
      const signIn = await portalSignIn(admin.login, admin.password);
      assert.equal(signIn.statusCode, 200, signIn.body);
      adminToken = (signIn.json() as { access_token: string }).access_token;
    });

    const portalSignIn = (login: string, password: string) =>
      harness.gatehouse.portalServer.inject({
        method: 'POST',
        url: '/auth/local/api/gatehouse-portal/token',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ grant_type: 'password', client_id: PORTAL_CLIENT_ID, username: login, password }).toString(),
      });

    const passwordGrant = () =>
      answered(
        postForm(harness, { grant_type: 'password', username: user.login, password: user.password, client_id: client.clientId, client_secret: client.clientSecret ?? '' }),
        'token endpoint',
      );

    /** A token the gateway has never seen, so that checking it needs the database. */
    async function uncachedToken(): Promise<string> {
      const response = await passwordGrant();
      assert.equal(response.statusCode, 200, response.body);
      return (response.json() as { access_token: string }).access_token;
    }

    const gateway = (token: string) =>
      answered(harness.gatehouse.publicServer.inject({ method: 'GET', url: '/orders/items', headers: { authorization: `Bearer ${token}` } }), 'gateway');

    const management = () =>
      answered(
        harness.gatehouse.portalServer.inject({ method: 'GET', url: '/api/v1/users', headers: { authorization: `Bearer ${adminToken}` } }),
        'management API',
      );

    async function assertAllUnavailable(token: string, phase: string): Promise<void> {
      const grant = await passwordGrant();
      assert.equal(grant.statusCode, 503, `${phase}: token endpoint ${grant.body}`);
      assert.equal((grant.json() as { error: string }).error, 'temporarily_unavailable');
      assert.match(String(grant.headers['retry-after']), /^\d+$/);
      assert.equal(grant.headers['cache-control'], 'no-store');

      const proxied = await gateway(token);
      assert.equal(proxied.statusCode, 503, `${phase}: gateway ${proxied.body}`);
      assert.match(String(proxied.headers['content-type']), /^application\/json/);
      assert.equal((proxied.json() as { error: string }).error, 'temporarily_unavailable');
      assert.match(String(proxied.headers['retry-after']), /^\d+$/);

      const managed = await management();
      assert.equal(managed.statusCode, 503, `${phase}: management ${managed.body}`);
      assert.match(String(managed.headers['content-type']), /^application\/problem\+json/);
      assert.equal((managed.json() as { status: number; code: string }).code, 'temporarily_unavailable');
      assert.equal((managed.json() as { status: number }).status, 503);
      assert.match(String(managed.headers['retry-after']), /^\d+$/);

      for (const body of [grant.body, proxied.body, managed.body]) {
        assert.doesNotMatch(body, /postgres|127\.0\.0\.1|ECONN|timeout exceeded|stack/i, 'no internals on the wire');
      }
    }

    async function assertAllWorking(phase: string): Promise<void> {
      const token = await uncachedToken();
      const proxied = await gateway(token);
      assert.deepEqual(proxied.json(), { seen: '/items' }, `${phase}: the gateway reached the upstream`);
      const managed = await management();
      assert.equal(managed.statusCode, 200, `${phase}: management ${managed.body}`);
    }

    it('works through the proxy before anything happens', () => assertAllWorking('before'));

    it('PostgreSQL paused: 503 on the three surfaces, then recovery once it answers again', async () => {
      const token = await uncachedToken();
      proxy.pause();
      try {
        await assertAllUnavailable(token, 'paused');
        // Still answering on a second round: the stalled connections were not handed out again.
        await assertAllUnavailable(token, 'paused, again');
      } finally {
        proxy.resume();
      }
      await assertAllWorking('after resume');
      assert.ok(logs.lines.some((line) => line.includes('database unavailable')), 'the outage is logged');
    });

    it('PostgreSQL refusing connections: 503 on the three surfaces, then recovery once it accepts', async () => {
      const token = await uncachedToken();
      await proxy.refuse();
      try {
        await assertAllUnavailable(token, 'refusing');
      } finally {
        await proxy.accept();
      }
      await assertAllWorking('after accept');
    });
  });
}
