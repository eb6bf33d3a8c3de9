import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { apiView, authMethodViews, findApi, findApiView } from '../../domain/management/catalogue.js';
import type { Services } from '../services.js';
import { addManagementRoute } from './management-route.js';
import { OpenApiDocuments } from './openapi-documents.js';
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
  const documents = new OpenApiDocuments(services.now);
  addManagementRoute(app, services, {
    method: 'GET', url: '/apis/:apiId/openapi', tag: 'apis',
    summary: 'The API’s OpenAPI document (config apis[].openapi), its servers pointed at the gateway',
    description: 'Read by Gatehouse from a file or the upstream (5 s, 2 MiB at most, kept 5 minutes); 404 when the API has none, 502 when it cannot be loaded.',
    params: Type.Object({ apiId: Type.String({ maxLength: 63 }) }),
    response: Type.Unsafe<unknown>({ type: 'object', additionalProperties: true, description: 'an OpenAPI (or Swagger 2.0) document' }),
    handle: async (context, { params }, request) => {
      const api = findApi(context, params.apiId);
      return documents.get(api, apiView(api, publicBaseUrl(services, request)).endpoint);
    },
  });
  addManagementRoute(app, services, {
    method: 'GET', url: '/auth-methods', tag: 'apis', summary: 'The configured auth methods',
    response: Type.Object({ items: Type.Array(ref('AuthMethod')) }),
    handle: async (context) => ({ items: authMethodViews(context) }),
  });
}
