import type { FastifyInstance } from 'fastify';
import { authorizeRoutes } from './authorize/authorize-routes.js';
import { createServer } from './create-server.js';
import { deferContinue } from './expect-continue.js';
import { gatewayRoutes } from './gateway/gateway-routes.js';
import { registerMetricsRoute } from './metrics-route.js';
import { introspectionRoutes } from './introspection/introspection-routes.js';
import { oauthRoutes } from './oauth/oauth-routes.js';
import type { Services } from './services.js';
import { tokenBodyDeadline } from './token-body-deadline.js';

/** The public listener: the token endpoints under /auth and the gateway under each API's prefix. */
export function createPublicServer(services: Services): FastifyInstance {
  const limits = services.config.listeners.public;
  const app = createServer(services, 'public', limits);
  deferContinue(app.server);
  app.register(async (auth) => {
    auth.addHook('preParsing', tokenBodyDeadline(limits.tokenBodyTimeoutMs));
    await auth.register(oauthRoutes, { services });
    await auth.register(introspectionRoutes, { services });
    await auth.register(authorizeRoutes, { services });
  });
  app.register(gatewayRoutes, { apis: services.config.apis, services, limits: services.config.gateway, metrics: services.metrics });
  if (services.metrics && services.config.metrics.listener === 'public') registerMetricsRoute(app, services.config.metrics.path, services.metrics);
  return app;
}
