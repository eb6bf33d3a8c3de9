import replyFrom, { type FastifyReplyFromHooks, type FastifyReplyFromOptions } from '@fastify/reply-from';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { effectiveRewritePrefix, upstreamPath, type UpstreamPathRules } from './upstream-path.js';

// The routes of one API's proxied requests, {prefix} and {prefix}/*, handed to
// @fastify/reply-from (undici). They are what @fastify/http-proxy 11 registered for the gateway,
// without its per-request URL parsing (upstream-path.ts): the same methods, bodies streamed
// through unparsed, the same upstream path or 400, the query passed on as sent, a Location that
// points into the upstream's base path mapped back under the prefix, and response header values
// cleaned of characters an HTTP header cannot carry.

const METHODS = ['DELETE', 'GET', 'HEAD', 'PATCH', 'POST', 'PUT', 'OPTIONS'];
const EXTERNAL_URL = /^https?:\/\//;
const INVALID_HEADER_CHARACTER = /[^\t\x20-\x7E\x80-\xFF]/;
const INVALID_HEADER_CHARACTERS = /[^\t\x20-\x7E\x80-\xFF]/g;

type ReplyOptions = FastifyReplyFromHooks & { rewriteHeaders: NonNullable<FastifyReplyFromHooks['rewriteHeaders']> };

export interface ProxyRouteOptions {
  readonly prefix: string;
  readonly upstream: string;
  /** The upstream path the prefix maps to (api-proxy.ts's rewritePrefix). */
  readonly rewritePrefix: string;
  readonly undici: FastifyReplyFromOptions['undici'];
  readonly replyOptions: ReplyOptions;
}

/** A header value from the upstream without the characters Node would refuse to send (it would throw). */
function sanitise(value: unknown): unknown {
  if (typeof value === 'string') return cleaned(value);
  if (Array.isArray(value)) return value.map((item: unknown) => (typeof item === 'string' ? cleaned(item) : item));
  return value;
}

// A test first: the usual value has nothing to remove, and a global replace costs more than a test.
function cleaned(value: string): string {
  return INVALID_HEADER_CHARACTER.test(value) ? value.replace(INVALID_HEADER_CHARACTERS, '') : value;
}

export async function registerProxyRoute(scope: FastifyInstance, options: ProxyRouteOptions): Promise<void> {
  await scope.register(
    async (proxy) => {
      const passThrough = (_request: FastifyRequest, payload: unknown, done: (error: null, body: unknown) => void) => done(null, payload);
      proxy.addContentTypeParser('application/json', passThrough);
      proxy.addContentTypeParser('*', passThrough);
      await proxy.register(replyFrom, { base: options.upstream, disableRequestLogging: true, undici: options.undici });
      const rules: UpstreamPathRules = {
        prefix: proxy.prefix,
        rewritePrefix: effectiveRewritePrefix(proxy.prefix, options.rewritePrefix, options.upstream),
        upstream: options.upstream,
      };
      const { rewriteHeaders } = options.replyOptions;
      const replyOptions: ReplyOptions = {
        ...options.replyOptions,
        rewriteHeaders: (headers, request) => {
          const location = headers.location;
          if (typeof location === 'string' && location !== '' && !EXTERNAL_URL.test(location)) {
            headers.location = location.replace(rules.rewritePrefix, rules.prefix);
          }
          const kept: Record<string, unknown> = rewriteHeaders(headers, request);
          for (const name in kept) kept[name] = sanitise(kept[name]);
          return kept as typeof headers;
        },
      };
      const handler = (request: FastifyRequest, reply: FastifyReply) =>
        reply.from(upstreamPath(rules, request.url, request.params as Record<string, string>), replyOptions);
      for (const url of ['/', '/*']) proxy.route({ url, method: METHODS, handler });
    },
    { prefix: options.prefix },
  );
}
