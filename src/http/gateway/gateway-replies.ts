import type { FastifyReply } from 'fastify';
import type { RateLimitState } from '../../domain/rate-limit.js';

// The gateway's own answers, in one table: everything else a client sees under an API prefix is
// the upstream's. Bodies are JSON {error, error_description} like the OAuth endpoints'.

/**
 * A refusal sent before the request body was read: the connection is closed after it (RFC 9112
 * §9.6) rather than kept alive while Node reads and discards a body that may never come.
 */
function closeIfBodyUnread(reply: FastifyReply): FastifyReply {
  if (!reply.request.raw.complete) reply.header('connection', 'close');
  return reply;
}

function quoted(value: string): string {
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

/** RFC 6750 §3: no credentials at all get the bare challenge, without an error code (§3.1). */
export function sendMissingToken(reply: FastifyReply, realm: string): FastifyReply {
  return closeIfBodyUnread(reply)
    .code(401)
    .header('www-authenticate', `Bearer realm=${quoted(realm)}`)
    .send({ error: 'unauthorized', error_description: 'this API needs an access token: Authorization: Bearer <token> (RFC 6750 section 2.1)' });
}

/**
 * RFC 6750 §3.1 invalid_token: unknown, malformed, expired, revoked or issued for another API.
 * The client is not told which: it can do the same about all of them (get a new token).
 */
export function sendInvalidToken(reply: FastifyReply, realm: string): FastifyReply {
  return closeIfBodyUnread(reply)
    .code(401)
    .header('www-authenticate', `Bearer realm=${quoted(realm)}, error="invalid_token"`)
    .send({ error: 'invalid_token', error_description: 'the access token is invalid, expired or revoked' });
}

/** draft-ietf-httpapi-ratelimit-headers: the window nearest its limit (or the one exhausted). */
export function setRateLimitHeaders(reply: FastifyReply, state: RateLimitState): void {
  reply.header('ratelimit-limit', String(state.limit));
  reply.header('ratelimit-remaining', String(state.remaining));
  reply.header('ratelimit-reset', String(state.resetSeconds));
}

/** RFC 6585 §4: 429 with Retry-After (RFC 9110 §10.2.3) in seconds. */
export function sendRateLimited(reply: FastifyReply, state: RateLimitState): FastifyReply {
  setRateLimitHeaders(reply, state);
  return closeIfBodyUnread(reply)
    .code(429)
    .header('retry-after', String(state.resetSeconds))
    .send({ error: 'rate_limited', error_description: `the plan's rate limit is reached; retry in ${state.resetSeconds} s` });
}

export type UpstreamFailure = 'unreachable' | 'timeout';

/** RFC 9110 §15.6.3 (502) and §15.6.5 (504). */
export function sendUpstreamFailure(reply: FastifyReply, failure: UpstreamFailure): FastifyReply {
  if (failure === 'timeout') {
    return reply.code(504).send({ error: 'upstream_timeout', error_description: 'the upstream API did not answer in time' });
  }
  return reply.code(502).send({ error: 'bad_gateway', error_description: 'the upstream API could not be reached' });
}

/** The token could not be checked because the database is unavailable: RFC 9110 §15.6.4, retry later. */
export function sendStoreUnavailable(reply: FastifyReply, retryAfterSeconds: number): FastifyReply {
  return reply
    .code(503)
    .header('retry-after', String(retryAfterSeconds))
    .send({ error: 'temporarily_unavailable', error_description: 'the access token cannot be checked right now; try again later' });
}

/** RFC 6455 §4.2.1 and §4.4: an upgrade request that cannot become a WebSocket. */
export function sendBadUpgrade(reply: FastifyReply, problem: string): FastifyReply {
  if (problem === 'version') {
    return reply
      .code(426)
      .header('sec-websocket-version', '13')
      .send({ error: 'upgrade_required', error_description: 'the gateway speaks WebSocket version 13 (RFC 6455)' });
  }
  return reply.code(400).send({ error: 'invalid_request', error_description: `not a valid WebSocket upgrade: ${problem}` });
}

const RETRY_AFTER_BUSY = '1'; // s: a slot frees as soon as any one upstream request ends

/**
 * RFC 6585 §4: the application already has its plan's `maxConcurrent` upstream requests in
 * flight. 429, not 503: the limit is this client's own (like its rate limit), the API is up for
 * everyone else, and a 503 would tell load balancers and monitoring that it is not.
 */
export function sendConcurrencyLimited(reply: FastifyReply, maxConcurrent: number): FastifyReply {
  return closeIfBodyUnread(reply)
    .code(429)
    .header('retry-after', RETRY_AFTER_BUSY)
    .send({
      error: 'concurrency_limited',
      error_description: `the plan allows ${maxConcurrent} requests in flight to this API at once; retry when one has ended`,
    });
}

/** RFC 9110 §15.6.4 with Retry-After (§10.2.3): no upstream connection came free in time. */
export function sendUpstreamBusy(reply: FastifyReply): FastifyReply {
  return closeIfBodyUnread(reply)
    .code(503)
    .header('retry-after', RETRY_AFTER_BUSY)
    .send({ error: 'upstream_busy', error_description: 'every connection to the upstream API is busy; retry shortly' });
}
