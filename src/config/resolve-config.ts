import { isIP } from 'node:net';
import path from 'node:path';
import {
  ConfigError,
  DEFAULT_ACCESS_TOKEN_LIFETIME,
  DEFAULT_REFRESH_TOKEN_IDLE_LIFETIME,
  DEFAULT_SESSION_LIFETIME,
  type ApiConfig,
  type AuthMethodConfig,
  type Config,
  type GrantType,
  type SignUpMode,
} from './config.js';
import type { RawConfig, RawExternalAuthMethod, RawLocalAuthMethod } from './schema.js';

// Cross-references the schema cannot express: unique ids and path prefixes, APIs naming auth
// methods and groups that exist. Each failure names the key, as the schema errors do.

// Paths the public listener serves itself; an API prefix may not shadow them.
const RESERVED_PREFIXES = ['/auth', '/healthz', '/readyz', '/.well-known'];
// The built-in API the management API signs in through (domain/portal-sign-in.ts).
const RESERVED_API_IDS = ['gatehouse-portal'];

type RawAuthMethod = RawLocalAuthMethod | RawExternalAuthMethod;

function fail(key: string, message: string): never {
  throw new ConfigError(`${key}: ${message}`);
}

function checkUnique(items: readonly { id: string }[], key: string): void {
  const seen = new Map<string, number>();
  items.forEach((item, index) => {
    const earlier = seen.get(item.id);
    if (earlier !== undefined) fail(`${key}[${index}].id`, `duplicate id "${item.id}" (also ${key}[${earlier}])`);
    seen.set(item.id, index);
  });
}

function normalisePrefix(prefix: string): string {
  return prefix.length > 1 ? prefix.replace(/\/+$/, '') : prefix;
}

function overlaps(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
}

function resolveAuthMethod(raw: RawAuthMethod, index: number, env: NodeJS.ProcessEnv): AuthMethodConfig {
  const name = raw.name ?? raw.id;
  if (raw.type === 'local') return { kind: 'local', id: raw.id, name };
  let secretHeader: { name: string; value: string } | null = null;
  if (raw.secretHeader) {
    const key = `authMethods[${index}].secretHeader`;
    const { value, valueFromEnv } = raw.secretHeader;
    if ((value === undefined) === (valueFromEnv === undefined)) fail(key, 'needs exactly one of value or valueFromEnv');
    const resolved = value ?? env[valueFromEnv as string];
    if (!resolved) fail(`${key}.valueFromEnv`, `environment variable ${valueFromEnv} is not set`);
    secretHeader = { name: raw.secretHeader.name, value: resolved };
  }
  return { kind: 'external', id: raw.id, name, url: raw.url, timeoutMs: raw.timeoutMs, secretHeader };
}

function resolveApi(
  raw: RawConfig['apis'][number],
  index: number,
  authMethodIds: Set<string>,
  groupIds: Set<string>,
  gateway: RawConfig['gateway'],
  configDir: string,
): ApiConfig {
  const key = `apis[${index}]`;
  if (RESERVED_API_IDS.includes(raw.id)) fail(`${key}.id`, `"${raw.id}" is reserved for Gatehouse's own sign-in`);
  raw.authMethods.forEach((id, j) => {
    if (!authMethodIds.has(id)) {
      fail(`${key}.authMethods[${j}]`, `unknown auth method "${id}" (declared: ${[...authMethodIds].join(', ')})`);
    }
  });
  if (new Set(raw.authMethods).size !== raw.authMethods.length) fail(`${key}.authMethods`, 'lists an auth method twice');
  if (raw.group !== undefined && !groupIds.has(raw.group)) {
    fail(`${key}.group`, `unknown group "${raw.group}" (declared: ${[...groupIds].join(', ') || 'none'})`);
  }
  checkUnique(raw.plans, `${key}.plans`);
  const upstreamConnections = raw.upstreamConnections ?? gateway.upstreamConnections;
  checkUnique(raw.scopes, `${key}.scopes`);
  const grants = raw.grants as GrantType[];
  if (new Set(grants).size !== grants.length) fail(`${key}.grants`, 'lists a grant twice');
  // RFC 6749 §1.5: refresh tokens come only from another grant; alone it would issue nothing.
  if (grants.includes('refresh_token') && !grants.some((grant) => grant === 'password' || grant === 'authorization_code')) {
    fail(`${key}.grants`, 'refresh_token needs password or authorization_code: no other grant issues refresh tokens');
  }
  const pathPrefix = normalisePrefix(raw.pathPrefix);
  if (pathPrefix === '/') fail(`${key}.pathPrefix`, 'must be more than "/"');
  const reserved = RESERVED_PREFIXES.find((r) => overlaps(pathPrefix, r));
  if (reserved) fail(`${key}.pathPrefix`, `"${pathPrefix}" collides with Gatehouse's own ${reserved}`);
  return {
    id: raw.id,
    name: raw.name,
    description: raw.description ?? '',
    pathPrefix,
    upstreamUrl: raw.upstreamUrl.replace(/\/+$/, ''),
    stripPrefix: raw.stripPrefix,
    forwardAuthorization: raw.forwardAuthorization,
    authMethods: raw.authMethods,
    group: raw.group ?? null,
    accessTokenLifetime: raw.accessTokenLifetime ?? DEFAULT_ACCESS_TOKEN_LIFETIME,
    refreshTokenIdleLifetime: raw.refreshTokenIdleLifetime ?? DEFAULT_REFRESH_TOKEN_IDLE_LIFETIME,
    sessionLifetime: raw.sessionLifetime ?? DEFAULT_SESSION_LIFETIME,
    refreshGraceSeconds: raw.refreshGraceSeconds,
    scopes: raw.scopes.map((s) => ({ id: s.id, description: s.description ?? '' })),
    plans: raw.plans.map((p) => ({
      id: p.id,
      name: p.name,
      description: p.description ?? '',
      requiresApproval: p.requiresApproval,
      rateLimit: p.rateLimit ?? null,
      maxConcurrent: p.maxConcurrent ?? defaultMaxConcurrent(upstreamConnections),
    })),
    grants,
    upstreamTimeoutMs: raw.upstreamTimeoutMs ?? gateway.upstreamTimeoutMs,
    websocket: { ...raw.websocket, maxLifetimeSeconds: raw.websocket.maxLifetimeSeconds ?? null },
    upstreamConnections,
    openapi: openApiSource(raw.openapi, configDir),
  };
}

