import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { apiView, authMethodViews, findApiView } from '../../domain/management/catalogue.js';
import type { Services } from '../services.js';
import { addManagementRoute } from './management-route.js';
import { ref } from './schemas.js';

// Read-only views of the configuration: APIs with their gateway endpoint and token URLs, and
// the auth methods. Never an upstream's secret header.

/** The public listener as clients see it: the configured URL, else this request's host on the public port. */
function publicBaseUrl(services: Services, request: FastifyRequest): string {
  return services.config.publicUrl ?? `${request.protocol}://${request.hostname}:${services.publicPort()}`;
}

export function catalogueRoutes(app: FastifyInstance, services: Services): void {
  addManagementRoute(app, services, {
    method: 'GET', url: '/apis', tag: 'apis', summary: 'The configured APIs, with their gateway endpoint and token URLs',
    response: Type.Object({ items: Type.Array(ref('Api')) }),
    handle: async (context, _input, request) => ({ items: context.config.apis.map((api) => apiView(api, publicBaseUrl(services, request))) }),
  });
  addManagementRoute(app, services, {
    method: 'GET', url: '/apis/:apiId', tag: 'apis', summary: 'One configured API',
    params: Type.Object({ apiId: Type.String({ maxLength: 63 }) }), response: ref('Api'),
    handle: async (context, { params }, request) => findApiView(context, params.apiId, publicBaseUrl(services, request)),
  });
  addManagementRoute(app, services, {
    method: 'GET', url: '/auth-methods', tag: 'apis', summary: 'The configured auth methods',
    response: Type.Object({ items: Type.Array(ref('AuthMethod')) }),
    handle: async (context) => ({ items: authMethodViews(context) }),
  });
}
