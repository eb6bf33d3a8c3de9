// The configuration as the rest of Gatehouse sees it: validated, defaults applied, references
// resolved. Everything is readonly; the process reads it once at start-up.

export interface ListenerConfig {
  readonly host: string;
  readonly port: number;
}

export interface PublicListenerConfig extends ListenerConfig {
  /** Milliseconds a request body may make no progress, or a response go unread, before 408 / close. */
  readonly idleTimeoutMs: number;
  /** Milliseconds by which a whole request (headers and body) must have arrived: 408. */
  readonly requestTimeoutMs: number;
  /** Milliseconds by which an /auth endpoint's body must have arrived whole: 408. */
  readonly tokenBodyTimeoutMs: number;
}

export interface LocalAuthMethodConfig {
  readonly kind: 'local';
  readonly id: string;
  readonly name: string;
}

export interface ExternalAuthMethodConfig {
  readonly kind: 'external';
  readonly id: string;
  readonly name: string;
  readonly url: string;
  readonly timeoutMs: number;
  readonly secretHeader: { readonly name: string; readonly value: string } | null;
}

export type AuthMethodConfig = LocalAuthMethodConfig | ExternalAuthMethodConfig;

export interface GroupConfig {
  readonly id: string;
  readonly name: string;
}

export interface RateLimitWindowsConfig {
  readonly perSecond?: number;
  readonly perMinute?: number;
  readonly perHour?: number;
}

export interface RateLimitConfig extends RateLimitWindowsConfig {
  /** Limits of each user of a subscription, on top of the subscription's own. */
  readonly perUser?: RateLimitWindowsConfig;
}

export interface PlanConfig {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly requiresApproval: boolean;
  readonly rateLimit: RateLimitConfig | null;
  /** Upstream requests of one subscription in flight at once, per process; absent: a quarter of the pool. */
  readonly maxConcurrent?: number;
}

export interface ScopeConfig {
  readonly id: string;
  readonly description: string;
}

/** The grant types an API may allow at its token endpoint (RFC 6749 §4, §6). */
export const GRANT_TYPES = ['password', 'refresh_token', 'authorization_code', 'client_credentials'] as const;
export type GrantType = (typeof GRANT_TYPES)[number];

/** Limits of one API's WebSocket connections (schema.ts has the defaults). */
export interface WebSocketConfig {
  /** Bytes: the largest message either side may send. */
  readonly maxMessageBytes: number;
  /** Bytes queued towards one side above which the other side is no longer read. */
  readonly maxBufferedBytes: number;
  /** Milliseconds a side may stay above maxBufferedBytes before the connection is closed. */
  readonly stallTimeoutMs: number;
  /** Seconds; null: no limit but the access token's expiry. */
  readonly maxLifetimeSeconds: number | null;
}

export interface ApiConfig {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  /** Normalised: starts with `/`, no trailing `/`. */
  readonly pathPrefix: string;
  readonly upstreamUrl: string;
  readonly stripPrefix: boolean;
  readonly forwardAuthorization: boolean;
  readonly authMethods: readonly string[];
  readonly group: string | null;
  /** Seconds. */
  readonly accessTokenLifetime: number;
  /** Seconds a refresh token stays usable without being used. */
  readonly refreshTokenIdleLifetime: number;
  /** Seconds from the password grant after which the whole login ends, refreshes or not. */
  readonly sessionLifetime: number;
  /** Seconds during which a just-rotated refresh token may be presented again (0: strict). */
  readonly refreshGraceSeconds: number;
  readonly scopes: readonly ScopeConfig[];
  readonly plans: readonly PlanConfig[];
  /** The grants its token endpoint accepts (default: all of GRANT_TYPES). */
  readonly grants: readonly GrantType[];
  /** Milliseconds: no upstream response headers by then is 504; absent: gateway.upstreamTimeoutMs. */
  readonly upstreamTimeoutMs?: number;
  readonly websocket: WebSocketConfig;
  /** Connections to the upstream per process; absent: gateway.upstreamConnections. */
  readonly upstreamConnections?: number;
  /** Where the API's OpenAPI document comes from (the portal's reference page); null: none. */
  readonly openapi?: OpenApiSource | null;
}

export type OpenApiSource = { readonly kind: 'file'; readonly path: string } | { readonly kind: 'url'; readonly url: string };

