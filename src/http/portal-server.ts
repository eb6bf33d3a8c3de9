import type { FastifyInstance } from 'fastify';
import { createServer } from './create-server.js';
import { managementApi } from './management/management-api.js';
import { portalOAuthRoutes } from './management/sign-in-routes.js';
import { registerMetricsRoute } from './metrics-route.js';
import { portalPages } from './portal-pages.js';
import type { Services } from './services.js';

/** The portal listener: the management API, its sign-in (the built-in API's token endpoint) and the developer portal. */
export function createPortalServer(services: Services): FastifyInstance {
  const app = createServer(services, 'portal');
  app.register(portalOAuthRoutes, { services });
  app.register(managementApi, { services });
  app.register(portalPages);
  if (services.metrics && services.config.metrics.listener === 'portal') registerMetricsRoute(app, services.config.metrics.path, services.metrics);
  return app;
}
