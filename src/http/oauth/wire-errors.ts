import type { FastifyReply, FastifyRequest } from 'fastify';
import { OAuthError, type OAuthErrorCode } from '../../domain/oauth-error.js';

// The wire error table of the OAuth endpoints: every code they can answer with, its HTTP status
// and extra headers, in one place. Bodies are RFC 6749 §5.2 JSON. Anything that is not an
// OAuthError is our fault: server_error with fixed text, the cause in the log only.

interface WireError {
  readonly status: number;
  readonly headers?: (error: OAuthError) => Readonly<Record<string, string>>;
}

export const WIRE_ERRORS: Readonly<Record<OAuthErrorCode, WireError>> = {
  invalid_request: { status: 400 },
  // RFC 6749 §5.2: 401, and WWW-Authenticate naming the scheme the client tried when it used the
  // Authorization header (RFC 7617 §2).
  invalid_client: {
    status: 401,
    headers: (error): Record<string, string> =>
      error.clientUsedBasic ? { 'www-authenticate': 'Basic realm="gatehouse", charset="UTF-8"' } : {},
  },
  invalid_grant: { status: 400 },
  unauthorized_client: { status: 400 },
  unsupported_grant_type: { status: 400 },
  // The auth method's backing service failed, or too many password checks are queued; the client
  // may retry after the given seconds (RFC 9110 §15.6.4, §10.2.3).
  temporarily_unavailable: { status: 503, headers: (error) => ({ 'retry-after': String(error.retryAfterSeconds || 5) }) },
  server_error: { status: 500 },
  // Per-address sign-in throttling (src/domain/brute-force/): RFC 6585 §4, RFC 9110 §10.2.3.
  too_many_requests: { status: 429, headers: (error) => ({ 'retry-after': String(Math.max(1, error.retryAfterSeconds)) }) },
  not_found: { status: 404 },
  method_not_allowed: { status: 405, headers: (error) => ({ allow: error.allowedMethods.join(', ') }) },
};

/** RFC 6749 §5.1 / §5.2: token and error responses must not be cached. */
export const NO_STORE_HEADERS: Readonly<Record<string, string>> = { 'cache-control': 'no-store', pragma: 'no-cache' };

export const SERVER_ERROR_DESCRIPTION = 'internal error';

/** Fastify's own 4xx errors (body too large, malformed content) describe the request: keep them. */
function fromFramework(error: unknown): OAuthError | null {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status !== 'number' || status < 400 || status >= 500) return null;
  const code = (error as { code?: unknown }).code;
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return new OAuthError('invalid_request', 'the body must be application/x-www-form-urlencoded or application/json');
  }
  return new OAuthError('invalid_request', error instanceof Error ? error.message : 'malformed request');
}

export function sendOAuthError(request: FastifyRequest, reply: FastifyReply, error: unknown): FastifyReply {
  const oauthError = error instanceof OAuthError ? error : fromFramework(error);
  reply.headers(NO_STORE_HEADERS);
  if (!oauthError || oauthError.code === 'server_error') {
    request.log.error({ err: error }, 'token endpoint failed');
    return reply
      .code(WIRE_ERRORS.server_error.status)
      .send({ error: 'server_error', error_description: SERVER_ERROR_DESCRIPTION, request_id: request.id });
  }
  const wire = WIRE_ERRORS[oauthError.code];
  request.log.info({ error: oauthError.code, status: wire.status }, 'oauth request refused');
  return reply
    .code(wire.status)
    .headers(wire.headers?.(oauthError) ?? {})
    .send({ error: oauthError.code, error_description: oauthError.description });
}
