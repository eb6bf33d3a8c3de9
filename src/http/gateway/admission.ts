import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { ApiConfig } from '../../config/config.js';
import type { AccessTokenVerifier, VerifiedAccessToken } from '../../domain/access-token-verifier.js';
import { parseBearerAuthorization } from '../../domain/bearer-token.js';
import type { RateLimiter } from '../../domain/rate-limit.js';
import type { GatehouseMetrics } from '../../observability/metrics.js';
import { MAX_TOKEN_LENGTH } from '../../domain/token-values.js';
import { sendInvalidToken, sendMissingToken, sendRateLimited, setRateLimitHeaders } from './gateway-replies.js';

// The checks every request under an API prefix passes before anything reaches the upstream
// (WebSocket upgrades too: they are routed through the same hooks): a valid bearer token for this
// API (RFC 6750), then the rate limit of the subscription's plan.

export interface AdmissionServices {
  readonly accessTokens: AccessTokenVerifier;
  readonly rateLimiter: RateLimiter;
  readonly metrics: Pick<GatehouseMetrics, 'rateLimitRefusals'> | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The access token the gateway admitted this request with; null before admission. */
    gatewayToken: VerifiedAccessToken | null;
  }
}

/** Before any API's hooks: every gateway request carries the slot (one object shape for all). */
export function decorateGatewayRequests(app: FastifyInstance): void {
  app.decorateRequest('gatewayToken', null);
}

/** The token the request was admitted with; throws if admission did not run (a wiring bug). */
export function admittedToken(request: { readonly gatewayToken: VerifiedAccessToken | null }): VerifiedAccessToken {
  const token = request.gatewayToken;
  if (!token) throw new Error('gateway request forwarded without admission');
  return token;
}

async function applyRateLimit(
  request: FastifyRequest,
  reply: FastifyReply,
  api: ApiConfig,
  token: VerifiedAccessToken,
  limiter: RateLimiter,
  countRefusal: (() => void) | undefined,
): Promise<void> {
  const plan = api.plans.find((candidate) => candidate.id === token.plan);
  if (!plan?.rateLimit) return; // no limit to count: no counter round trip, not even a resolved promise
  try {
    const state = await limiter.hit(token, plan.rateLimit);
    if (state === null) return;
    if (state.allowed) setRateLimitHeaders(reply, state);
    else {
      countRefusal?.();
      sendRateLimited(reply, state);
    }
  } catch (error) {
    // A Redis outage never reaches here (the limiter counts locally then): this is a defect, and
    // refusing every request for it would turn a bug into an outage.
    request.log.error({ err: error }, 'rate limiter failed; request admitted without counting');
  }
}

export function admission(api: ApiConfig, services: AdmissionServices): onRequestAsyncHookHandler {
  const refusals = services.metrics?.rateLimitRefusals.labels(api.id);
  const countRefusal = refusals ? () => refusals.inc() : undefined;
  return async function admit(request, reply) {
    const presented = parseBearerAuthorization(request.headers.authorization, MAX_TOKEN_LENGTH);
    if (presented.kind === 'none') return sendMissingToken(reply, api.id);
    if (presented.kind === 'malformed') return sendInvalidToken(reply, api.id);
    const check = await services.accessTokens.verify(presented.token, api.id);
    if (!check.active) {
      request.log.info({ api: api.id, reason: check.reason }, 'gateway refused an access token');
      return sendInvalidToken(reply, api.id);
    }
    request.gatewayToken = check.token;
    await applyRateLimit(request, reply, api, check.token, services.rateLimiter, countRefusal);
    return reply.sent ? reply : undefined;
  };
}
