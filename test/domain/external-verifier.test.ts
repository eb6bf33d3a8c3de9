import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test, type TestContext } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { ExternalAuthMethodConfig } from '../../src/config/config.js';
import type { CredentialCheck } from '../../src/domain/auth-methods/credential-verifier.js';
import { createExternalVerifier, MAX_ANSWER_BYTES } from '../../src/domain/auth-methods/external-verifier.js';
import type { AuthMethodReporting } from '../../src/domain/auth-methods/auth-method-reports.js';
import { openPostgresStore } from '../../src/store/postgres.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { NewAuditEvent, Store } from '../../src/store/store.js';
import { DATABASE_URL, freshSchema } from '../support/postgres.js';
import { tempDir } from '../support/temp-dir.js';

// The external auth method against a real HTTP service listening on 127.0.0.1 in this process,
// and a real store (PostgreSQL in a fresh schema when DATABASE_URL is set, SQLite otherwise), so that what reaches the wire and what lands in the store are both
// what production sees.

const PASSWORD = 'correct horse battery staple ✓';
const NOW = 1_700_000_000_000;

interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

interface Service {
  readonly url: string;
  readonly requests: SeenRequest[];
}

type Handler = (request: SeenRequest, res: ServerResponse) => void;

/** A local HTTP service that records every request it receives and answers with `handler`. */
async function startService(t: TestContext, handler: Handler): Promise<Service> {
  const requests: SeenRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() };
      requests.push(seen);
      handler(seen, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(async () => {
    // Handlers that never answer leave sockets open; close() alone would wait for them.
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/verify`, requests };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function freshStore(t: TestContext): Promise<Store> {
  if (DATABASE_URL) {
    const schema = freshSchema(DATABASE_URL);
    const store = await openPostgresStore({ url: DATABASE_URL, schema: schema.name, poolSize: 2 });
    t.after(async () => {
      await store.close();
      await schema.drop();
    });
    return store;
  }
  const dir = tempDir();
  const store = await openSqliteStore({ dataDir: dir.path });
  t.after(async () => {
    await store.close();
    dir.remove();
  });
  return store;
}

function methodConfig(url: string, overrides: Partial<ExternalAuthMethodConfig> = {}): ExternalAuthMethodConfig {
  return { kind: 'external', id: 'corp', name: 'Corporate directory', url, timeoutMs: 2000, secretHeader: null, ...overrides };
}

async function verifyAgainst(
  t: TestContext,
  handler: Handler,
  overrides: Partial<ExternalAuthMethodConfig> = {},
): Promise<{ check: CredentialCheck; service: Service; store: Store }> {
  const service = await startService(t, handler);
  const store = await freshStore(t);
  const verifier = createExternalVerifier(methodConfig(service.url, overrides), { users: store.users, now: () => NOW });
  const check = await verifier.verify('alice', PASSWORD);
  return { check, service, store };
}

function assertUnavailable(check: CredentialCheck, reason: RegExp): void {
  assert.equal(check.outcome, 'unavailable', `expected unavailable, got ${JSON.stringify(check)}`);
  assert.match(check.reason, reason);
  assert.ok(!check.reason.includes(PASSWORD), 'the reason must never carry the password');
}

async function assertNoUsers(store: Store): Promise<void> {
  assert.deepEqual((await store.users.list()).items, []);
}

describe('external auth method: accepted', () => {
  test('a 200 profile is accepted and recorded as a user keyed by (auth method, sub)', async (t) => {
    const { check, store } = await verifyAgainst(t, (_req, res) =>
      json(res, 200, { sub: 'u-17', email: 'Alice@Example.COM', name: 'Alice', groups: ['staff', 'ops'] }),
    );
    assert.equal(check.outcome, 'accepted');
    assert.equal(check.user.authMethod, 'corp');
    assert.equal(check.user.externalSub, 'u-17');
    const stored = await store.users.findById(check.user.id);
    assert.ok(stored);
    assert.equal(stored.authMethod, 'corp');
    assert.equal(stored.externalSub, 'u-17');
    assert.equal(stored.email, 'alice@example.com');
    assert.equal(stored.name, 'Alice');
    assert.deepEqual(stored.groups, ['staff', 'ops']);
    assert.equal(stored.passwordHash, null, 'the password of an external identity is never stored');
    assert.equal(stored.createdAt, NOW);
  });

  test('a second login updates email, name and groups instead of creating a second user', async (t) => {
    const profiles = [
      { sub: 'u-17', email: 'alice@example.com', name: 'Alice', groups: ['staff'] },
      { sub: 'u-17', email: 'alice@new.example', name: 'Alice Liddell', groups: [] },
    ];
    const service = await startService(t, (_req, res) => json(res, 200, profiles.shift()));
    const store = await freshStore(t);
    let now = NOW;
    const verifier = createExternalVerifier(methodConfig(service.url), { users: store.users, now: () => now });
    const first = await verifier.verify('alice', PASSWORD);
    now += 60_000;
    const second = await verifier.verify('alice', PASSWORD);
    assert.equal(first.outcome, 'accepted');
    assert.equal(second.outcome, 'accepted');
    assert.equal(second.user.id, first.user.id);
    const all = (await store.users.list()).items;
    assert.equal(all.length, 1);
    assert.equal(all[0]?.email, 'alice@new.example');
    assert.equal(all[0]?.name, 'Alice Liddell');
    assert.deepEqual(all[0]?.groups, []);
    assert.equal(all[0]?.createdAt, NOW);
    assert.equal(all[0]?.updatedAt, NOW + 60_000);
  });

  test('the same sub from another external auth method is another user', async (t) => {
    const service = await startService(t, (_req, res) => json(res, 200, { sub: 'u-17' }));
    const store = await freshStore(t);
    const deps = { users: store.users, now: () => NOW };
    const a = await createExternalVerifier(methodConfig(service.url), deps).verify('alice', PASSWORD);
    const b = await createExternalVerifier(methodConfig(service.url, { id: 'partners' }), deps).verify('alice', PASSWORD);
    assert.equal(a.outcome, 'accepted');
    assert.equal(b.outcome, 'accepted');
    assert.notEqual(a.user.id, b.user.id);
    assert.equal(b.user.authMethod, 'partners');
  });

  test('a profile with only sub, null email and name, and extra properties is accepted', async (t) => {
    const { check } = await verifyAgainst(t, (_req, res) => json(res, 200, { sub: 'u-1', email: null, name: null, locale: 'fr' }));
    assert.equal(check.outcome, 'accepted');
    assert.equal(check.user.email, null);
    assert.equal(check.user.name, null);
    assert.deepEqual(check.user.groups, []);
  });

  test('an answer just under the size cap is read whole', async (t) => {
    const filler = 'x'.repeat(MAX_ANSWER_BYTES - 100);
    const { check } = await verifyAgainst(t, (_req, res) => json(res, 200, { sub: 'u-1', name: filler }));
    assert.equal(check.outcome, 'accepted');
    assert.equal(check.user.name, filler);
  });

  test('a user disabled in Gatehouse is rejected even though the service accepts the password', async (t) => {
    const service = await startService(t, (_req, res) => json(res, 200, { sub: 'u-17' }));
    const store = await freshStore(t);
    const verifier = createExternalVerifier(methodConfig(service.url), { users: store.users, now: () => NOW });
    const first = await verifier.verify('alice', PASSWORD);
    assert.equal(first.outcome, 'accepted');
    await store.users.update(first.user.id, { disabled: true }, NOW);
    assert.deepEqual(await verifier.verify('alice', PASSWORD), { outcome: 'rejected' });
  });
});

describe('external auth method: what goes on the wire', () => {
  test('one POST with exactly {"username","password"} as JSON, JSON content type and accept', async (t) => {
    const { service } = await verifyAgainst(t, (_req, res) => json(res, 200, { sub: 'u-1' }));
    assert.equal(service.requests.length, 1);
    const [request] = service.requests;
    assert.ok(request);
    assert.equal(request.method, 'POST');
    assert.equal(request.url, '/verify');
    assert.equal(request.headers['content-type'], 'application/json');
    assert.equal(request.headers.accept, 'application/json');
    assert.deepEqual(JSON.parse(request.body), { username: 'alice', password: PASSWORD });
    assert.deepEqual(Object.keys(JSON.parse(request.body) as object), ['username', 'password']);
  });

  test('the configured shared-secret header arrives with its value', async (t) => {
    const { service } = await verifyAgainst(t, (_req, res) => json(res, 200, { sub: 'u-1' }), {
      secretHeader: { name: 'X-Gatehouse-Secret', value: 'sh4red-s3cret' },
    });
    assert.equal(service.requests[0]?.headers['x-gatehouse-secret'], 'sh4red-s3cret');
  });

  test('no shared-secret header is sent when none is configured', async (t) => {
    const { service } = await verifyAgainst(t, (_req, res) => json(res, 200, { sub: 'u-1' }));
    assert.equal(service.requests.length, 1);
    assert.equal(service.requests[0]?.headers['x-gatehouse-secret'], undefined);
  });
});

describe('external auth method: rejected', () => {
  const rejections: ReadonlyArray<readonly [string, Handler]> = [
    ['401', (_req, res) => json(res, 401, { error: 'invalid_credentials' })],
    ['403', (_req, res) => json(res, 403, { error: 'account_locked' })],
    ['401 without a body', (_req, res) => res.writeHead(401).end()],
    ['200 with an error field', (_req, res) => json(res, 200, { error: 'invalid_credentials' })],
    ['200 with an error field next to a sub', (_req, res) => json(res, 200, { sub: 'u-1', error: 'password_expired' })],
  ];
  for (const [name, handler] of rejections) {
    test(`${name}: rejected, tried once, nothing recorded`, async (t) => {
      const { check, service, store } = await verifyAgainst(t, handler);
      assert.deepEqual(check, { outcome: 'rejected' });
      assert.equal(service.requests.length, 1);
      await assertNoUsers(store);
    });
  }
});

describe('external auth method: unavailable', () => {
  const failures: ReadonlyArray<readonly [string, Handler, RegExp]> = [
    ['500', (_req, res) => json(res, 500, { error: 'database down' }), /HTTP 500/],
    ['503', (_req, res) => res.writeHead(503).end(), /HTTP 503/],
    ['404', (_req, res) => res.writeHead(404).end('not found'), /HTTP 404/],
    ['204', (_req, res) => res.writeHead(204).end(), /HTTP 204/],
    ['garbage (not JSON)', (_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>hi</html>'), /not JSON/],
    ['an empty 200', (_req, res) => res.writeHead(200).end(), /not JSON/],
    [
      // Decoded leniently this would be a valid profile with a U+FFFD in its sub.
      'a profile that is not UTF-8',
      (_req, res) => res.writeHead(200).end(Buffer.concat([Buffer.from('{"sub":"u-'), Buffer.from([0xff]), Buffer.from('"}')])),
      /not JSON/,
    ],
    ['a JSON array', (_req, res) => json(res, 200, [{ sub: 'u-1' }]), /not an object/],
    ['a JSON string', (_req, res) => json(res, 200, 'u-1'), /not an object/],
    ['JSON without sub', (_req, res) => json(res, 200, { email: 'alice@example.com' }), /malformed/],
    ['an empty sub', (_req, res) => json(res, 200, { sub: '' }), /malformed/],
    ['a numeric sub', (_req, res) => json(res, 200, { sub: 17 }), /malformed/],
    ['email of the wrong type', (_req, res) => json(res, 200, { sub: 'u-1', email: ['a@b.c'] }), /malformed/],
    ['groups that are not strings', (_req, res) => json(res, 200, { sub: 'u-1', groups: ['ok', 3] }), /malformed/],
    ['groups that are not an array', (_req, res) => json(res, 200, { sub: 'u-1', groups: 'staff' }), /malformed/],
    ['a malformed profile that echoes the password', (req, res) => json(res, 200, { sub: 5, echo: JSON.parse(req.body) }), /malformed/],
    [
      'an oversize body with a content-length',
      (_req, res) => {
        const body = JSON.stringify({ sub: 'u-1', name: 'x'.repeat(MAX_ANSWER_BYTES) });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
      },
      /exceeds/,
    ],
    [
      'an oversize body streamed in chunks without a content-length',
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"sub":"u-1","name":"');
        for (let i = 0; i < 17; i++) res.write('x'.repeat(4096));
        res.end('"}');
      },
      /exceeds/,
    ],
    [
      // 64 KiB of JSON gzips to a few hundred bytes: the cap counts what is inflated.
      'an oversize body that is small when gzipped',
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
        res.end(gzipSync(JSON.stringify({ sub: 'u-1', name: 'x'.repeat(MAX_ANSWER_BYTES) })));
      },
      /exceeds/,
    ],
    ['a redirect, which is not followed', (_req, res) => res.writeHead(302, { location: '/elsewhere' }).end(), /HTTP 302.*redirect/],
    ['a 307 redirect, which is not followed', (_req, res) => res.writeHead(307, { location: '/elsewhere' }).end(), /HTTP 307.*redirect/],
    ['a connection closed before answering', (req, res) => res.socket?.destroy(), /could not be reached/],
  ];
  for (const [name, handler, reason] of failures) {
    test(`${name}: unavailable, tried once, nothing recorded`, async (t) => {
      const { check, service, store } = await verifyAgainst(t, handler);
      assertUnavailable(check, reason);
      assert.equal(service.requests.length, 1, 'the password is tried exactly once');
      await assertNoUsers(store);
    });
  }

  // The test-level timeout only stops a hang if the verifier forgot its own; it asserts nothing.
  const hangGuard = { timeout: 20_000 };

  test('a service that never answers: unavailable after the timeout, tried once', hangGuard, async (t) => {
    const { check, service, store } = await verifyAgainst(t, () => {}, { timeoutMs: 200 });
    assertUnavailable(check, /did not answer within 200 ms/);
    assert.equal(service.requests.length, 1);
    await assertNoUsers(store);
  });

  test('a service that sends headers and then stalls the body: unavailable, the timeout covers the body', hangGuard, async (t) => {
    const { check, service } = await verifyAgainst(
      t,
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"sub":"u-');
      },
      { timeoutMs: 200 },
    );
    assertUnavailable(check, /did not answer within 200 ms/);
    assert.equal(service.requests.length, 1);
  });

  test('connection refused: unavailable', async (t) => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const store = await freshStore(t);
    const verifier = createExternalVerifier(methodConfig(`http://127.0.0.1:${port}/verify`), { users: store.users, now: () => NOW });
    assertUnavailable(await verifier.verify('alice', PASSWORD), /could not be reached \(ECONNREFUSED\)/);
    await assertNoUsers(store);
  });

  test('a redirect is not followed: the target never sees the password', async (t) => {
    const { check, service } = await verifyAgainst(t, (req, res) => {
      if (req.url === '/verify') res.writeHead(307, { location: '/elsewhere' }).end();
      else json(res, 200, { sub: 'u-1' });
    });
    assert.equal(check.outcome, 'unavailable');
    assert.deepEqual(
      service.requests.map((r) => r.url),
      ['/verify'],
    );
  });

  test('a store failure other than a conflict is not disguised as the service being down', async (t) => {
    const service = await startService(t, (_req, res) => json(res, 200, { sub: 'u-1' }));
    const failing = new Error('disk full');
    const verifier = createExternalVerifier(methodConfig(service.url), {
      users: { upsertExternal: () => Promise.reject(failing) },
      now: () => NOW,
    });
    await assert.rejects(verifier.verify('alice', PASSWORD), (error) => error === failing);
  });

  test('the injected fetch is the one used, called once with redirect manual and a signal', async (t) => {
    const calls: RequestInit[] = [];
    const store = await freshStore(t);
    const verifier = createExternalVerifier(methodConfig('http://service.invalid/verify'), {
      users: store.users,
      now: () => NOW,
      fetch: async (_url, init) => {
        calls.push(init ?? {});
        return new Response(JSON.stringify({ sub: 'u-9' }), { status: 200 });
      },
    });
    const check = await verifier.verify('alice', PASSWORD);
    assert.equal(check.outcome, 'accepted');
    assert.equal(calls.length, 1);
    assert.equal(calls[0]?.redirect, 'manual');
    assert.ok(calls[0]?.signal instanceof AbortSignal);
  });
});

