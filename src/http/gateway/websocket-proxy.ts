import type { ClientRequest, IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { WebSocket, WebSocketServer, type ClientOptions, type ServerOptions } from 'ws';
import type { ApiConfig } from '../../config/config.js';
import { parseBearerAuthorization } from '../../domain/bearer-token.js';
import { MAX_TOKEN_LENGTH } from '../../domain/token-values.js';
import { admittedToken } from './admission.js';
import { sendBadUpgrade, sendUpstreamFailure, type UpstreamFailure } from './gateway-replies.js';
import type { OpenWebSockets } from './open-websockets.js';
import { downstreamResponseHeaders, upstreamRequestHeaders, type ForwardingContext } from './upstream-headers.js';
import { linkWebSockets } from './websocket-link.js';
import { checkHandshake, isWebSocketUpgrade, pendingUpgrade, routeUpgrades, type PendingUpgrade } from './websocket-upgrade.js';

// An API's WebSocket upgrades, once admitted (admission.ts ran in onRequest): the upstream is
// dialled first, with the client's offered subprotocols and the identity headers, so that its
// refusal or failure can still be an HTTP answer (its own status, or 502/504) and the client is
// accepted with the subprotocol the upstream chose; then the two are linked with backpressure
// (websocket-link.ts) and the connection is registered for revocation and expiry
// (open-websockets.ts). permessage-deflate is off on both sides: the limits count the bytes on
// the wire, and a compressed frame cannot inflate the gateway's memory past them.

const CLOSE_HANDSHAKE_TIMEOUT_MS = 5_000; // a side that does not answer a close frame by then is cut off

export interface WebSocketProxyOptions {
  readonly api: ApiConfig;
  /** The upstream path the API's prefix maps to (api-proxy.ts's rewritePrefix). */
  readonly upstreamBasePath: string;
  /** Milliseconds the upstream has to accept the upgrade (the API's upstream timeout). */
  readonly timeoutMs: number;
  readonly forwarding: (request: FastifyRequest) => ForwardingContext;
  readonly sockets: OpenWebSockets;
}

/** The upstream URL of an upgrade to `rawUrl`; null if its path leaves the API's base path. */
export function upstreamWebSocketUrl(api: Pick<ApiConfig, 'pathPrefix' | 'upstreamUrl'>, basePath: string, rawUrl: string): URL | null {
  const queryAt = rawUrl.indexOf('?');
  const path = queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt);
  if (!path.startsWith(api.pathPrefix)) return null;
  const target = new URL(api.upstreamUrl);
  target.protocol = target.protocol === 'https:' ? 'wss:' : 'ws:';
  // The URL parser resolves dot segments (also encoded, also with backslashes) right here.
  target.pathname = `${basePath}${path.slice(api.pathPrefix.length)}`;
  target.search = queryAt === -1 ? '' : rawUrl.slice(queryAt);
  const contained = basePath === '' || target.pathname === basePath || target.pathname.startsWith(`${basePath}/`);
  return contained ? target : null;
}

type Dialled =
  | { readonly kind: 'open' }
  | { readonly kind: 'refused'; readonly request: ClientRequest; readonly response: IncomingMessage }
  | { readonly kind: 'failed'; readonly failure: UpstreamFailure }
  | { readonly kind: 'abandoned' };

/** Waits for the upstream's handshake, its refusal, a failure, the timeout, or the client leaving. */
function dial(upstream: WebSocket, timeoutMs: number, client: Duplex): Promise<Dialled> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: Dialled): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      client.off('close', clientLeft);
      if (outcome.kind !== 'open' && outcome.kind !== 'refused') upstream.terminate();
      resolve(outcome);
    };
    const timer = setTimeout(() => settle({ kind: 'failed', failure: 'timeout' }), timeoutMs);
    const clientLeft = (): void => settle({ kind: 'abandoned' });
    client.once('close', clientLeft);
    upstream.on('error', () => settle({ kind: 'failed', failure: 'unreachable' }));
    upstream.once('unexpected-response', (request: ClientRequest, response: IncomingMessage) => settle({ kind: 'refused', request, response }));
    upstream.once('open', () => {
      // Nothing may be read before the client is linked: a greeting would be lost.
      upstream.pause();
      settle({ kind: 'open' });
    });
  });
}

