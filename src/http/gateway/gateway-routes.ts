import type { FastifyInstance } from 'fastify';
import type { ApiConfig } from '../../config/config.js';
import type { AdmissionServices } from './admission.js';
import { registerApiProxy, type ProxyLimits } from './api-proxy.js';

// The gateway part of the public listener: every configured API under its path prefix. Its own
// encapsulated scope, because the listener's body parsers (JSON, with a 64 KiB limit) must not
// touch proxied bodies: here every content type, and none, is streamed to the upstream as is.

export interface GatewayRoutesOptions {
  readonly apis: readonly ApiConfig[];
  readonly services: AdmissionServices;
  readonly limits: ProxyLimits;
}

export async function gatewayRoutes(app: FastifyInstance, options: GatewayRoutesOptions): Promise<void> {
  app.removeAllContentTypeParsers();
  for (const api of options.apis) await registerApiProxy(app, api, options.services, options.limits);
}
