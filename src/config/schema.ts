import Type from 'typebox';
import { DEFAULT_WEBSOCKET_LIMITS as WS, GRANT_TYPES } from './config.js';

// The configuration file's schema. Defaults carry their unit in a comment; the loader applies
// them, validates, then runs the cross-reference checks of config/validate-references.ts.

const Identifier = Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,62}$', description: 'lower-case id: a-z, 0-9, _ and -' });
const Seconds = Type.Integer({ minimum: 1, maximum: 10 * 365 * 24 * 3600 });

const listenerAddress = {
  host: Type.String({ minLength: 1, default: '127.0.0.1' }),
  port: Type.Integer({ minimum: 0, maximum: 65535 }),
};

const Listener = Type.Object(listenerAddress, { additionalProperties: false });

// The public listener faces every client, hostile ones included: each request it holds is bounded
// in time, so that a slow or stalled client frees what it holds (a pool connection, a slot).
const PublicListener = Type.Object(
  {
    ...listenerAddress,
    // A request body with no new byte, or a response the client does not read, for this long:
    // 408 (the connection is closed when the response has started) and everything is freed.
    idleTimeoutMs: Type.Integer({ minimum: 100, maximum: 600_000, default: 30_000 }), // 30 s
    // The whole request, headers and body, must have arrived by then: 408.
    requestTimeoutMs: Type.Integer({ minimum: 1_000, maximum: 3_600_000, default: 300_000 }), // 5 min
    // The /auth endpoints' bodies (64 KiB at most) must arrive whole within this: a body trickled
    // byte by byte is never idle long enough for idleTimeoutMs.
    tokenBodyTimeoutMs: Type.Integer({ minimum: 100, maximum: 60_000, default: 10_000 }), // 10 s
  },
  { additionalProperties: false },
);

