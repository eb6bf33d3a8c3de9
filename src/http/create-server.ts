import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { healthRoutes, type ReadinessCheck } from './health-routes.js';
import { errorHandler, notFoundHandler } from './error-handler.js';
import type { Services } from './services.js';
import { pingRedis } from '../shared-state/redis-client.js';

export const BODY_LIMIT = 64 * 1024; // 64 KiB: a token request is a few hundred bytes

export function readinessChecks(services: Services): ReadinessCheck[] {
  const checks: ReadinessCheck[] = [{ name: 'store', check: () => services.store.ping() }];
  const { redis } = services;
  if (redis) checks.push({ name: 'redis', check: () => pingRedis(redis) });
  return checks;
}

/** A Fastify instance with what both listeners share: logging, error bodies, health probes. */
export function createServer(services: Services, name: 'public' | 'portal'): FastifyInstance {
  const app = Fastify({
    loggerInstance: services.logger.child({ listener: name }) as FastifyBaseLogger,
    bodyLimit: BODY_LIMIT,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);
  app.register(healthRoutes, { checks: readinessChecks(services) });
  return app;
}