/** Collects what the verifier reports, as the composition root's logger and audit store would receive it. */
function recordingReporting(): AuthMethodReporting & { readonly warnings: string[]; readonly events: NewAuditEvent[] } {
  const warnings: string[] = [];
  const events: NewAuditEvent[] = [];
  return {
    warnings,
    events,
    now: () => NOW,
    log: { warn: (_details, message) => warnings.push(message), info: () => undefined },
    audit: {
      record: async (event) => {
        events.push(event);
        return { id: String(events.length), actorUserId: null, userId: null, applicationId: null, subscriptionId: null, apiId: null, familyId: null, ip: null, details: {}, ...event };
      },
    },
  };
}

describe('external auth method: a profile email another user of the method holds (issue 13 item 13)', () => {
  test('a returning user whose email moved to one another user holds: accepted, email kept, a warning and an audit row', async (t) => {
    const profiles = [
      { sub: 'u-1', email: 'alice@example.com', name: 'Alice' },
      { sub: 'u-2', email: 'bob@example.com', name: 'Bob' },
      { sub: 'u-2', email: 'ALICE@example.com', name: 'Bob B.', groups: ['ops'] },
    ];
    const service = await startService(t, (_req, res) => json(res, 200, profiles.shift()));
    const store = await freshStore(t);
    const reporting = recordingReporting();
    const verifier = createExternalVerifier(methodConfig(service.url), { users: store.users, now: () => NOW, reporting });
    const alice = await verifier.verify('alice', PASSWORD);
    const bob = await verifier.verify('bob', PASSWORD);
    const again = await verifier.verify('bob', PASSWORD);
    assert.equal(alice.outcome, 'accepted');
    assert.equal(bob.outcome, 'accepted');
    assert.equal(again.outcome, 'accepted', `the sign-in goes ahead, got ${JSON.stringify(again)}`);
    assert.equal(again.user.id, bob.user.id);
    assert.equal(again.user.email, 'bob@example.com', 'the clashing email is not taken over');
    assert.equal(again.user.name, 'Bob B.', 'the other fields are refreshed');
    assert.deepEqual(again.user.groups, ['ops']);
    assert.equal((await store.users.findById(alice.user.id))?.email, 'alice@example.com', 'the holder keeps it');
    assert.equal(reporting.warnings.length, 1);
    assert.match(reporting.warnings[0] as string, /email belongs to another user/);
    assert.deepEqual(
      reporting.events.map((event) => [event.type, event.userId, event.details]),
      [['auth_method.profile_conflict', bob.user.id, { authMethod: 'corp', field: 'email', kept: 'previous' }]],
    );
  });

  test('a first sign-in with an email another user holds: accepted as a new user without the email', async (t) => {
    const profiles = [
      { sub: 'u-1', email: 'alice@example.com', name: 'Alice' },
      { sub: 'u-2', email: 'alice@example.com', name: 'New holder' },
    ];
    const service = await startService(t, (_req, res) => json(res, 200, profiles.shift()));
    const store = await freshStore(t);
    const reporting = recordingReporting();
    const verifier = createExternalVerifier(methodConfig(service.url), { users: store.users, now: () => NOW, reporting });
    const first = await verifier.verify('alice', PASSWORD);
    const second = await verifier.verify('alice', PASSWORD);
    assert.equal(first.outcome, 'accepted');
    assert.equal(second.outcome, 'accepted');
    assert.notEqual(second.user.id, first.user.id, 'another sub is another user');
    assert.equal(second.user.email, null);
    assert.equal(second.user.name, 'New holder');
    const holder = await store.users.findById(first.user.id);
    assert.equal(holder?.email, 'alice@example.com');
    assert.equal(holder?.name, 'Alice', 'the first user is untouched');
    assert.equal(reporting.events[0]?.details?.kept, 'none');
  });
});

