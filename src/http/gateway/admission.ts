import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import type { ApiConfig, RateLimitConfig } from '../../config/config.js';
import type { AccessTokenCheck, AccessTokenVerifier, VerifiedAccessToken } from '../../domain/access-token-verifier.js';
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
  token: VerifiedAccessToken,
  rateLimit: RateLimitConfig,
  limiter: RateLimiter,
  countRefusal: (() => void) | undefined,
): Promise<void> {
  try {
    const state = await limiter.hit(token, rateLimit);
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

/**
 * A callback hook, not an async one: with the token in the verifier's cache and no rate limit to
 * count, admission finishes synchronously, and the request pays no promise and no microtask turn
 * for it. Whatever was sent (a refusal) ends the hook chain as an async hook's `return reply`
 * does: Fastify checks `reply.sent` before it runs anything further.
 */
export function admission(api: ApiConfig, services: AdmissionServices): onRequestHookHandler {
  const refusals = services.metrics?.rateLimitRefusals.labels(api.id);
  const countRefusal = refusals ? () => refusals.inc() : undefined;
  const rateLimits = new Map<string, RateLimitConfig | null>(api.plans.map((plan) => [plan.id, plan.rateLimit]));

  /** Undefined when admission is complete; a promise while the rate limit is counted. */
  function admitChecked(request: FastifyRequest, reply: FastifyReply, check: AccessTokenCheck): Promise<void> | undefined {
    if (!check.active) {
      request.log.info({ api: api.id, reason: check.reason }, 'gateway refused an access token');
      sendInvalidToken(reply, api.id);
      return undefined;
    }
    request.gatewayToken = check.token;
    const rateLimit = rateLimits.get(check.token.plan);
    // No limit to count: no counter round trip, not even a resolved promise.
    if (!rateLimit) return undefined;
    return applyRateLimit(request, reply, check.token, rateLimit, services.rateLimiter, countRefusal);
  }

  return function admit(request, reply, done) {
    const presented = parseBearerAuthorization(request.headers.authorization, MAX_TOKEN_LENGTH);
    if (presented.kind === 'none') sendMissingToken(reply, api.id);
    else if (presented.kind === 'malformed') sendInvalidToken(reply, api.id);
    else {
      const check = services.accessTokens.check(presented.token, api.id);
      const pending = check instanceof Promise ? check.then((looked) => admitChecked(request, reply, looked)) : admitChecked(request, reply, check);
      if (pending) return void pending.then(() => done(), done);
    }
    done();
  };
}