function openApiSource(value: string | undefined, configDir: string): ApiConfig['openapi'] {
  if (value === undefined) return null;
  if (/^https?:\/\//i.test(value)) return { kind: 'url', url: value };
  return { kind: 'file', path: path.resolve(configDir, value) };
}

/** One application's fair share of an API's upstream pool: a quarter, so that no one app takes it all. */
export function defaultMaxConcurrent(upstreamConnections: number): number {
  return Math.max(1, Math.ceil(upstreamConnections / 4));
}

/** An IPv4/IPv6 address, optionally with a /prefix length (what Fastify's trustProxy list accepts). */
function checkProxy(entry: string, index: number): string {
  const [address = '', bits, ...rest] = entry.split('/');
  const version = isIP(address);
  const maxBits = version === 6 ? 128 : 32;
  const validBits = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= maxBits);
  if (version === 0 || rest.length > 0 || !validBits) fail(`trustedProxies[${index}]`, `"${entry}" is not an IP address or CIDR range`);
  return entry;
}

/** `authMethods` must already have been validated entry by entry against their own kind. */
export function resolveConfig(raw: RawConfig, configDir: string, env: NodeJS.ProcessEnv): Config {
  const authMethodsRaw = raw.authMethods as unknown as RawAuthMethod[];
  checkUnique(authMethodsRaw, 'authMethods');
  checkUnique(raw.groups, 'groups');
  checkUnique(raw.apis, 'apis');
  const authMethodIds = new Set(authMethodsRaw.map((m) => m.id));
  const groupIds = new Set(raw.groups.map((g) => g.id));
  const apis = raw.apis.map((api, i) => resolveApi(api, i, authMethodIds, groupIds, raw.gateway, configDir));
  apis.forEach((api, i) => {
    const clash = apis.findIndex((other, j) => j < i && overlaps(other.pathPrefix, api.pathPrefix));
    if (clash >= 0) fail(`apis[${i}].pathPrefix`, `"${api.pathPrefix}" overlaps apis[${clash}].pathPrefix "${apis[clash]?.pathPrefix}"`);
  });
  const { public: publicListener, portal } = raw.listeners;
  if (publicListener.port !== 0 && publicListener.port === portal.port && publicListener.host === portal.host) {
    fail('listeners.portal.port', 'must differ from listeners.public.port');
  }
  const metrics = { enabled: raw.metrics.enabled, listener: raw.metrics.listener as 'portal' | 'public', path: raw.metrics.path };
  const metricsClash = [...RESERVED_PREFIXES, ...(metrics.listener === 'public' ? apis.map((api) => api.pathPrefix) : [])].find((prefix) =>
    overlaps(metrics.path, prefix),
  );
  if (metrics.enabled && metricsClash) fail('metrics.path', `"${metrics.path}" collides with ${metricsClash} on the ${metrics.listener} listener`);
  return {
    dataDir: path.resolve(configDir, raw.dataDir),
    publicUrl: raw.publicUrl?.replace(/\/+$/, '') ?? null,
    database: {
      url: raw.database.url ?? null,
      schema: raw.database.schema ?? null,
      poolSize: raw.database.poolSize,
      connectTimeoutMs: raw.database.connectTimeoutMs,
      queryTimeoutMs: raw.database.queryTimeoutMs,
    },
    redis: { url: raw.redis.url ?? null, commandTimeoutMs: raw.redis.commandTimeoutMs },
    listeners: { public: publicListener, portal },
    log: { level: raw.log.level },
    shutdownTimeoutMs: raw.shutdownTimeoutMs,
    authMethods: authMethodsRaw.map((m, i) => resolveAuthMethod(m, i, env)),
    groups: raw.groups,
    apis,
    gateway: {
      upstreamTimeoutMs: raw.gateway.upstreamTimeoutMs,
      upstreamConnections: raw.gateway.upstreamConnections,
      poolWaitTimeoutMs: raw.gateway.poolWaitTimeoutMs,
      tokenCache: { ...raw.gateway.tokenCache },
    },
    bruteForce: {
      accounts: { ...raw.bruteForce.accounts },
      addresses: { ...raw.bruteForce.addresses },
      authorizationRequestsPerAddress: { ...raw.bruteForce.authorizationRequestsPerAddress },
    },
    metrics,
    passwordHashing: { ...raw.passwordHashing },
    portal: { signUp: raw.portal.signUp as SignUpMode },
    trustedProxies: raw.trustedProxies.map((entry, i) => checkProxy(entry, i)),
  };
}
