import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { Logger } from 'pino';
import { pathOnly } from '../logging.js';

// The access log: one line per request, written when the response has gone out (Fastify's own
// request logging writes two, "incoming request" and "request completed", each through the
// serializers and redaction). The line names the request, never its credentials: no headers,
// no body, and the path without its query (it may carry an access_token, RFC 6750 §2.3).

function logAccess(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
  request.log.info(
    { method: request.method, path: pathOnly(request.url), status: reply.statusCode, ms: Math.round(reply.elapsedTime * 100) / 100, ip: request.ip },
    'request',
  );
  done();
}

/** At `info` or below only: above it the hook would format nothing, so it is not registered at all. */
export function registerAccessLog(app: FastifyInstance, logger: Logger): void {
  if (logger.isLevelEnabled('info')) app.addHook('onResponse', logAccess);
}
