import type { FastifyInstance } from 'fastify';
import type { ApiConfig } from '../../config/config.js';
import type { RevocationBus } from '../../domain/revocation-fanout.js';
import { decorateGatewayRequests, type AdmissionServices } from './admission.js';
import { registerApiProxy, type ProxyLimits } from './api-proxy.js';
import { countGatewayRequests } from './gateway-metrics.js';
import type { GatehouseMetrics } from '../../observability/metrics.js';
import { OpenWebSockets } from './open-websockets.js';
import { CLOSE_GOING_AWAY } from './websocket-link.js';

// The gateway part of the public listener: every configured API under its path prefix. Its own
// encapsulated scope, because the listener's body parsers (JSON, with a 64 KiB limit) must not
// touch proxied bodies: here every content type, and none, is streamed to the upstream as is.

export interface GatewayRoutesOptions {
  readonly apis: readonly ApiConfig[];
  readonly services: AdmissionServices & {
    readonly revocations: Pick<RevocationBus, 'subscribe'>;
    readonly now: () => number;
  };
  readonly limits: ProxyLimits;
  readonly metrics: GatehouseMetrics | null;
}

export async function gatewayRoutes(app: FastifyInstance, options: GatewayRoutesOptions): Promise<void> {
  app.removeAllContentTypeParsers();
  decorateGatewayRequests(app);
  const { services, metrics, limits } = options;
  // Open WebSockets end with their login, in every process (open-websockets.ts).
  const sockets = new OpenWebSockets(services.accessTokens, services.now);
  services.revocations.subscribe(sockets);
  app.addHook('preClose', (done) => {
    sockets.closeAll(CLOSE_GOING_AWAY, 'gateway shutting down');
    done();
  });
  for (const api of options.apis) {
    await app.register(async (scope) => {
      if (metrics) countGatewayRequests(scope, api.id, metrics);
      await registerApiProxy(scope, api, services, limits, sockets);
    });
  }
}
