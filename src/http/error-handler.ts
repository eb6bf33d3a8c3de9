import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { StoreUnavailableError } from '../store/store.js';
import { sendStoreUnavailable } from './gateway/gateway-replies.js';

// A server error never leaks internals: 5xx bodies carry fixed text and the request id, the cause
// goes to the log. 4xx errors raised by Fastify itself (bad JSON, body too large) keep their
// message, which describes the client's request, not our code. A database outage is 503 with
// Retry-After (the gateway's requests land here): the client may retry, nothing is our bug.

/** Seconds a client is asked to wait when the database is unavailable (RFC 9110 §10.2.3). */
export const STORE_RETRY_AFTER_SECONDS = 5;

export function sendInternalError(request: FastifyRequest, reply: FastifyReply, error: unknown): FastifyReply {
  request.log.error({ err: error }, 'request failed');
  return reply.code(500).send({ error: 'server_error', error_description: 'internal error', request_id: request.id });
}

export function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof StoreUnavailableError) {
    request.log.warn({ reason: error.reason }, 'database unavailable');
    return sendStoreUnavailable(reply, STORE_RETRY_AFTER_SECONDS);
  }
  const status = error.statusCode ?? 500;
  if (status >= 500) return sendInternalError(request, reply, error);
  request.log.info({ code: error.code, status }, 'request refused');
  return reply.code(status).send({ error: 'invalid_request', error_description: error.message });
}

export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return reply.code(404).send({ error: 'not_found', error_description: `no route for ${request.method} ${request.url.split('?')[0]}` });
}
