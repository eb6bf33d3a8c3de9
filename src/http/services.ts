import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import type { CredentialVerifier } from '../domain/auth-methods/credential-verifier.js';
import type { AccessTokenVerifier } from '../domain/access-token-verifier.js';
import type { LoginThrottle } from '../domain/brute-force/login-throttle.js';
import type { PasswordHasher } from '../domain/passwords.js';
import type { RateLimiter } from '../domain/rate-limit.js';
import type { GatehouseMetrics } from '../observability/metrics.js';
import type { RevocationBus } from '../domain/revocation-fanout.js';
import type { Store } from '../store/store.js';

/** What the HTTP layer is given by the composition root (src/gatehouse.ts). */
export interface Services {
  readonly config: Config;
  readonly logger: Logger;
  readonly store: Store;
  readonly passwords: PasswordHasher;
  /** The password verifier of each configured auth method, by auth method id. */
  readonly verifiers: ReadonlyMap<string, CredentialVerifier>;
  /** null: single-process mode, shared state in memory. */
  readonly redis: Redis | null;
  /** The clock, injectable so that tests of expiry and lockout need no sleeps. */
  readonly now: () => number;
  /** The gateway's cached access-token check; revocations evict from it in every process. */
  readonly accessTokens: AccessTokenVerifier;
  /** Plans' rate limits, counted in Redis when configured. */
  readonly rateLimiter: RateLimiter;
  /** Revocations from every process (after the access-token cache has dropped them). */
  readonly revocations: Pick<RevocationBus, 'subscribe'>;
  /** Brute-force protection of the password grant (per account and per client address). */
  readonly loginThrottle: LoginThrottle;
  /** Where the brute-force counters are counted right now, for /readyz. */
  readonly bruteForceCounters: () => 'memory' | 'redis' | 'local-fallback';
  /** Prometheus metrics; null when `metrics.enabled` is false. */
  readonly metrics: GatehouseMetrics | null;
  /** Where the rate limits are counted right now, for /readyz. */
  readonly rateLimitCounters: () => 'memory' | 'redis' | 'local-fallback';
  /** The public listener's port: the one it is bound to once listening (the config may say 0). */
  readonly publicPort: () => number;
}
