// The upstream path of a proxied request: the API's prefix replaced by the upstream base path,
// the rest as the client sent it (still percent-encoded; the query is passed on separately), and
// never a way out of the base path. These are the rules of @fastify/http-proxy 11's route handler,
// which the gateway used until its per-request cost showed in profiles (three URL parses and a
// dozen string copies per request): every path gets the same upstream path, or the same 400, as
// it did there. A plain path (the usual case) is proven safe by one scan; anything else (percent
// escapes, backslashes, dot segments, odd characters) takes the library's full checks below.

/** A refusal as the library threw it: the error handler answers 400 with its message. */
function invalidDestination(): Error {
  return Object.assign(new Error('source/request contain invalid characters'), { statusCode: 400 });
}

// Characters that neither percent-decoding nor the URL parser changes, minus `.`-only segments
// (checked apart): RFC 3986 unreserved, sub-delims, ':' and '@' (pchar without pct-encoded).
const PLAIN_SEGMENTS = /^(?:\/[A-Za-z0-9\-._~!$&'()*+,;=:@]*)*$/;
const DOT_SEGMENT = /\/\.\.?(?:\/|$)/;
const ABSOLUTE_URL = /^[a-zA-Z][a-zA-Z\d+.-]*:/;
const PLACEHOLDER_ORIGIN = 'http://fastify-http-proxy.invalid';

export interface UpstreamPathRules {
  /** The API's route prefix, as Fastify registered it (the scope's `prefix`). */
  readonly prefix: string;
  /** What the prefix becomes upstream ('' for the upstream root). */
  readonly rewritePrefix: string;
  /** The upstream URL: the destination must stay on its origin and under rewritePrefix. */
  readonly upstream: string;
}

/** http-proxy's rewritePrefix from the configured one: '' or a path without a trailing slash. */
export function effectiveRewritePrefix(prefix: string, configured: string, upstream: string): string {
  const rewritePrefix = configured || new URL(upstream).pathname;
  return !prefix.endsWith('/') && rewritePrefix.endsWith('/') ? rewritePrefix.slice(0, -1) : rewritePrefix;
}

/**
 * The upstream path of `rawUrl` (the request's URL as received), for reply-from; throws a 400
 * error for a path that would leave the base path. `params` are the route's (a prefix may hold a
 * `:name` parameter). '' (the prefix alone, with a query) is the library's quirk kept as it was:
 * reply-from then sends the request's own path.
 */
export function upstreamPath(rules: UpstreamPathRules, rawUrl: string, params: Record<string, string>): string {
  const queryAt = rawUrl.indexOf('?');
  const path = queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt);
  // The library rebuilt the URL with the query (up to a second '?') and split it off again.
  const hasQuery = queryAt !== -1 && queryAt + 1 < rawUrl.length && rawUrl[queryAt + 1] !== '?';
  const { prefix, rewritePrefix } = rules;
  if (!prefix.includes(':') && !prefix.includes('%') && path.startsWith(prefix)) {
    const dest = orRoot(rewritePrefix + path.slice(prefix.length), hasQuery);
    return isPlain(dest) ? dest : resolveDestination(dest, rewritePrefix, rules.upstream);
  }
  const { dest, effectivePrefix } = rewrite(path, params, rules);
  return resolveDestination(orRoot(dest, hasQuery), effectivePrefix, rules.upstream);
}

function orRoot(dest: string, hasQuery: boolean): string {
  return dest !== '' || hasQuery ? dest : '/';
}

/**
 * '' or one '/' first, then nothing that decoding, the URL parser or a dot segment would change:
 * the library's checks cannot refuse it, and its URL parses would give it back as it is.
 */
function isPlain(dest: string): boolean {
  return dest.charCodeAt(1) !== 0x2f /* / */ && PLAIN_SEGMENTS.test(dest) && !DOT_SEGMENT.test(dest);
}

/** http-proxy's fromParametersWithRewritePrefix, for Fastify's default (case-sensitive) router. */
function rewrite(path: string, params: Record<string, string>, rules: UpstreamPathRules): { dest: string; effectivePrefix: string } {
  const { prefix, rewritePrefix } = rules;
  if (!prefix.includes(':')) {
    const length = rawPrefixLength(path, prefix);
    return { dest: length === -1 ? path : rewritePrefix + path.slice(length), effectivePrefix: rewritePrefix };
  }
  const requested = path.split('/');
  const prefixPath = decodeURI(prefix.split('/').map((_, index) => requested[index]).join('/'));
  let withVariables = rewritePrefix;
  for (const [name, value] of Object.entries(params)) withVariables = withVariables.replace(`:${name}`, value);
  const length = rawPrefixLength(path, prefixPath);
  if (length === -1) return { dest: path, effectivePrefix: rewritePrefix };
  return { dest: withVariables + path.slice(length), effectivePrefix: withVariables };
}

/** Where the raw (encoded) path's prefix ends, matched against the decoded `prefix`; -1 if not. */
function rawPrefixLength(path: string, prefix: string): number {
  if (prefix.length === 0) return 0;
  let index = 0;
  let decoded = '';
  while (index < path.length) {
    let length = 1;
    let character: string;
    if (path[index] === '%') {
      length = 3;
      // A percent-encoded UTF-8 character is up to four escapes.
      for (;;) {
        try {
          character = decodeURI(path.slice(index, index + length));
          break;
        } catch (error) {
          if (length === 12 || path[index + length] !== '%') throw error;
          length += 3;
        }
      }
    } else {
      length = (path.codePointAt(index) ?? 0) > 0xffff ? 2 : 1;
      character = path.slice(index, index + length);
    }
    decoded += character;
    index += length;
    if (decoded === prefix) return index;
    if (decoded.length >= prefix.length) return -1;
  }
  return -1;
}

/** No absolute URL, no '//' authority, nothing undecodable, no '..' segment, however spelled. */
function validateDestination(dest: string): void {
  const normalised = dest.replace(/[\t\n\r\0]/g, '').trimStart().replaceAll('\\', '/');
  if (ABSOLUTE_URL.test(normalised) || normalised.startsWith('//')) throw invalidDestination();
  let decoded: string;
  try {
    decoded = decodeURIComponent(normalised);
  } catch {
    throw invalidDestination();
  }
  if (decoded.replaceAll('\\', '/').split('/').includes('..')) throw invalidDestination();
}

/** The destination, checked, must resolve on the upstream's origin and under the rewritten prefix. */
function resolveDestination(dest: string, rewritePrefix: string, upstream: string = PLACEHOLDER_ORIGIN): string {
  validateDestination(dest);
  const base = new URL(upstream);
  const target = new URL(dest, base);
  const prefix = new URL(rewritePrefix, base);
  const boundary = prefix.pathname.endsWith('/') ? prefix.pathname : `${prefix.pathname}/`;
  const within = target.pathname === prefix.pathname || target.pathname.startsWith(boundary);
  if (target.origin !== base.origin || prefix.origin !== base.origin || !within) throw invalidDestination();
  return dest;
}
