import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { pathOnly } from '../logging.js';

// The access log: one line per request, written when the response has gone out, in place of
// Fastify's two ("incoming request" and "request completed", each through the req/res
// serializers and redaction). The line names the request, never its credentials: no headers, no
// body, and the path without its query (it may carry an access_token, RFC 6750 §2.3). At levels
// above info, pino's info() is a no-op and nothing is built but the call.

export class AccessLog extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const log = reply.log as unknown as Logger; // the pino child logger of createServer's
    if (error) {
      log.error({ ...accessFields(request, reply), err: error }, 'request errored');
    } else if (log.isLevelEnabled('info')) {
      log.info(accessFields(request, reply), 'request');
    }
  }
}

function accessFields(request: FastifyRequest, reply: FastifyReply) {
  return {
    method: request.method,
    path: pathOnly(request.url),
    status: reply.statusCode,
    ms: Math.round(reply.elapsedTime * 100) / 100,
    ip: request.ip,
  };
}
