import type { FastifyInstance, FastifyRequest } from 'fastify';
import { PKCE_METHOD } from '../../domain/authorization/pkce.js';
import type { Services } from '../services.js';
import { endpointPath, resolveEndpointTarget, type EndpointParams } from './endpoint-target.js';

// RFC 8414 authorization server metadata, one document per auth method × API. The issuer has a
// path, so the well-known suffix goes between host and path (§3.1):
// /.well-known/oauth-authorization-server/auth/{authMethodId}/api/{apiId}

export const METADATA_PATH = '/.well-known/oauth-authorization-server/auth/:authMethodId/api/:apiId';

const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'none'];
const CONFIDENTIAL_AUTH_METHODS = ['client_secret_basic', 'client_secret_post'];

/** A public client (`none`) can use every grant but client_credentials (RFC 6749 §4.4). */
function tokenEndpointAuthMethods(grantTypes: readonly string[]): readonly string[] {
  return grantTypes.some((grantType) => grantType !== 'client_credentials') ? CLIENT_AUTH_METHODS : CONFIDENTIAL_AUTH_METHODS;
}

// RFC 7662 §2.1: the caller of introspection must be authorised, so it must authenticate.
const INTROSPECTION_AUTH_METHODS = CONFIDENTIAL_AUTH_METHODS;

/** The configured public URL, else what the client used to reach us. */
function baseUrl(services: Services, request: FastifyRequest): string {
  return services.config.publicUrl ?? `${request.protocol}://${request.host}`;
}

/** RFC 8414 §2's issuer of one auth method × API; also the `iss` of RFC 9207. */
export function issuerOf(services: Services, request: FastifyRequest, params: EndpointParams): string {
  return `${baseUrl(services, request)}${endpointPath(params)}`;
}

export function registerMetadataEndpoint(app: FastifyInstance, services: Services): void {
  app.get<{ Params: EndpointParams }>(METADATA_PATH, async (request) => {
    const { api, authMethod } = resolveEndpointTarget(services, request.params);
    const issuer = issuerOf(services, request, { authMethodId: authMethod.id, apiId: api.id });
    const grantTypes = api.grants;
    const codeFlow = grantTypes.includes('authorization_code');
    return {
      issuer,
      ...(codeFlow ? { authorization_endpoint: `${issuer}/authorize` } : {}),
      token_endpoint: `${issuer}/token`,
      revocation_endpoint: `${issuer}/revoke`,
      grant_types_supported: grantTypes,
      // Required by §2; without the code grant there is no authorization endpoint and no response type.
      response_types_supported: codeFlow ? ['code'] : [],
      ...(codeFlow
        ? {
            response_modes_supported: ['query'],
            // RFC 7636 §4.2: S256 only; RFC 9700 §2.1.1 (plain is refused).
            code_challenge_methods_supported: [PKCE_METHOD],
            // RFC 9207 §3: every authorization response carries `iss`.
            authorization_response_iss_parameter_supported: true,
          }
        : {}),
      token_endpoint_auth_methods_supported: tokenEndpointAuthMethods(grantTypes),
      revocation_endpoint_auth_methods_supported: tokenEndpointAuthMethods(grantTypes),
      introspection_endpoint: `${issuer}/introspect`,
      introspection_endpoint_auth_methods_supported: INTROSPECTION_AUTH_METHODS,
      ...(api.scopes.length > 0 ? { scopes_supported: api.scopes.map((scope) => scope.id) } : {}),
    };
  });
}
