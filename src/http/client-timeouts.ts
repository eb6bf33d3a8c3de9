import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import type { PublicListenerConfig } from '../config/config.js';
import { REQUEST_TIMEOUT, refuseAndClose, responseOnSocket } from './client-errors.js';

// Bounds on what a client can make the public listener hold, all from Node's own per-socket
// machinery (no timer per request):
// - server.timeout (idleTimeoutMs): a socket with no traffic either way for that long. Node then
//   emits 'timeout' on the server, and onIdleSocket below decides whose fault the silence is.
// - server.requestTimeout (requestTimeoutMs): the whole request, headers and body, must have
//   arrived; Node checks it every CHECK_INTERVAL_MS and reports it as a clientError (408).
// - server.headersTimeout: the request line and headers, as Node's default (60 s) unless the
//   request timeout is shorter.

export const CHECK_INTERVAL_MS = 1_000; // 1 s: how late requestTimeoutMs may be felt

/** Options for Node's http.createServer (Fastify's `http` option). */
export function serverTimeoutOptions(limits: PublicListenerConfig): { connectionsCheckingInterval: number; headersTimeout: number } {
  return { connectionsCheckingInterval: CHECK_INTERVAL_MS, headersTimeout: Math.min(60_000, limits.requestTimeoutMs) };
}

type ParsedSocket = Socket & { parser?: { incoming?: IncomingMessage | null } | null };

/**
 * A socket silent for idleTimeoutMs:
 * - its request body stopped arriving (nothing of it is waiting for the upstream either): 408;
 * - a response is stuck in its write buffer: the client stopped reading, the connection is closed
 *   (which aborts the upstream request and gives its pool connection back);
 * - no request at all: an idle keep-alive connection, closed as Node would;
 * - otherwise the request is waiting for its upstream, whose own timeout applies.
 */
function onIdleSocket(socket: Socket): void {
  const request = (socket as ParsedSocket).parser?.incoming ?? null;
  const response = responseOnSocket(socket);
  if (request !== null && !request.complete) {
    if (request.readableLength === 0) refuseAndClose(socket, REQUEST_TIMEOUT);
    return;
  }
  if (response === null || socket.writableLength > 0) socket.destroy();
}

export function applyClientTimeouts(server: Server, limits: PublicListenerConfig): void {
  server.setTimeout(limits.idleTimeoutMs);
  server.requestTimeout = limits.requestTimeoutMs;
  server.on('timeout', onIdleSocket);
}
