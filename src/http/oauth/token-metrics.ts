import type { FastifyInstance } from 'fastify';
import { GRANTS } from '../../domain/grants/grants.js';
import { bounded, type GatehouseMetrics } from '../../observability/metrics.js';
import type { EndpointParams } from './endpoint-target.js';

// The token endpoint's requests as metrics: by grant type, auth method, API and outcome
// ("granted", or the OAuth error code answered). What the handler learnt travels on the request
// (decorateRequest), so the count is taken once, when the response has gone.

declare module 'fastify' {
  interface FastifyRequest {
    /** The grant the token endpoint selected; null before (or when there was none). */
    oauthGrantType: string | null;
    /** The OAuth error code answered; null while none. */
    oauthError: string | null;
  }
}

const GRANT_TYPES: ReadonlySet<string> = new Set(GRANTS.keys());

export function decorateOAuthRequests(app: FastifyInstance): void {
  app.decorateRequest('oauthGrantType', null);
  app.decorateRequest('oauthError', null);
}

export function countTokenRequests(app: FastifyInstance, tokenPath: string, metrics: GatehouseMetrics): void {
  app.addHook('onResponse', async (request, reply) => {
    if (request.routeOptions.url !== tokenPath || request.method !== 'POST') return;
    const params = request.params as Partial<EndpointParams>;
    const grantType = request.oauthGrantType === null ? 'none' : bounded(GRANT_TYPES, request.oauthGrantType);
    const outcome = request.oauthError ?? (reply.statusCode === 200 ? 'granted' : 'server_error');
    metrics.tokenRequests.inc({
      grant_type: grantType,
      auth_method: bounded(metrics.authMethodIds, params.authMethodId),
      api: bounded(metrics.apiIds, params.apiId),
      outcome,
    });
    metrics.tokenRequestSeconds.observe({ grant_type: grantType }, reply.elapsedTime / 1000);
  });
}
