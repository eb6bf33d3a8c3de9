import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after } from 'node:test';
import { hashTokenValue, newTokenValue } from '../../src/domain/token-values.js';
import type { TokenFamily } from '../../src/store/store.js';
import { testConfig } from './gatehouse-instance.js';
import { createClient, createUser, oauthRawConfig, startOAuthGatehouse, type OAuthHarness, type TestClient } from './oauth-fixtures.js';

// Fixtures of the client-library tests: a Gatehouse listening on a real port (the libraries speak
// HTTP, not app.inject), seeded with one user and one client of each type, behind a recording
// proxy that shows which client authentication each library really used on the wire.

/** Spaces, `+`, `&`, `=` and non-ASCII: a library that does not form-encode the body breaks it. */
export const USER_PASSWORD = 'Tr0ub4dor &= 3+ été ✓';

export interface SeenTokenRequest {
  readonly authorization: string | undefined;
  readonly contentType: string | undefined;
  readonly parameters: Readonly<Record<string, string>>;
}

export type ClientAuthentication = 'client_secret_basic' | 'client_secret_post' | 'none';

export interface LiveGatehouse {
  readonly harness: OAuthHarness;
  /** Base URL of the recording proxy in front of the public listener, e.g. http://127.0.0.1:4711. */
  readonly baseUrl: string;
  readonly login: string;
  readonly userId: string;
  readonly confidential: TestClient & { readonly clientSecret: string };
  readonly public: TestClient;
  /** Every request the libraries sent to a token endpoint, in order. */
  readonly tokenRequests: SeenTokenRequest[];
}

export const tokenPath = (authMethodId = 'local', apiId = 'orders') => `/auth/${authMethodId}/api/${apiId}/token`;

/**
 * Client secrets shaped as Gatehouse issues them (base64url, token-values.ts). The shared
 * fixture's secrets carry `:+/ é` to test Basic decoding; real libraries must get real secrets:
 * simple-oauth2 refuses non-ASCII secrets and requests' HTTPBasicAuth does not form-encode
 * (RFC 6749 §2.3.1), which interoperates only because issued secrets need no encoding.
 */
async function withIssuedSecret(harness: OAuthHarness, client: TestClient): Promise<TestClient & { readonly clientSecret: string }> {
  const clientSecret = newTokenValue();
  await harness.store.subscriptions.update(client.subscription.id, { clientSecretHash: hashTokenValue(clientSecret) }, harness.now());
  return { ...client, clientSecret };
}

export async function startLiveGatehouse(options: { externalUrl?: string; apiOverrides?: Record<string, unknown> } = {}): Promise<LiveGatehouse> {
  const raw = oauthRawConfig(options.apiOverrides);
  if (options.externalUrl !== undefined) {
    raw.authMethods = (raw.authMethods as Array<Record<string, unknown>>).map((method) =>
      method.type === 'external' ? { ...method, url: options.externalUrl } : method,
    );
  }
  const harness = await startOAuthGatehouse({ config: testConfig(raw) });
  const addresses = await harness.gatehouse.listen();
  const user = await createUser(harness, { email: `reader-${newTokenValue().slice(0, 6).toLowerCase()}@example.com`, password: USER_PASSWORD });
  const confidential = await withIssuedSecret(harness, await createClient(harness, { clientType: 'confidential' }));
  const publicClient = await createClient(harness, { clientType: 'public' });
  const tokenRequests: SeenTokenRequest[] = [];
  const baseUrl = await startRecordingProxy(new URL(addresses.public), tokenRequests);
  return { harness, baseUrl, login: user.login, userId: user.user.id, confidential, public: publicClient, tokenRequests };
}

function parseBody(contentType: string | undefined, body: string): Record<string, string> {
  if (contentType?.startsWith('application/json')) {
    return Object.fromEntries(Object.entries(JSON.parse(body) as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
  }
  return Object.fromEntries(new URLSearchParams(body));
}

/** Forwards everything to `target` unchanged and records the token requests on the way. */
async function startRecordingProxy(target: URL, seen: SeenTokenRequest[]): Promise<string> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (req.method === 'POST' && req.url?.endsWith('/token')) {
        seen.push({
          authorization: req.headers.authorization,
          contentType: req.headers['content-type'],
          parameters: parseBody(req.headers['content-type'], body.toString()),
        });
      }
      const headers: IncomingHttpHeaders = { ...req.headers };
      const upstream = httpRequest(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', (error) => res.destroy(error));
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  // Keep-alive connections (a browser's) would hold close() until they time out.
  after(() => new Promise<void>((resolve) => (server.close(() => resolve()), server.closeAllConnections())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** How a recorded request authenticated its client, read off the wire (RFC 6749 §2.3.1). */
export function clientAuthenticationOf(request: SeenTokenRequest): ClientAuthentication {
  const basic = /^basic\s+(\S+)$/i.exec(request.authorization ?? '');
  if (basic) {
    const decoded = Buffer.from(basic[1] as string, 'base64').toString();
    assert.equal(request.parameters.client_secret ?? '', '', 'a secret in Basic and in the body at once');
    return decoded.slice(decoded.indexOf(':') + 1) === '' ? 'none' : 'client_secret_basic';
  }
  assert.equal(request.authorization, undefined, `unexpected Authorization header ${request.authorization}`);
  return (request.parameters.client_secret ?? '') === '' ? 'none' : 'client_secret_post';
}

/** Asserts the token requests the library sent: their grant types in order, all with `method`. */
export function assertTokenRequests(live: LiveGatehouse, grantTypes: readonly string[], method: ClientAuthentication): void {
  assert.deepEqual(
    live.tokenRequests.map((r) => r.parameters.grant_type),
    grantTypes,
  );
  for (const request of live.tokenRequests) assert.equal(clientAuthenticationOf(request), method);
}

/**
 * Asserts that `accessToken` is a Gatehouse token of this user and client, and whether its login
 * has been revoked (reuse of a rotated refresh token revokes it: RFC 9700 §4.14.2).
 */
export async function assertIssuedTo(
  live: LiveGatehouse,
  accessToken: unknown,
  client: TestClient,
  expected: { readonly userId?: string; readonly revoked?: boolean } = {},
): Promise<TokenFamily> {
  assert.equal(typeof accessToken, 'string');
  const record = await live.harness.store.tokens.findAccessToken(hashTokenValue(accessToken as string));
  assert.ok(record, 'the access token is one Gatehouse issued');
  assert.equal(record.family.userId, expected.userId ?? live.userId);
  assert.equal(record.family.subscriptionId, client.subscription.id);
  assert.equal(record.family.revokedAt !== null, expected.revoked ?? false, 'the login is revoked');
  return record.family;
}
