import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from './config/config.js';
import { createVerifiers } from './domain/auth-methods/verifiers.js';
import { createHashingPool, type HashingPoolStats } from './domain/hashing-pool.js';
import { createPasswordHasher, OWASP_ARGON2ID, type PasswordHasher } from './domain/passwords.js';
import { ensurePortalClient } from './domain/portal-sign-in.js';
import { createGatewayState } from './gateway-state.js';
import { startHousekeeping } from './housekeeping.js';
import { createLoginThrottleState } from './login-throttle-state.js';
import { createPortalServer } from './http/portal-server.js';
import { createPublicServer } from './http/public-server.js';
import type { Services } from './http/services.js';
import { RedisBreaker } from './shared-state/redis-breaker.js';
import { GatehouseMetrics } from './observability/metrics.js';
import { observeState } from './observability/state-gauges.js';
import { withHashMetrics } from './observability/timed-hasher.js';
import { withStoreMetrics } from './observability/timed-store.js';
import { openStore } from './store/open-store.js';
import type { Store } from './store/store.js';

// The composition root: the only module that chooses implementations (which store, whether
// Redis) and wires them into the HTTP layer.

export interface Gatehouse {
  readonly services: Services;
  readonly publicServer: FastifyInstance;
  readonly portalServer: FastifyInstance;
  /** The password-hashing pool's counters; null when the hasher was injected (tests). */
  hashingStats(): HashingPoolStats | null;
  /** Opens both listeners; resolves with their addresses. */
  listen(): Promise<{ readonly public: string; readonly portal: string }>;
  /** Stops accepting, drains in-flight requests, then closes the store and Redis. */
  close(): Promise<void>;
}

export interface GatehouseOptions {
  readonly logger: Logger;
  /** An already opened store (tests); otherwise the config's store is opened. */
  readonly store?: Store;
  readonly passwords?: PasswordHasher;
  readonly now?: () => number;
  /** For the external auth methods' HTTP calls (tests). */
  readonly fetch?: typeof fetch;
}

/**
 * Loaded only when Redis is configured: ioredis is 0.15–0.2 s of CPU at every start of a process
 * without it. A Redis that is still connecting when the first requests come is not an outage.
 */
async function connectedRedis(url: string, logger: Logger): Promise<Redis> {
  const { connectRedis, settleRedisConnection } = await import('./shared-state/redis-client.js');
  const redis = connectRedis(url, logger);
  await settleRedisConnection(redis);
  return redis;
}

export async function createGatehouse(config: Config, options: GatehouseOptions): Promise<Gatehouse> {
  const { logger } = options;
  const metrics = config.metrics.enabled ? new GatehouseMetrics(config) : null;
  const openedStore =
    options.store ??
    (await openStore(config, {
      onPoolError: (err) => logger.warn({ err }, 'idle database connection failed'),
      onWarning: (message, details) => logger.warn(details, message),
    }));
  const store = metrics ? withStoreMetrics(openedStore, metrics) : openedStore;
  const redis = config.redis.url !== null ? await connectedRedis(config.redis.url, logger) : null;
  const breaker = redis ? new RedisBreaker(redis, logger, config.redis.commandTimeoutMs) : null;
  const hashingPool = options.passwords ? null : createHashingPool(config.passwordHashing);
  const hasher = options.passwords ?? createPasswordHasher(OWASP_ARGON2ID, hashingPool ?? undefined);
  const passwords = metrics ? withHashMetrics(hasher, metrics) : hasher;
  const now = options.now ?? Date.now;
  const verifiers = createVerifiers(config.authMethods, {
    users: store.users,
    passwords,
    now,
    onUpgradeFailure: (userId, err) => logger.warn({ err, userId }, 'password hash upgrade failed; the login went ahead'),
    audit: store.audit,
    log: { warn: (details, message) => logger.warn(details, message), info: (details, message) => logger.info(details, message) },
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  // The built-in client the portal and the CLI sign in with (portal-sign-in.ts).
  await ensurePortalClient(store, now());
  const gateway = await createGatewayState(config, { store, redis, breaker, logger, now });
  const throttle = createLoginThrottleState(config, { redis, breaker, log: logger });
  if (metrics) {
    observeState(metrics, {
      accessTokens: gateway.accessTokens,
      loginThrottle: throttle.loginThrottle,
      now,
      hashing: () => hashingPool?.stats() ?? null,
      redis: () => breaker?.state ?? null,
      fanout: gateway.fanout,
    });
  }
  let boundPublicPort: number | null = null;
  const services: Services = {
    config,
    logger,
    store: gateway.store,
    passwords,
    verifiers,
    redis,
    now,
    accessTokens: gateway.accessTokens,
    rateLimiter: gateway.rateLimiter,
    revocations: gateway.revocations,
    loginThrottle: throttle.loginThrottle,
    bruteForceCounters: throttle.counterMode,
    metrics,
    rateLimitCounters: gateway.rateLimitCounters,
    publicPort: () => boundPublicPort ?? config.listeners.public.port,
  };
  const publicServer = createPublicServer(services);
  const portalServer = createPortalServer(services);
  let closing: Promise<void> | null = null;
  let stopHousekeeping: (() => void) | null = null;

  return {
    services,
    publicServer,
    portalServer,
    hashingStats: () => hashingPool?.stats() ?? null,
    async listen() {
      // Both attempts end before a failure is reported: a caller that then closes must not race a
      // listener still opening (it would stay open, and keep the process alive).
      const [publicListen, portalListen] = await Promise.allSettled([
        publicServer.listen({ host: config.listeners.public.host, port: config.listeners.public.port }),
        portalServer.listen(config.listeners.portal),
      ]);
      if (publicListen.status === 'rejected') throw publicListen.reason;
      if (portalListen.status === 'rejected') throw portalListen.reason;
      const [publicAddress, portalAddress] = [publicListen.value, portalListen.value];
      boundPublicPort = new URL(publicAddress).port === '' ? null : Number(new URL(publicAddress).port);
      stopHousekeeping = startHousekeeping(store, logger, services.now);
      return { public: publicAddress, portal: portalAddress };
    },
    close() {
      closing ??= (async () => {
        stopHousekeeping?.();
        await Promise.allSettled([publicServer.close(), portalServer.close()]);
        await store.close();
        await gateway.close();
        await hashingPool?.close();
        breaker?.stop();
        if (redis) await redis.quit().catch(() => redis.disconnect());
      })();
      return closing;
    },
  };
}
