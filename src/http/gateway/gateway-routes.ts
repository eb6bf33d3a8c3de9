import type { FastifyInstance } from 'fastify';
import type { ApiConfig } from '../../config/config.js';
import type { AdmissionServices } from './admission.js';
import { registerApiProxy } from './api-proxy.js';
import { countGatewayRequests } from './gateway-metrics.js';
import type { GatehouseMetrics } from '../../observability/metrics.js';

// The gateway part of the public listener: every configured API under its path prefix. Its own
// encapsulated scope, because the listener's body parsers (JSON, with a 64 KiB limit) must not
// touch proxied bodies: here every content type, and none, is streamed to the upstream as is.

export interface GatewayRoutesOptions {
  readonly apis: readonly ApiConfig[];
  readonly services: AdmissionServices;
  readonly metrics: GatehouseMetrics | null;
}

export async function gatewayRoutes(app: FastifyInstance, options: GatewayRoutesOptions): Promise<void> {
  app.removeAllContentTypeParsers();
  const { metrics } = options;
  for (const api of options.apis) {
    await app.register(async (scope) => {
      if (metrics) countGatewayRequests(scope, api.id, metrics);
      await registerApiProxy(scope, api, options.services);
    });
  }
}
