import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiConfig } from '../../config/config.js';
import { OAUTH_DESCRIPTIONS } from '../../domain/oauth-descriptions.js';
import { authenticateClient } from '../../domain/client-authentication.js';
import { apiAllowsGrant, unsupportedGrantType } from '../../domain/grants/allowed-grants.js';
import type { Grant } from '../../domain/grants/grant.js';
import { GRANTS } from '../../domain/grants/grants.js';
import { OAuthError } from '../../domain/oauth-error.js';
import type { RequestParameters } from '../../domain/token-request.js';
import type { Services } from '../services.js';
import { resolveEndpointTarget, type EndpointParams } from './endpoint-target.js';
import { requestParameters } from './request-parameters.js';

// POST /auth/{authMethodId}/api/{apiId}/token (RFC 6749 §3.2). node-oidc-provider's shape: an
// ordered list of small steps. The scope's hooks and parsers have already set no-store headers
// and turned the body into parameters (refusing duplicates); this file does the rest.

/** A grant Gatehouse implements and the API allows (allowed-grants.ts says why else unsupported_grant_type). */
function selectGrant(parameters: ReadonlyMap<string, string>, api: ApiConfig): Grant {
  const grantType = parameters.get('grant_type');
  if (grantType === undefined) throw new OAuthError('invalid_request', OAUTH_DESCRIPTIONS.missingParameter('grant_type'));
  const grant = GRANTS.get(grantType);
  if (!grant || !apiAllowsGrant(api, grantType)) throw unsupportedGrantType(grantType, api);
  return grant;
}

/** node-oidc-provider: parameters a grant does not list never reach its handler. */
function dropUnlistedParameters(parameters: RequestParameters, grant: Grant): void {
  for (const name of [...parameters.keys()]) {
    if (!grant.parameters.includes(name)) parameters.delete(name);
  }
}

export function tokenEndpoint(services: Services) {
  return async (request: FastifyRequest<{ Params: EndpointParams }>, reply: FastifyReply): Promise<FastifyReply> => {
    const parameters = requestParameters(request.body);
    request.oauthGrantType = parameters.get('grant_type') ?? null;
    const target = resolveEndpointTarget(services, request.params);
    const client = await authenticateClient(
      { authorization: request.headers.authorization, parameters },
      target.api.id,
      services.store,
    );
    const grant = selectGrant(parameters, target.api);
    dropUnlistedParameters(parameters, grant);
    const response = await grant.handler({
      api: target.api,
      authMethodId: target.authMethod.id,
      verifier: target.verifier,
      client,
      parameters,
      now: services.now(),
      // Fastify's trustProxy (create-server.ts) takes X-Forwarded-For from trusted proxies only.
      ip: request.ip,
      loginThrottle: services.loginThrottle,
      store: services.store,
    });
    return reply.code(200).send(response);
  };
}

export const TOKEN_PATH = '/auth/:authMethodId/api/:apiId/token';

export function registerTokenEndpoint(app: FastifyInstance, services: Services): void {
  app.post<{ Params: EndpointParams }>(TOKEN_PATH, tokenEndpoint(services));
}
