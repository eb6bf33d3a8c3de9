import type { FastifyInstance } from 'fastify';
import type { Socket } from 'node:net';
import { responseOnSocket } from './client-errors.js';

// On close, Fastify stops accepting, answers new requests 503 with `Connection: close`, and Node
// closes the connections idle at that moment. A keep-alive connection still busy would then stay
// open after its response, until the client or the keep-alive timeout closes it, and hold the
// drain. Here every response in flight says `Connection: close` (RFC 9112 §9.6) when its headers
// are still to be sent, and its connection ends with it either way.

export function drainOnClose(app: FastifyInstance): void {
  const sockets = new Set<Socket>();
  app.server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  app.addHook('preClose', (done) => {
    for (const socket of sockets) {
      const response = responseOnSocket(socket);
      if (response === null) continue; // idle: Node's close() ends it at once
      if (!response.headersSent) response.shouldKeepAlive = false;
      else response.once('finish', () => (socket as Socket & { destroySoon(): void }).destroySoon());
    }
    done();
  });
}
