import type { FastifyReply, FastifyRequest } from 'fastify';
import { OAUTH_DESCRIPTIONS, toWireDescription } from '../../domain/oauth-descriptions.js';
import { OAuthError, type OAuthErrorCode } from '../../domain/oauth-error.js';
import { StoreUnavailableError } from '../../store/store.js';

// The wire error table of the OAuth endpoints: every code they can answer with, its HTTP status
// and extra headers, in one place. Bodies are RFC 6749 §5.2 JSON; every description comes from
// src/domain/oauth-descriptions.ts and is made wire-safe once more here, whatever its origin. Anything that is not an
// OAuthError is our fault: server_error with fixed text, the cause in the log only.

interface WireError {
  readonly status: number;
  readonly headers?: (error: OAuthError) => Readonly<Record<string, string>>;
}

export const BASIC_CHALLENGE = 'Basic realm="gatehouse", charset="UTF-8"';

export const WIRE_ERRORS: Readonly<Record<OAuthErrorCode, WireError>> = {
  invalid_request: { status: 400 },
  // RFC 6749 §5.2 asks for WWW-Authenticate when the client used the Authorization header; RFC
  // 9110 §15.5.2 requires it on every 401, so a client that sent its credentials in the body is
  // told the scheme it may use instead (RFC 7617 §2).
  invalid_client: { status: 401, headers: () => ({ 'www-authenticate': BASIC_CHALLENGE }) },
  invalid_grant: { status: 400 },
  unauthorized_client: { status: 400 },
  unsupported_grant_type: { status: 400 },
  invalid_scope: { status: 400 },
  // The auth method's backing service or the database failed, or too many password checks are
  // queued; the client may retry after the given seconds (RFC 9110 §15.6.4, §10.2.3).
  temporarily_unavailable: { status: 503, headers: (error) => ({ 'retry-after': String(error.retryAfterSeconds || 5) }) },
  server_error: { status: 500 },
  // Per-address sign-in throttling (src/domain/brute-force/): RFC 6585 §4, RFC 9110 §10.2.3.
  too_many_requests: { status: 429, headers: (error) => ({ 'retry-after': String(Math.max(1, error.retryAfterSeconds)) }) },
  not_found: { status: 404 },
  method_not_allowed: { status: 405, headers: (error) => ({ allow: error.allowedMethods.join(', ') }) },
};

/** RFC 6749 §5.1 / §5.2: token and error responses must not be cached. */
export const NO_STORE_HEADERS: Readonly<Record<string, string>> = { 'cache-control': 'no-store', pragma: 'no-cache' };

export const SERVER_ERROR_DESCRIPTION = OAUTH_DESCRIPTIONS.serverError();

/** Fastify's own 4xx errors (body too large, malformed content) describe the request: keep them. */
function fromFramework(error: unknown): OAuthError | null {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status !== 'number' || status < 400 || status >= 500) return null;
  const code = (error as { code?: unknown }).code;
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return new OAuthError('invalid_request', OAUTH_DESCRIPTIONS.missingContentType());
  }
  return new OAuthError('invalid_request', error instanceof Error ? OAUTH_DESCRIPTIONS.frameworkRefusal(error.message) : OAUTH_DESCRIPTIONS.malformedRequest());
}

/** A database outage is not our bug: the client may retry (the cause is logged at warn). */
function fromStore(request: FastifyRequest, error: unknown): OAuthError | null {
  if (!(error instanceof StoreUnavailableError)) return null;
  request.log.warn({ reason: error.reason }, 'database unavailable');
  return new OAuthError('temporarily_unavailable', OAUTH_DESCRIPTIONS.storeUnavailable());
}

export function sendOAuthError(request: FastifyRequest, reply: FastifyReply, error: unknown): FastifyReply {
  const oauthError = error instanceof OAuthError ? error : (fromStore(request, error) ?? fromFramework(error));
  reply.headers(NO_STORE_HEADERS);
  request.oauthError = oauthError?.code ?? 'server_error';
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
    .send({ error: oauthError.code, error_description: toWireDescription(oauthError.description) });
}
