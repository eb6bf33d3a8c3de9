import type { FastifyInstance } from 'fastify';
import { authenticateClient } from '../../domain/client-authentication.js';
import { revokeToken } from '../../domain/revocation.js';
import type { Services } from '../services.js';
import { resolveEndpointTarget, type EndpointParams } from './endpoint-target.js';
import { requestParameters } from './request-parameters.js';

// POST /auth/{authMethodId}/api/{apiId}/revoke (RFC 7009 §2): the client authenticates as at
// the token endpoint; the answer is an empty 200 whether or not the token was known (§2.2).

export function registerRevocationEndpoint(app: FastifyInstance, services: Services): void {
  app.post<{ Params: EndpointParams }>('/auth/:authMethodId/api/:apiId/revoke', async (request, reply) => {
    const parameters = requestParameters(request.body);
    const target = resolveEndpointTarget(services, request.params);
    const client = await authenticateClient({ authorization: request.headers.authorization, parameters }, target.api.id, services.store);
    await revokeToken({ client, parameters, now: services.now(), ip: request.ip, store: services.store });
    return reply.code(200).send();
  });
}
