import { ServerResponse, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';

// Node hands a request with `Upgrade:` to the server's 'upgrade' listeners instead of its request
// handler. The gateway routes it through Fastify like any request, on a response bound to the raw
// socket, so that the API's admission (token, rate limit) runs first and a refusal is an ordinary
// HTTP response; the API's WebSocket proxy then takes the socket over (websocket-proxy.ts).

export interface PendingUpgrade {
  readonly socket: Duplex;
  /** The first bytes after the request head: may already hold WebSocket frames. */
  readonly head: Buffer;
}

const pending = new WeakMap<IncomingMessage, PendingUpgrade>();
const routed = new WeakSet<Server>();

/** The socket of an upgrade request routed here; null for an ordinary request. */
export function pendingUpgrade(request: IncomingMessage): PendingUpgrade | null {
  return pending.get(request) ?? null;
}

/** Installs the server's one 'upgrade' listener (idempotent). */
export function routeUpgrades(app: FastifyInstance): void {
  const server = app.server;
  if (routed.has(server)) return;
  routed.add(server);
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node removed its own listeners: an unhandled reset would otherwise end the process.
    socket.on('error', () => socket.destroy());
    pending.set(request, { socket, head });
    const response = new ServerResponse(request);
    response.assignSocket(socket as Socket);
    // Whatever Fastify answers (401, 429, 502...) ends the connection: it was not upgraded.
    response.on('finish', () => {
      socket.end();
      socket.once('finish', () => socket.destroy());
    });
    app.routing(request, response);
  });
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/; // RFC 9110 §5.6.2
const KEY = /^[+/0-9A-Za-z]{22}==$/; // RFC 6455 §4.1: 16 random bytes, base64

export type Handshake =
  | { readonly valid: true; readonly protocols: readonly string[] }
  | { readonly valid: false; readonly problem: string };

/** RFC 6455 §4.2.1: what the client's opening handshake must hold, checked before any upstream is dialled. */
export function checkHandshake(request: IncomingMessage): Handshake {
  if (request.method !== 'GET') return { valid: false, problem: 'the method must be GET' };
  if (request.headers.upgrade?.toLowerCase() !== 'websocket') return { valid: false, problem: 'Upgrade must be websocket' };
  if (!KEY.test(request.headers['sec-websocket-key'] ?? '')) return { valid: false, problem: 'missing or malformed Sec-WebSocket-Key' };
  if (request.headers['sec-websocket-version'] !== '13') return { valid: false, problem: 'version' };
  const offered = request.headers['sec-websocket-protocol'];
  const protocols = offered === undefined ? [] : offered.split(',').map((protocol) => protocol.trim());
  if (protocols.some((protocol) => !TOKEN.test(protocol)) || new Set(protocols).size !== protocols.length) {
    return { valid: false, problem: 'malformed Sec-WebSocket-Protocol' };
  }
  return { valid: true, protocols };
}

export function isWebSocketUpgrade(request: IncomingMessage): boolean {
  return pending.has(request) && request.headers.upgrade?.toLowerCase() === 'websocket';
}
