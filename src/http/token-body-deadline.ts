import type { IncomingMessage } from 'node:http';
import type { preParsingHookHandler } from 'fastify';
import { REQUEST_TIMEOUT, refuseAndClose } from './client-errors.js';
import { sendContinue } from './expect-continue.js';

// The /auth endpoints read their bodies themselves (64 KiB at most, a token request is a few
// hundred bytes). A body trickled a byte at a time is never idle long enough for the listener's
// idle timeout, so these bodies must also arrive whole within `tokenBodyTimeoutMs`: then 408.

function hasBody(request: IncomingMessage): boolean {
  const length = request.headers['content-length'];
  return (length !== undefined && length !== '0') || request.headers['transfer-encoding'] !== undefined;
}

function expire(request: IncomingMessage): void {
  if (!request.complete && !request.socket.destroyed) refuseAndClose(request.socket, REQUEST_TIMEOUT);
}

export function tokenBodyDeadline(timeoutMs: number): preParsingHookHandler {
  return function armBodyDeadline(request, reply, payload, done) {
    const raw = request.raw;
    // The route is known and will read the body: now is the time for 100 (Continue).
    sendContinue(raw, reply.raw);
    if (!raw.complete && hasBody(raw)) {
      const timer = setTimeout(expire, timeoutMs, raw);
      reply.raw.once('close', () => clearTimeout(timer));
    }
    done(null, payload);
  };
}
