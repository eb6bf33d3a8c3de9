import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { AccessLog } from './access-log.js';
import type { PublicListenerConfig } from '../config/config.js';
import { clientErrorHandler } from './client-errors.js';
import { applyClientTimeouts, serverTimeoutOptions } from './client-timeouts.js';
import { drainOnClose } from './drain.js';
import { requestLogger } from './request-logger.js';
import { healthRoutes, type ReadinessCheck } from './health-routes.js';
import { errorHandler, notFoundHandler } from './error-handler.js';
import type { Services } from './services.js';
import { pingRedis } from '../shared-state/redis-ping.js';
import { decorateOAuthRequests } from './oauth/token-metrics.js';
import { sharedSchemaCompilers } from './schema-compilers.js';

export const BODY_LIMIT = 64 * 1024; // 64 KiB: a token request is a few hundred bytes

export function readinessChecks(services: Services): ReadinessCheck[] {
  const checks: ReadinessCheck[] = [{ name: 'store', check: () => services.store.ping() }];
  const { redis } = services;
  // Without Redis every counter works in this process (rate limits, brute-force): degraded, not down.
  if (redis) checks.push({ name: 'redis', check: () => pingRedis(redis), required: false });
  return checks;
}

/**
 * A Fastify instance with what both listeners share: logging, error bodies, health probes, the
 * drain on close; and, given `limits`, the bounds on how long a client may hold a request.
 */
export function createServer(services: Services, name: 'public' | 'portal', limits?: PublicListenerConfig): FastifyInstance {
  const app = Fastify({
    ...(limits ? { http: serverTimeoutOptions(limits) } : {}),
    loggerInstance: services.logger.child({ listener: name }) as FastifyBaseLogger,
    bodyLimit: BODY_LIMIT,
    // X-Forwarded-For is believed only from the configured proxies (request.ip is then the
    // address the last trusted proxy saw); otherwise a client could choose the address that the
    // brute-force throttle counts it under.
    trustProxy: services.config.trustedProxies.length > 0 ? [...services.config.trustedProxies] : false,
    return503OnClosing: true,
    clientErrorHandler,
    forceCloseConnections: 'idle',
    logController: new AccessLog(), // one line per request, not two
    childLoggerFactory: requestLogger, // made on a request's first line, not for every request
    schemaController: { compilersFactory: sharedSchemaCompilers },
  });
  // Both listeners answer OAuth requests (the portal's sign-in uses the token endpoint too).
  decorateOAuthRequests(app);
  if (limits) applyClientTimeouts(app.server, limits);
  drainOnClose(app);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);
  const report = () => ({ bruteForceCounters: services.bruteForceCounters(), rateLimitCounters: services.rateLimitCounters() });
  app.register(healthRoutes, { checks: readinessChecks(services), report });
  return app;
}