describe('external auth method: ill-formed profile strings (issue 13 item 14)', () => {
  const illFormed: ReadonlyArray<readonly [string, Record<string, unknown>, RegExp]> = [
    ['a NUL in sub', { sub: 'u-\u0000-1' }, /\/sub holds a control character/],
    ['a NUL in name', { sub: 'u-1', name: 'Al\u0000ice' }, /\/name holds a control character/],
    ['a NUL in email', { sub: 'u-1', email: 'alice\u0000@example.com' }, /\/email holds a control character/],
    ['a terminal escape in name', { sub: 'u-1', name: 'Alice\u001b]0;owned\u0007' }, /\/name holds a control character/],
    ['a NUL in a group', { sub: 'u-1', groups: ['ops\u0000'] }, /\/groups\/0 holds a control character/],
    ['a lone high surrogate in sub', { sub: 'u-\ud800' }, /\/sub holds an unpaired UTF-16 surrogate/],
    ['a lone low surrogate in sub', { sub: 'u-\udc00x' }, /\/sub holds an unpaired UTF-16 surrogate/],
    ['a lone surrogate in name', { sub: 'u-1', name: 'A\ud83d' }, /\/name holds an unpaired UTF-16 surrogate/],
  ];
  for (const [name, profile, reason] of illFormed) {
    test(`${name}: unavailable, nothing stored`, async (t) => {
      // JSON.stringify writes a lone surrogate as a \\uXXXX escape: valid JSON, an ill-formed string once parsed.
      const { check, store } = await verifyAgainst(t, (_req, res) => json(res, 200, profile));
      assertUnavailable(check, reason);
      await assertNoUsers(store);
    });
  }

  test('two subs that differ only in a lone surrogate never merge into one user', async (t) => {
    const subs = ['u-\ud800', 'u-\ud801'];
    const service = await startService(t, (_req, res) => json(res, 200, { sub: subs.shift() }));
    const store = await freshStore(t);
    const verifier = createExternalVerifier(methodConfig(service.url), { users: store.users, now: () => NOW });
    assert.equal((await verifier.verify('a', PASSWORD)).outcome, 'unavailable');
    assert.equal((await verifier.verify('b', PASSWORD)).outcome, 'unavailable');
    await assertNoUsers(store);
  });

  test('well-formed non-ASCII (an emoji pair, accents, a tab-free name) is accepted unchanged', async (t) => {
    const { check } = await verifyAgainst(t, (_req, res) => json(res, 200, { sub: 'u-😀-é', name: 'Zoë 😀' }));
    assert.equal(check.outcome, 'accepted');
    assert.equal(check.user.externalSub, 'u-😀-é');
    assert.equal(check.user.name, 'Zoë 😀');
  });
});