export const LocalAuthMethod = Type.Object(
  {
    id: Identifier,
    type: Type.Literal('local'),
    name: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
);

const SecretHeader = Type.Object(
  {
    name: Type.String({ pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$", description: 'an HTTP header name' }),
    // The value itself, or the name of an environment variable holding it (keeps it out of the file).
    value: Type.Optional(Type.String({ minLength: 1 })),
    valueFromEnv: Type.Optional(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' })),
  },
  { additionalProperties: false },
);

export const ExternalAuthMethod = Type.Object(
  {
    id: Identifier,
    type: Type.Literal('external'),
    name: Type.Optional(Type.String({ minLength: 1 })),
    url: Type.String({ pattern: '^https?://', description: 'an http(s) URL' }),
    timeoutMs: Type.Integer({ minimum: 100, maximum: 60_000, default: 5_000 }), // 5 s
    secretHeader: Type.Optional(SecretHeader),
  },
  { additionalProperties: false },
);

const Group = Type.Object(
  {
    id: Identifier,
    name: Type.String({ minLength: 1 }),
  },
  { additionalProperties: false },
);

const RateLimitWindows = {
  perSecond: Type.Optional(Type.Integer({ minimum: 1 })),
  perMinute: Type.Optional(Type.Integer({ minimum: 1 })),
  perHour: Type.Optional(Type.Integer({ minimum: 1 })),
};

const RateLimit = Type.Object(
  {
    ...RateLimitWindows,
    // The same windows again, for each user of a subscription on their own.
    perUser: Type.Optional(Type.Object(RateLimitWindows, { additionalProperties: false })),
  },
  { additionalProperties: false },
);

const Plan = Type.Object(
  {
    id: Identifier,
    name: Type.String({ minLength: 1 }),
    description: Type.Optional(Type.String()),
    // A trusted subscription always waits for approval; this governs the others.
    requiresApproval: Type.Boolean({ default: false }),
    rateLimit: Type.Optional(RateLimit),
    // Upstream requests one subscription may have in flight at once, per process (its fair share
    // of the API's upstream pool); default: a quarter of the API's upstreamConnections.
    maxConcurrent: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
  },
  { additionalProperties: false },
);

const Scope = Type.Object(
  {
    id: Type.String({ pattern: '^[\\x21\\x23-\\x5B\\x5D-\\x7E]+$', description: 'an RFC 6749 §3.3 scope token' }),
    description: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

// The gateway's WebSocket proxy, per API. A connection holds at most about
// 2 × (maxBufferedBytes + 2 × maxMessageBytes) of memory: what is queued towards each side, plus
// one message being read from each side.
const WebSocketLimits = Type.Object(
  {
    // The largest message either side may send (RFC 6455 §7.4.1: a bigger one is closed with 1009).
    maxMessageBytes: Type.Integer({ minimum: 1024, maximum: 64 * 1024 * 1024, default: WS.maxMessageBytes }), // 1 MiB
    // Queued towards one side and not yet taken by it: above this, Gatehouse stops reading from the
    // other side (backpressure) until half of it is gone.
    maxBufferedBytes: Type.Integer({ minimum: 16 * 1024, maximum: 256 * 1024 * 1024, default: WS.maxBufferedBytes }), // 1 MiB
    // A side that stays above maxBufferedBytes this long is not reading: both sides are closed with 1008.
    stallTimeoutMs: Type.Integer({ minimum: 100, maximum: 600_000, default: WS.stallTimeoutMs }), // 30 s
    // Unset: a connection lasts until its access token expires or its login is revoked (both 1008).
    maxLifetimeSeconds: Type.Optional(Seconds), // closed with 1001 when reached
  },
  { additionalProperties: false, default: {} },
);

const Api = Type.Object(
  {
    id: Identifier,
    name: Type.String({ minLength: 1 }),
    description: Type.Optional(Type.String()),
    pathPrefix: Type.String({ pattern: '^/[A-Za-z0-9._~!$&\'()*+,;=:@%/-]*$', description: 'a URL path starting with /' }),
    upstreamUrl: Type.String({ pattern: '^https?://', description: 'an http(s) URL' }),
    stripPrefix: Type.Boolean({ default: true }),
    forwardAuthorization: Type.Boolean({ default: false }),
    authMethods: Type.Array(Identifier, { minItems: 1 }),
    group: Type.Optional(Identifier),
    accessTokenLifetime: Type.Optional(Seconds), // default 3600 s
    refreshTokenIdleLifetime: Type.Optional(Seconds), // default 14 days
    sessionLifetime: Type.Optional(Seconds), // absolute, default 30 days
    refreshGraceSeconds: Type.Integer({ minimum: 0, maximum: 300, default: 0 }), // strict rotation by default
    scopes: Type.Array(Scope, { default: [] }),
    plans: Type.Array(Plan, { minItems: 1, default: [{ id: 'default', name: 'Default', requiresApproval: false }] }),
    // The grant types its token endpoint accepts; any other is unsupported_grant_type there.
    grants: Type.Array(Type.Enum([...GRANT_TYPES]), { minItems: 1, default: [...GRANT_TYPES] }),
    // Overrides gateway.upstreamTimeoutMs for this API's upstream.
    upstreamTimeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 600_000 })), // ms
    websocket: WebSocketLimits,
    // Overrides gateway.upstreamConnections for this API's upstream.
    upstreamConnections: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
    // The API's OpenAPI document for the portal's reference page: a file (relative to this
    // config file) or an http(s) URL the server fetches (never the browser).
    openapi: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
  },
  { additionalProperties: false },
);

const Gateway = Type.Object(
  {
    // No response headers from an upstream within this time: 504 (also the connect timeout, and
    // the longest pause allowed between two chunks of a response body).
    upstreamTimeoutMs: Type.Integer({ minimum: 100, maximum: 600_000, default: 30_000 }), // 30 s
    // Connections each process keeps at most to one API's upstream (its pool).
    upstreamConnections: Type.Integer({ minimum: 1, maximum: 10_000, default: 128 }),
    // How long a request may wait for a free pool connection: then 503 with Retry-After.
    poolWaitTimeoutMs: Type.Integer({ minimum: 0, maximum: 60_000, default: 5_000 }), // 5 s
    tokenCache: Type.Object(
      {
        // Validated access tokens kept per process so that the gateway does not ask the store on
        // every request; an entry is a few hundred bytes, so 10,000 entries stay within ~5 MiB.
        maxEntries: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 10_000 }),
        // How long a process may go on trusting a cached token: the bound on how late a
        // revocation is felt if its fan-out message is lost.
        ttlMs: Type.Integer({ minimum: 1, maximum: 60_000, default: 1_000 }), // 1 s
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false, default: {} },
);

// Temporary lockout with increasing waits (Keycloak's brute force detection; OWASP Authentication
// Cheat Sheet): after `failuresAllowed` failures the subject is locked for `waitIncrementSeconds`,
// each further failure locks it for one increment more, up to `maxWaitSeconds`; the count is
// forgotten `failureResetSeconds` after the last failure, and at once after a success.
function lockoutPolicy(defaults: { failuresAllowed: number; waitIncrementSeconds: number; maxWaitSeconds: number; failureResetSeconds: number }) {
  return Type.Object(
    {
      failuresAllowed: Type.Integer({ minimum: 1, maximum: 100_000, default: defaults.failuresAllowed }),
      waitIncrementSeconds: Type.Integer({ minimum: 1, maximum: 24 * 3600, default: defaults.waitIncrementSeconds }),
      maxWaitSeconds: Type.Integer({ minimum: 1, maximum: 7 * 24 * 3600, default: defaults.maxWaitSeconds }),
      failureResetSeconds: Type.Integer({ minimum: 1, maximum: 30 * 24 * 3600, default: defaults.failureResetSeconds }),
    },
    { additionalProperties: false, default: {} },
  );
}

const BruteForce = Type.Object(
  {
    // Per account (auth method + user name, whether or not the account exists): 5 failures, then
    // 60 s, 120 s, ... up to 15 min; forgotten 12 h after the last failure.
    accounts: lockoutPolicy({ failuresAllowed: 5, waitIncrementSeconds: 60, maxWaitSeconds: 15 * 60, failureResetSeconds: 12 * 3600 }),
    // Per client address across accounts (credential stuffing): 100 failures, then 429 for 60 s,
    // 120 s, ... up to 15 min; forgotten 1 h after the last failure.
    addresses: lockoutPolicy({ failuresAllowed: 100, waitIncrementSeconds: 60, maxWaitSeconds: 15 * 60, failureResetSeconds: 3600 }),
    // Authorization requests (GET .../authorize) per client address: each one waits in the store
    // for up to 10 minutes, so this bounds what one address can make it hold (1,200 by default).
    // Past it the request goes back to the client as temporarily_unavailable (RFC 6749 §4.1.2.1).
    authorizationRequestsPerAddress: Type.Object(RateLimitWindows, { additionalProperties: false, default: { perMinute: 120 } }),
  },
  { additionalProperties: false, default: {} },
);

// Password hashing in the server (src/domain/hashing-pool.ts): argon2id on worker threads at a
// lower OS priority than the event loop, so that a flood of sign-ins cannot starve the gateway.
const PasswordHashing = Type.Object(
  {
    threads: Type.Integer({ minimum: 0, maximum: 256, default: 0 }), // worker threads; 0: one per core
    // Password checks waiting for a thread; past this a password grant gets 503
    // temporarily_unavailable with Retry-After at once (about 0.3 s of work per thread at
    // OWASP's parameters on a 2-core machine).
    maxQueued: Type.Integer({ minimum: 0, maximum: 100_000, default: 64 }), // password checks
    niceIncrement: Type.Integer({ minimum: 0, maximum: 19, default: 10 }), // Linux nice steps; 0: same priority as the event loop
    // Linux SCHED_IDLE (set with util-linux's chrt): a request-path thread that wakes preempts a
    // hashing thread at once instead of at the end of its time slice. false: the nice steps alone.
    idleScheduling: Type.Boolean({ default: true }),
  },
  { additionalProperties: false, default: {} },
);

export const ConfigSchema = Type.Object(
  {
    dataDir: Type.String({ minLength: 1, default: './data' }),
    // The public listener's URL as clients see it (behind a proxy, the proxy's), e.g. the OAuth
    // issuer in RFC 8414 metadata. Unset: derived from each request's Host.
    publicUrl: Type.Optional(Type.String({ pattern: '^https?://[^/?#]+(/[^?#]*)?$', description: 'an http(s) URL without query' })),
    database: Type.Object(
      {
        url: Type.Optional(Type.String({ pattern: '^postgres(ql)?://', description: 'a postgres:// URL' })),
        schema: Type.Optional(Type.String({ pattern: '^[a-z_][a-z0-9_]{0,62}$' })),
        poolSize: Type.Integer({ minimum: 1, maximum: 200, default: 10 }),
        // Waiting for a pooled connection, or opening a new one (TCP + start-up), start-up included.
        connectTimeoutMs: Type.Integer({ minimum: 100, maximum: 600_000, default: 5_000 }), // 5 s
        // One statement: sent as statement_timeout; the client gives up 1 s later on a stalled server.
        queryTimeoutMs: Type.Integer({ minimum: 100, maximum: 600_000, default: 5_000 }), // 5 s
      },
      { additionalProperties: false, default: {} },
    ),
    redis: Type.Object(
      {
        url: Type.Optional(Type.String({ pattern: '^rediss?://', description: 'a redis:// URL' })),
        // A request never waits longer than this for Redis: it counts locally instead.
        commandTimeoutMs: Type.Integer({ minimum: 1, maximum: 10_000, default: 50 }), // ms
      },
      { additionalProperties: false, default: {} },
    ),
    listeners: Type.Object(
      {
        public: PublicListener,
        portal: Listener,
      },
      { additionalProperties: false },
    ),
    log: Type.Object(
      {
        level: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { default: 'info' }),
      },
      { additionalProperties: false, default: {} },
    ),
    shutdownTimeoutMs: Type.Integer({ minimum: 0, maximum: 600_000, default: 10_000 }), // 10 s to drain
    // Each entry is checked against its own kind's schema by the loader, so that an error names
    // the one schema that applies instead of every branch of a union.
    authMethods: Type.Array(
      Type.Object({ id: Identifier, type: Type.Enum(['local', 'external']) }, { additionalProperties: true }),
      { minItems: 1 },
    ),
    groups: Type.Array(Group, { default: [] }),
    apis: Type.Array(Api, { default: [] }),
    gateway: Gateway,
    bruteForce: BruteForce,
    // Prometheus exposition (text format). On the portal listener by default: the public one faces
    // the internet, and metrics describe traffic an outsider should not see.
    metrics: Type.Object(
      {
        enabled: Type.Boolean({ default: true }),
        listener: Type.Enum(['portal', 'public'], { default: 'portal' }),
        path: Type.String({ pattern: '^/[A-Za-z0-9._~/-]*$', default: '/metrics', description: 'a URL path starting with /' }),
      },
      { additionalProperties: false, default: {} },
    ),
    passwordHashing: PasswordHashing,
    portal: Type.Object(
      {
        // Self sign-up of local accounts on the portal: closed (admins create accounts), open
        // (an account works at once) or approval (an admin approves each one first).
        signUp: Type.Enum(['closed', 'open', 'approval'], { default: 'closed' }),
      },
      { additionalProperties: false, default: {} },
    ),
    // Proxies (addresses or CIDR ranges) whose X-Forwarded-For is believed; from anyone else the
    // header is ignored, so that a client cannot pick the address it is throttled under.
    trustedProxies: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { default: [], maxItems: 1000 }),
  },
  { additionalProperties: false },
);

export type RawConfig = Type.Static<typeof ConfigSchema>;
export type RawApi = Type.Static<typeof Api>;
export type RawLocalAuthMethod = Type.Static<typeof LocalAuthMethod>;
export type RawExternalAuthMethod = Type.Static<typeof ExternalAuthMethod>;
