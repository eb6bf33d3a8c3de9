import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from './config/config.js';
import { createPasswordHasher, type PasswordHasher } from './domain/passwords.js';
import { createPortalServer } from './http/portal-server.js';
import { createPublicServer } from './http/public-server.js';
import type { Services } from './http/services.js';
import { connectRedis } from './shared-state/redis-client.js';
import { openStore } from './store/open-store.js';
import type { Store } from './store/store.js';

// The composition root: the only module that chooses implementations (which store, whether
// Redis) and wires them into the HTTP layer.

export interface Gatehouse {
  readonly services: Services;
  readonly publicServer: FastifyInstance;
  readonly portalServer: FastifyInstance;
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
}

export async function createGatehouse(config: Config, options: GatehouseOptions): Promise<Gatehouse> {
  const { logger } = options;
  const store =
    options.store ?? (await openStore(config, { onPoolError: (err) => logger.warn({ err }, 'idle database connection failed') }));
  const redis = config.redis.url !== null ? connectRedis(config.redis.url, logger) : null;
  const services: Services = {
    config,
    logger,
    store,
    passwords: options.passwords ?? createPasswordHasher(),
    redis,
    now: options.now ?? Date.now,
  };
  const publicServer = createPublicServer(services);
  const portalServer = createPortalServer(services);
  let closing: Promise<void> | null = null;

  return {
    services,
    publicServer,
    portalServer,
    async listen() {
      const [publicAddress, portalAddress] = await Promise.all([
        publicServer.listen(config.listeners.public),
        portalServer.listen(config.listeners.portal),
      ]);
      return { public: publicAddress, portal: portalAddress };
    },
    close() {
      closing ??= (async () => {
        await Promise.allSettled([publicServer.close(), portalServer.close()]);
        await store.close();
        if (redis) await redis.quit().catch(() => redis.disconnect());
      })();
      return closing;
    },
  };
}
