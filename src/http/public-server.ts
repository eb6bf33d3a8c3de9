import type { FastifyInstance } from 'fastify';
import { createServer } from './create-server.js';
import { gatewayRoutes } from './gateway/gateway-routes.js';
import { registerMetricsRoute } from './metrics-route.js';
import { introspectionRoutes } from './introspection/introspection-routes.js';
import { oauthRoutes } from './oauth/oauth-routes.js';
import type { Services } from './services.js';

/** The public listener: the token endpoints under /auth and the gateway under each API's prefix. */
export function createPublicServer(services: Services): FastifyInstance {
  const app = createServer(services, 'public');
  app.register(oauthRoutes, { services });
  app.register(introspectionRoutes, { services });
  app.register(gatewayRoutes, { apis: services.config.apis, services, metrics: services.metrics });
  if (services.metrics && services.config.metrics.listener === 'public') registerMetricsRoute(app, services.config.metrics.path, services.metrics);
  return app;
}