export type SignUpMode = 'closed' | 'open' | 'approval';

export interface PortalConfig {
  readonly signUp: SignUpMode;
}

export interface GatewayConfig {
  /** Milliseconds; the default of each API's upstreamTimeoutMs. */
  readonly upstreamTimeoutMs: number;
  /** The default of each API's upstreamConnections. */
  readonly upstreamConnections: number;
  /** Milliseconds a request may wait for a free upstream connection: then 503. */
  readonly poolWaitTimeoutMs: number;
  readonly tokenCache: {
    readonly maxEntries: number;
    /** Milliseconds a process may trust a cached token without asking the store again. */
    readonly ttlMs: number;
  };
}

export interface LockoutConfig {
  readonly failuresAllowed: number;
  /** Seconds. */
  readonly waitIncrementSeconds: number;
  /** Seconds. */
  readonly maxWaitSeconds: number;
  /** Seconds after the last failure at which the count is forgotten. */
  readonly failureResetSeconds: number;
}

export interface BruteForceConfig {
  readonly accounts: LockoutConfig;
  readonly addresses: LockoutConfig;
  /** Authorization requests one client address may start. */
  readonly authorizationRequestsPerAddress: RateLimitWindowsConfig;
}

export interface MetricsConfig {
  /** false: no metrics endpoint and nothing recorded. */
  readonly enabled: boolean;
  readonly listener: 'portal' | 'public';
  readonly path: string;
}

export interface PasswordHashingConfig {
  /** Worker threads hashing passwords; 0: one per core. */
  readonly threads: number;
  /** Password checks allowed to wait for a thread; more are refused (503). */
  readonly maxQueued: number;
  /** Nice steps below the event loop's priority (Linux). */
  readonly niceIncrement: number;
  /** The threads run under SCHED_IDLE (Linux): preempted at once by any other runnable thread. */
  readonly idleScheduling: boolean;
}

export interface Config {
  /** Absolute path. */
  readonly dataDir: string;
  /** The public listener's base URL as clients see it, no trailing `/`; null: from the request's Host. */
  readonly publicUrl: string | null;
  readonly database: {
    /** null: the embedded SQLite store in dataDir. */
    readonly url: string | null;
    readonly schema: string | null;
    readonly poolSize: number;
    /** Milliseconds to get a connection (pool wait or a new one); then the store is unavailable. */
    readonly connectTimeoutMs: number;
    /** Milliseconds one statement may take (PostgreSQL statement_timeout). */
    readonly queryTimeoutMs: number;
  };
  readonly redis: {
    readonly url: string | null;
    /** How long a command may take before the caller falls back to local counters, ms. */
    readonly commandTimeoutMs: number;
  };
  readonly listeners: { readonly public: PublicListenerConfig; readonly portal: ListenerConfig };
  readonly log: { readonly level: string };
  readonly shutdownTimeoutMs: number;
  readonly authMethods: readonly AuthMethodConfig[];
  readonly groups: readonly GroupConfig[];
  readonly apis: readonly ApiConfig[];
  readonly gateway: GatewayConfig;
  readonly bruteForce: BruteForceConfig;
  readonly metrics: MetricsConfig;
  readonly passwordHashing: PasswordHashingConfig;
  /** Optional for configurations built in code; absent: sign-up closed. */
  readonly portal?: PortalConfig;
  /** Addresses or CIDR ranges whose X-Forwarded-For is trusted; empty: the peer is the client. */
  readonly trustedProxies: readonly string[];
}

export const DEFAULT_ACCESS_TOKEN_LIFETIME = 3600; // 1 hour, as in the seed's example response
export const DEFAULT_REFRESH_TOKEN_IDLE_LIFETIME = 14 * 24 * 3600; // 14 days
export const DEFAULT_SESSION_LIFETIME = 30 * 24 * 3600; // 30 days
export const DEFAULT_WEBSOCKET_LIMITS: WebSocketConfig = {
  maxMessageBytes: 1024 * 1024, // 1 MiB
  maxBufferedBytes: 1024 * 1024, // 1 MiB
  stallTimeoutMs: 30_000, // 30 s
  maxLifetimeSeconds: null,
};

export class ConfigError extends Error {
  readonly code = 'config_invalid';
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}
