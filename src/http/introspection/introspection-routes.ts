import type { FastifyInstance } from 'fastify';
import { authenticateClient } from '../../domain/client-authentication.js';
import { introspectToken } from '../../domain/token-introspection.js';
import { resolveEndpointTarget, type EndpointParams } from '../oauth/endpoint-target.js';
import { requestParameters, useParameterParsers } from '../oauth/request-parameters.js';
import { NO_STORE_HEADERS, sendOAuthError } from '../oauth/wire-errors.js';
import type { Services } from '../services.js';

// POST /auth/{authMethodId}/api/{apiId}/introspect (RFC 7662 §2): the caller authenticates as a
// confidential client of the API with an approved subscription (§2.1 requires authorization;
// token-introspection.ts says why those), exactly as at the token endpoint, with
// the same body parsers and wire errors; the answer is never cached (§4: it describes a secret).

export async function introspectionRoutes(app: FastifyInstance, options: { readonly services: Services }): Promise<void> {
  const { services } = options;
  app.addHook('onRequest', async (_request, reply) => {
    reply.headers(NO_STORE_HEADERS);
  });
  app.setErrorHandler((error, request, reply) => sendOAuthError(request, reply, error));
  useParameterParsers(app);
  app.post<{ Params: EndpointParams }>('/auth/:authMethodId/api/:apiId/introspect', async (request, reply) => {
    const parameters = requestParameters(request.body);
    const target = resolveEndpointTarget(services, request.params);
    const client = await authenticateClient({ authorization: request.headers.authorization, parameters }, target.api.id, services.store);
    const answer = await introspectToken({ client, apiId: target.api.id, parameters, accessTokens: services.accessTokens });
    return reply.code(200).send(answer);
  });
}
