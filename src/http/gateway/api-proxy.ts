import type { FastifyReplyFromHooks } from '@fastify/reply-from';
import type { FastifyInstance, FastifyReply, FastifyRequest, RawServerBase, RouteGenericInterface } from 'fastify';
import type { ApiConfig } from '../../config/config.js';
import { admission, admittedToken, type AdmissionServices } from './admission.js';
import { sendUpstreamFailure } from './gateway-replies.js';
import type { OpenWebSockets } from './open-websockets.js';
import { upstreamAdmission } from './upstream-admission.js';
import { downstreamResponseHeaders, upstreamRequestHeaders } from './upstream-headers.js';
import { retryLostConnection } from './upstream-retry.js';
import { UpstreamSlots } from './upstream-slots.js';
import { registerProxyRoute } from './proxy-route.js';
import { registerWebSocketProxy } from './websocket-proxy.js';

// One API of the config behind the gateway: {pathPrefix}/... is admitted (admission.ts) and then
// proxied by @fastify/reply-from (undici; routes in proxy-route.ts, WebSocket upgrades by
// websocket-proxy.ts) to {upstreamUrl}/..., with the prefix stripped or kept. Bodies stream both
// ways: the gateway scope's only content-type parser hands the raw request stream over unread.

const DEFAULT_UPSTREAM_TIMEOUT_MS = 30_000; // 30 s, as the config schema's default
const DEFAULT_UPSTREAM_CONNECTIONS = 128; // as the config schema's default

/** The upstream path the prefix maps to: the upstream URL's own path, plus the prefix when kept. */
export function rewritePrefix(api: ApiConfig): string {
  const base = new URL(api.upstreamUrl).pathname.replace(/\/+$/, '');
  return api.stripPrefix ? base : `${base}${api.pathPrefix}`;
}

// reply-from's hooks are typed for HTTP/2 servers as well; the public listener is HTTP/1.1.
type ProxiedRequest = FastifyRequest<RouteGenericInterface, RawServerBase>;

function forwardingContext(request: ProxiedRequest, api: ApiConfig) {
  return {
    token: admittedToken(request),
    forwardAuthorization: api.forwardAuthorization,
    clientAddress: request.raw.socket.remoteAddress,
    protocol: request.protocol,
    host: request.host,
  };
}

/** reply-from's errors carry the status it would have answered: 504 for every kind of timeout. */
const onUpstreamError: NonNullable<FastifyReplyFromHooks['onError']> = (reply, { error }) => {
  // The client went away (or was cut off for stalling): the upstream request was aborted with it.
  if (reply.raw.destroyed) return void reply.log.info({ err: error }, 'upstream request aborted with its client');
  const status = (error as { statusCode?: unknown }).statusCode;
  const failure = status === 504 ? 'timeout' : 'unreachable';
  reply.log.warn({ err: error, failure }, 'upstream request failed');
  if (!reply.sent) sendUpstreamFailure(reply as unknown as FastifyReply, failure);
};

export interface ProxyLimits {
  /** Milliseconds a request may wait for a free upstream connection. */
  readonly poolWaitTimeoutMs: number;
}

export async function registerApiProxy(
  app: FastifyInstance,
  api: ApiConfig,
  services: AdmissionServices,
  limits: ProxyLimits,
  sockets: OpenWebSockets,
): Promise<void> {
  const timeout = api.upstreamTimeoutMs ?? DEFAULT_UPSTREAM_TIMEOUT_MS;
  const connections = api.upstreamConnections ?? DEFAULT_UPSTREAM_CONNECTIONS;
  const slots = new UpstreamSlots(connections, limits.poolWaitTimeoutMs);
  await app.register(async (scope) => {
    scope.addHook('onRequest', admission(api, services));
    registerWebSocketProxy(scope, {
      api,
      upstreamBasePath: rewritePrefix(api),
      timeoutMs: timeout,
      forwarding: (request) => forwardingContext(request, api),
      sockets,
    });
    // WebSockets do not hold an undici connection, so only plain requests take a slot.
    scope.addHook('preHandler', upstreamAdmission(api, slots));
    await registerProxyRoute(scope, {
      prefix: api.pathPrefix,
      upstream: api.upstreamUrl,
      rewritePrefix: rewritePrefix(api),
      undici: {
        connections,
        headersTimeout: timeout,
        bodyTimeout: timeout,
        // reply-from turns TLS certificate checks off (undici's deprecated `tls` option) unless
        // told otherwise; `connect` wins over it, and an upstream's certificate must verify.
        connect: { timeout, rejectUnauthorized: true },
      },
      replyOptions: {
        rewriteRequestHeaders: (request, headers) => upstreamRequestHeaders(headers, forwardingContext(request, api)),
        rewriteHeaders: (headers) => downstreamResponseHeaders(headers),
        onError: onUpstreamError,
        // An upstream's 503 goes back to the client as it is; retrying is the client's call. A
        // connection lost before any answer is retried once (idempotent and bodiless only).
        retryDelay: retryLostConnection,
      },
    });
  });
}
