import type { FastifyInstance } from 'fastify';
import { OAUTH_DESCRIPTIONS } from '../../domain/oauth-descriptions.js';
import { OAuthError } from '../../domain/oauth-error.js';
import type { Services } from '../services.js';
import { METADATA_PATH, registerMetadataEndpoint } from './metadata-endpoint.js';
import { useParameterParsers } from './request-parameters.js';
import { registerRevocationEndpoint } from './revocation-endpoint.js';
import { registerTokenEndpoint, TOKEN_PATH } from './token-endpoint.js';
import { countTokenRequests } from './token-metrics.js';
import { NO_STORE_HEADERS, sendOAuthError } from './wire-errors.js';

// The OAuth endpoints of the public listener, as one encapsulated Fastify plugin: its own body
// parsers, its own error table, and no-store on every answer (RFC 6749 §5.1).

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const;

function refuseOtherMethods(app: FastifyInstance, url: string, allowed: readonly string[]): void {
  app.route({
    method: METHODS.filter((method) => !allowed.includes(method)),
    url,
    handler: async (request) => {
      throw new OAuthError('method_not_allowed', OAUTH_DESCRIPTIONS.methodNotAllowed(request.method, allowed.join(' or ')), {
        allowedMethods: allowed,
      });
    },
  });
}

export async function oauthRoutes(app: FastifyInstance, options: { readonly services: Services }): Promise<void> {
  const { services } = options;
  app.addHook('onRequest', async (_request, reply) => {
    reply.headers(NO_STORE_HEADERS);
  });
  app.setErrorHandler((error, request, reply) => sendOAuthError(request, reply, error));
  useParameterParsers(app);
  if (services.metrics) countTokenRequests(app, TOKEN_PATH, services.metrics);

  registerTokenEndpoint(app, services);
  refuseOtherMethods(app, TOKEN_PATH, ['POST']);
  registerRevocationEndpoint(app, services);
  refuseOtherMethods(app, '/auth/:authMethodId/api/:apiId/revoke', ['POST']);
  registerMetadataEndpoint(app, services);
  refuseOtherMethods(app, METADATA_PATH, ['GET', 'HEAD']);
}
