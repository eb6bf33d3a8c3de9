import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { PasswordHashingBusy } from '../../domain/hashing-pool.js';
import { ManagementError, type ManagementErrorCode } from '../../domain/management/management-error.js';
import { StoreConflictError, StoreReferenceError, StoreUnavailableError } from '../../store/store.js';
import { STORE_RETRY_AFTER_SECONDS } from '../error-handler.js';
import { fieldErrors, type FieldError } from './validation-errors.js';

// The management API's wire error table: every error code, its HTTP status and title, in one
// place. Bodies are RFC 9457 problem details (application/problem+json); `type` is a relative
// URI naming the code, `code` repeats it for clients that switch on a plain string.

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

type ProblemCode = ManagementErrorCode | 'validation_failed' | 'server_error' | 'temporarily_unavailable';

interface WireProblem {
  readonly status: number;
  readonly title: string;
}

export const PROBLEMS: Readonly<Record<ProblemCode, WireProblem>> = {
  // RFC 6750 §3.1: no token, or an invalid one; WWW-Authenticate says which.
  unauthenticated: { status: 401, title: 'Sign-in required' },
  forbidden: { status: 403, title: 'Not allowed' },
  not_found: { status: 404, title: 'Not found' },
  invalid_request: { status: 400, title: 'Invalid request' },
  // The request did not match the route's schema (the OpenAPI document describes it).
  validation_failed: { status: 400, title: 'Request does not match the schema' },
  conflict: { status: 409, title: 'Conflict with the current state' },
  // RFC 6585 §4: the address is throttled; sent with Retry-After.
  too_many_requests: { status: 429, title: 'Too many requests' },
  upstream_unavailable: { status: 502, title: 'Bad gateway' },
  server_error: { status: 500, title: 'Internal error' },
  // The database did not answer in time or refused connections; sent with Retry-After.
  temporarily_unavailable: { status: 503, title: 'Temporarily unavailable' },
};

export interface ProblemBody {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: ProblemCode;
  readonly instance?: string;
  /** The body fields refused, for a form to mark (validation-errors.ts). */
  readonly errors?: readonly FieldError[];
}

/** `status` overrides the table only for Fastify's own 4xx errors (413, 415, ...), which know better. */
export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  code: ProblemCode,
  detail: string,
  status = PROBLEMS[code].status,
  errors: readonly FieldError[] = [],
): FastifyReply {
  const { title } = PROBLEMS[code];
  if (code === 'unauthenticated') {
    // RFC 6750 §3: error="invalid_token" only when a token was presented.
    const presented = /^bearer\s/i.test(request.headers.authorization ?? '');
    reply.header('www-authenticate', presented ? 'Bearer realm="gatehouse", error="invalid_token"' : 'Bearer realm="gatehouse"');
  }
  if (code === 'temporarily_unavailable' && !reply.hasHeader('retry-after')) reply.header('retry-after', String(STORE_RETRY_AFTER_SECONDS));
  const body: ProblemBody = {
    type: `/problems/${code}`,
    title,
    status,
    detail,
    code,
    instance: request.url.split('?')[0] as string,
    ...(errors.length > 0 ? { errors } : {}),
  };
  return reply.code(status).type(PROBLEM_CONTENT_TYPE).send(body);
}

/** Maps what a management route can throw to its problem; anything unexpected is our fault and logged. */
export function managementErrorHandler(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof ManagementError) {
    request.log.info({ code: error.code }, 'management request refused');
    if (error.retryAfterSeconds !== null) reply.header('retry-after', String(error.retryAfterSeconds));
    const errors = error.field === null ? [] : [{ field: error.field, message: error.detail }];
    return sendProblem(request, reply, error.code, error.detail, undefined, errors);
  }
  if ('validation' in error && error.validation) {
    return sendProblem(request, reply, 'validation_failed', error.message, undefined, fieldErrors(error.validation, error.validationContext));
  }
  if ((error as { code?: unknown }).code === 'invalid_cursor') return sendProblem(request, reply, 'invalid_request', 'the page cursor is not valid');
  if (error instanceof StoreConflictError) return sendProblem(request, reply, 'conflict', error.message);
  if (error instanceof StoreReferenceError) return sendProblem(request, reply, 'invalid_request', error.message);
  if (error instanceof StoreUnavailableError) {
    request.log.warn({ reason: error.reason }, 'database unavailable');
    return sendProblem(request, reply, 'temporarily_unavailable', 'the database cannot be reached right now; try again later');
  }
  if (error instanceof PasswordHashingBusy) {
    // Issue 12's bound on queued password hashes holds for management writes too (a password
    // set or changed, a sign-up): say when to come back, as the token endpoint does.
    reply.header('retry-after', String(error.retryAfterSeconds));
    return sendProblem(request, reply, 'temporarily_unavailable', 'too many passwords are being checked right now; try again shortly');
  }
  const status = (error as FastifyError).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) return sendProblem(request, reply, 'invalid_request', error.message, status);
  request.log.error({ err: error }, 'management request failed');
  return sendProblem(request, reply, 'server_error', `internal error (request ${request.id})`);
}
