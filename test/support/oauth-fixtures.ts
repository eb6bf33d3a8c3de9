import { randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { createPasswordHasher, type Argon2Parameters, type PasswordHasher } from '../../src/domain/passwords.js';
import { hashTokenValue, newTokenValue } from '../../src/domain/token-values.js';
import type { Gatehouse } from '../../src/gatehouse.js';
import type { ClientType, Store, Subscription, SubscriptionStatus, User } from '../../src/store/store.js';
import { after } from 'node:test';
import type { Config } from '../../src/config/config.js';
import { loadConfig } from '../../src/config/load-config.js';
import { createLogger } from '../../src/logging.js';
import { minimalConfig, writeConfig } from './config-files.js';
import { DATABASE_URL, freshSchema } from './postgres.js';
import { startTestGatehouse, testConfig, type LogCapture } from './gatehouse-instance.js';

// Shared fixtures of the OAuth tests: a config with two APIs and two local auth methods, users
// and clients made straight in the store, and one helper per way of calling the token endpoint.

/** Cheap argon2id for tests that are not about the OWASP parameters themselves. */
export const FAST_ARGON2: Argon2Parameters = { memoryCost: 1024, timeCost: 1, parallelism: 1 };
export const fastHasher = (): PasswordHasher => createPasswordHasher(FAST_ARGON2);

/** A fast hasher that counts the password checks made (no enumeration, no hashing while locked). */
export function countingHasher(): PasswordHasher & { readonly calls: () => number } {
  const inner = fastHasher();
  let calls = 0;
  return {
    hash: (password) => inner.hash(password),
    verify: (hash, password) => ((calls += 1), inner.verify(hash, password)),
    verifyDummy: (password) => ((calls += 1), inner.verifyDummy(password)),
    calls: () => calls,
  };
}

export const TOKEN_URL = '/auth/local/api/orders/token';
export const REVOKE_URL = '/auth/local/api/orders/revoke';

export function oauthRawConfig(apiOverrides: Record<string, unknown> = {}): Record<string, unknown> {
  const raw = minimalConfig();
  raw.authMethods = [
    { id: 'local', type: 'local' },
    { id: 'staff', type: 'local', name: 'Staff accounts' },
    // Nothing listens on port 1: every password check through it is `unavailable`.
    { id: 'corp', type: 'external', url: 'http://127.0.0.1:1/verify', timeoutMs: 1000 },
  ];
  raw.apis = [
    {
      id: 'orders',
      name: 'Orders',
      pathPrefix: '/orders',
      upstreamUrl: 'http://127.0.0.1:9',
      authMethods: ['local', 'corp'],
      group: 'partners',
      accessTokenLifetime: 900,
      scopes: [{ id: 'orders:read' }, { id: 'orders:write' }],
      ...apiOverrides,
    },
    { id: 'billing', name: 'Billing', pathPrefix: '/billing', upstreamUrl: 'http://127.0.0.1:9', authMethods: ['local', 'staff'] },
  ];
  return raw;
}

export interface OAuthHarness {
  readonly gatehouse: Gatehouse;
  readonly store: Store;
  readonly passwords: PasswordHasher;
  /** Moves the injected clock. */
  advance(ms: number): void;
  now(): number;
}

/** The embedded store, whatever DATABASE_URL says. */
export function sqliteConfig(raw: Record<string, unknown> = oauthRawConfig()): Config {
  return loadConfig({ path: writeConfig(raw), env: { DATABASE_URL: '' } });
}

/** PostgreSQL in a fresh schema (dropped when the file ends); null without DATABASE_URL. */
export function postgresConfig(raw: Record<string, unknown> = oauthRawConfig()): Config | null {
  if (!DATABASE_URL) return null;
  const schema = freshSchema(DATABASE_URL);
  after(schema.drop);
  return loadConfig({ path: writeConfig(raw), env: { DATABASE_URL, DATABASE_SCHEMA: schema.name } });
}

export async function startOAuthGatehouse(
  options: { raw?: Record<string, unknown>; config?: Config; passwords?: PasswordHasher; logs?: LogCapture; logLevel?: string } = {},
): Promise<OAuthHarness> {
  let clock = Date.now();
  const passwords = options.passwords ?? fastHasher();
  const { logs, logLevel } = options;
  const gatehouse = await startTestGatehouse(options.config ?? testConfig(options.raw ?? oauthRawConfig()), {
    passwords,
    now: () => clock,
    ...(logs ? { logs, ...(logLevel ? { logger: createLogger(logLevel, logs.stream) } : {}) } : {}),
  });
  return {
    gatehouse,
    store: gatehouse.services.store,
    passwords,
    advance: (ms) => (clock += ms),
    now: () => clock,
  };
}

export async function createUser(
  harness: Pick<OAuthHarness, 'store' | 'passwords' | 'now'>,
  options: { email?: string; username?: string; password?: string; passwordHash?: string; disabled?: boolean } = {},
): Promise<{ user: User; login: string; password: string }> {
  const password = options.password ?? `pw-${randomBytes(9).toString('base64url')}`;
  const email = options.email ?? (options.username ? null : `user-${randomBytes(4).toString('hex')}@example.com`);
  const user = await harness.store.users.create(
    {
      authMethod: 'local',
      email,
      username: options.username ?? null,
      passwordHash: options.passwordHash ?? (await harness.passwords.hash(password)),
      disabled: options.disabled ?? false,
    },
    harness.now(),
  );
  return { user, login: email ?? (options.username as string), password };
}

export interface TestClient {
  readonly clientId: string;
  /** null for a public client. */
  readonly clientSecret: string | null;
  readonly subscription: Subscription;
}

export async function createClient(
  harness: Pick<OAuthHarness, 'store' | 'now'>,
  options: { apiId?: string; clientType?: ClientType; trusted?: boolean; status?: SubscriptionStatus } = {},
): Promise<TestClient> {
  const { store } = harness;
  const now = harness.now();
  const owner = await store.users.create({ authMethod: 'local', email: `owner-${randomBytes(4).toString('hex')}@example.com` }, now);
  const clientType = options.clientType ?? 'confidential';
  const application = await store.applications.create({ name: `app ${randomBytes(3).toString('hex')}`, clientType, ownerIds: [owner.id] }, now);
  const clientId = `client-${randomBytes(8).toString('hex')}`;
  // A secret with characters that HTTP Basic must form-encode (RFC 6749 §2.3.1).
  const clientSecret = clientType === 'confidential' ? `${newTokenValue()}:+/ é` : null;
  const subscription = await store.subscriptions.create(
    {
      applicationId: application.id,
      apiId: options.apiId ?? 'orders',
      plan: 'default',
      trusted: options.trusted ?? true,
      status: options.status ?? 'approved',
      clientId,
      clientSecretHash: clientSecret === null ? null : hashTokenValue(clientSecret),
    },
    now,
  );
  return { clientId, clientSecret, subscription };
}

/** RFC 6749 §2.3.1: each half form-urlencoded, then base64. */
export function basicAuthorization(clientId: string, clientSecret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString('base64')}`;
}

export type Parameters = Record<string, string>;

export interface PostOptions {
  readonly json?: boolean;
  readonly headers?: Record<string, string>;
  readonly url?: string;
}

export function postForm(harness: OAuthHarness, parameters: Parameters, options: PostOptions = {}): Promise<LightMyRequestResponse> {
  const body = options.json ? JSON.stringify(parameters) : new URLSearchParams(parameters).toString();
  return harness.gatehouse.publicServer.inject({
    method: 'POST',
    url: options.url ?? TOKEN_URL,
    headers: { 'content-type': options.json ? 'application/json' : 'application/x-www-form-urlencoded', ...options.headers },
    payload: body,
  });
}

/** The client's own credentials as body parameters (client_secret_post, or client_id alone). */
export function clientParameters(client: TestClient): Parameters {
  return client.clientSecret === null ? { client_id: client.clientId } : { client_id: client.clientId, client_secret: client.clientSecret };
}

export interface TokenBody {
  readonly access_token: string;
  readonly refresh_token: string;
  readonly token_type: string;
  readonly expires_in: number;
  readonly scope?: string;
}

export async function passwordLogin(harness: OAuthHarness, client: TestClient, login: string, password: string): Promise<TokenBody> {
  const response = await postForm(harness, { grant_type: 'password', username: login, password, ...clientParameters(client) });
  if (response.statusCode !== 200) throw new Error(`password grant failed: ${response.statusCode} ${response.body}`);
  return response.json() as TokenBody;
}

export function refresh(harness: OAuthHarness, client: TestClient, refreshToken: string): Promise<LightMyRequestResponse> {
  return postForm(harness, { grant_type: 'refresh_token', refresh_token: refreshToken, ...clientParameters(client) });
}