/** The upstream refused the upgrade: its answer goes to the client as it is, like any response. */
function relayRefusal(reply: FastifyReply, { request, response }: { request: ClientRequest; response: IncomingMessage }): FastifyReply {
  response.once('close', () => request.destroy());
  return reply
    .code(response.statusCode ?? 502)
    .headers(downstreamResponseHeaders(response.headers))
    .send(response);
}

function upgradeHeaders(request: FastifyRequest, forwarding: ForwardingContext): Record<string, string> {
  const headers = upstreamRequestHeaders(request.headers, forwarding);
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    // ws writes its own handshake fields and Host.
    if (value === undefined || name.startsWith('sec-websocket-') || name === 'host' || name === 'content-length') continue;
    kept[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return kept;
}

export function registerWebSocketProxy(scope: FastifyInstance, options: WebSocketProxyOptions): void {
  routeUpgrades(scope);
  const { api } = options;
  const limits = api.websocket;
  const chosenProtocol = new WeakMap<IncomingMessage, string>();
  const extraHeaders = new WeakMap<IncomingMessage, string[]>();
  const shared = { perMessageDeflate: false, autoPong: false, maxPayload: limits.maxMessageBytes, closeTimeout: CLOSE_HANDSHAKE_TIMEOUT_MS };
  const server = new WebSocketServer({
    ...shared,
    noServer: true,
    clientTracking: false,
    handleProtocols: (_offered, request) => chosenProtocol.get(request) || false,
  } as ServerOptions);
  server.on('headers', (headers: string[], request: IncomingMessage) => headers.push(...(extraHeaders.get(request) ?? [])));

  const proxyUpgrade = async (request: FastifyRequest, reply: FastifyReply, pending: PendingUpgrade): Promise<FastifyReply> => {
    const handshake = checkHandshake(request.raw);
    if (!handshake.valid) return sendBadUpgrade(reply, handshake.problem);
    const url = upstreamWebSocketUrl(api, options.upstreamBasePath, request.raw.url ?? '');
    if (!url) return sendBadUpgrade(reply, 'the path leaves the API');
    const token = admittedToken(request);
    const upstream = new WebSocket(url, [...handshake.protocols], {
      ...shared,
      headers: upgradeHeaders(request, options.forwarding(request)),
      followRedirects: false,
    } as ClientOptions);
    const dialled = await dial(upstream, options.timeoutMs, pending.socket);
    if (dialled.kind === 'failed') {
      request.log.warn({ api: api.id, failure: dialled.failure }, 'upstream WebSocket handshake failed');
      return sendUpstreamFailure(reply, dialled.failure);
    }
    if (dialled.kind === 'refused') return relayRefusal(reply, dialled);
    reply.hijack();
    if (dialled.kind === 'abandoned' || !pending.socket.writable) {
      upstream.terminate();
      pending.socket.destroy();
      return reply;
    }
    chosenProtocol.set(request.raw, upstream.protocol);
    // The rate-limit headers admission set belong on the 101 as on any answer.
    extraHeaders.set(
      request.raw,
      Object.entries(reply.getHeaders()).map(([name, value]) => `${name}: ${String(value)}`),
    );
    const presented = parseBearerAuthorization(request.headers.authorization, MAX_TOKEN_LENGTH);
    server.handleUpgrade(request.raw, pending.socket, pending.head, (client) => {
      const link = linkWebSockets(client, upstream, limits);
      options.sockets.add({
        token,
        presented: presented.kind === 'token' ? presented.token : '',
        link,
        maxLifetimeMs: limits.maxLifetimeSeconds === null ? null : limits.maxLifetimeSeconds * 1000,
      });
      upstream.resume();
    });
    return reply;
  };

  // A callback hook, so that ordinary requests pay no promise for it.
  scope.addHook('preHandler', (request, reply, done) => {
    const pending = pendingUpgrade(request.raw);
    if (!pending || !isWebSocketUpgrade(request.raw)) return done();
    // Every outcome answers the client or takes the socket over: the route handler never runs,
    // so `done` is only for an error.
    proxyUpgrade(request, reply, pending).then(() => undefined, done);
  });
}
