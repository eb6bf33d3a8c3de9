import fc from 'fast-check';
import type { InjectOptions } from 'fastify';

// Generators of hostile requests for the public listener: malformed and oversized bodies, wrong
// media types and charsets, control characters, repeated and array-valued parameters, bad
// Authorization headers, spoofed X-Forwarded-For. They know a real client id and login (so that
// requests get deep into the grants) but never a password, a secret or a token that works.

export interface Known {
  readonly clientId: string;
  readonly login: string;
}

const HOSTILE_CHARS = ['\u0000', '\r', '\n', '\u001b', '\u007f', '\ud800', '\udfff', '\ufeff', '%00', '%FF', '%', '&', '=', '+', '"', '\\', '\u202e', 'é', '𝒜'];

const hostileString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.array(fc.constantFrom(...HOSTILE_CHARS), { maxLength: 8 }).map((parts) => parts.join('')),
  fc.nat({ max: 3000 }).map((n) => 'x'.repeat(n)),
);

const names = ['grant_type', 'username', 'password', 'client_id', 'client_secret', 'refresh_token', 'scope', 'token', 'token_type_hint'];

function parameterValue(known: Known): fc.Arbitrary<string> {
  return fc.oneof(hostileString, fc.constantFrom('password', 'refresh_token', 'client_credentials', known.clientId, known.login));
}

function parameterPairs(known: Known): fc.Arbitrary<[string, string][]> {
  const name = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...names) }, { weight: 1, arbitrary: hostileString });
  return fc.array(fc.tuple(name, parameterValue(known)), { maxLength: 8 });
}

/** A lone surrogate has no UTF-8 form; it travels as U+FFFD (JSON bodies keep it as \\udXXX). */
function encode(text: string): string {
  return encodeURIComponent(text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'));
}

function formBody(pairs: [string, string][]): string {
  return pairs.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&');
}

function jsonBody(known: Known): fc.Arbitrary<string> {
  return fc.oneof(
    parameterPairs(known).map((pairs) => `{${pairs.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`),
    fc.json(),
    fc.jsonValue().map((value) => JSON.stringify({ grant_type: 'password', username: value, password: [value] })),
    fc.string({ maxLength: 60 }),
    fc.nat({ max: 5000 }).map((depth) => '['.repeat(depth)),
  );
}

const contentTypes = fc.constantFrom(
  'application/x-www-form-urlencoded',
  'application/x-www-form-urlencoded; charset=utf-8',
  'application/x-www-form-urlencoded; charset=latin1',
  'application/x-www-form-urlencoded; charset="UTF-16"',
  'application/json',
  'application/json; charset=iso-8859-1',
  'text/plain',
  'multipart/form-data; boundary=x',
  'application/x-www-form-urlencoded, application/json',
  '',
  ';;;',
);

function body(known: Known): fc.Arbitrary<string | Buffer> {
  return fc.oneof(
    parameterPairs(known).map(formBody),
    parameterPairs(known).map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&')), // not encoded at all
    jsonBody(known),
    fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
    fc.nat({ max: 100 }).map((n) => `grant_type=password${'&username=a'.repeat(n)}`),
    fc.constant(''),
  );
}

const authorization = fc.oneof(
  fc.constant(undefined),
  hostileString.map((s) => `Basic ${Buffer.from(s).toString('base64')}`),
  hostileString.map((s) => `Basic ${s}`),
  hostileString.map((s) => `Bearer ${s}`),
  fc.string({ maxLength: 30 }),
);

const forwardedFor = fc.oneof(fc.constant(undefined), fc.ipV4(), fc.ipV6(), fc.string({ maxLength: 30 }), fc.constant('1.2.3.4, , ,,'));

function headers(contentType: string, auth: string | undefined, xff: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  // Header values cannot carry CR, LF or NUL on the wire; light-my-request would throw on them.
  const clean = (v: string) => v.replace(/[\r\n\u0000]/g, '').replace(/[^\t\x20-\x7e\x80-\xff]/g, '?');
  if (contentType !== '') out['content-type'] = contentType;
  if (auth !== undefined) out.authorization = clean(auth);
  if (xff !== undefined) out['x-forwarded-for'] = clean(xff);
  return out;
}

const oauthPaths = fc.constantFrom(
  '/auth/local/api/orders/token',
  '/auth/local/api/orders/revoke',
  '/auth/local/api/orders/introspect',
  '/auth/local/api/billing/token',
  '/auth/staff/api/orders/token',
  '/auth/nope/api/orders/token',
  '/auth/local/api/%00/token',
  '/auth/local/api/orders/token?grant_type=password',
  '/.well-known/oauth-authorization-server/auth/local/api/orders',
);

/** Well-formed but for the values: gets past parsing and client authentication into the grants. */
function nearValidRequest(known: Known): fc.Arbitrary<InjectOptions> {
  return fc
    .record({
      json: fc.boolean(),
      grantType: fc.constantFrom('password', 'refresh_token'),
      username: fc.oneof(hostileString, fc.constant(known.login)),
      password: hostileString,
      refreshToken: hostileString,
      extra: parameterPairs(known),
    })
    .map((r) => {
      const pairs: [string, string][] = [
        ['grant_type', r.grantType],
        ['client_id', known.clientId],
        ['username', r.username],
        ['password', r.password],
        ['refresh_token', r.refreshToken],
        ...r.extra.filter(([name]) => !names.includes(name)),
      ];
      const payload = r.json ? JSON.stringify(Object.fromEntries(pairs)) : formBody(pairs);
      return {
        method: 'POST' as const,
        url: '/auth/local/api/orders/token',
        headers: { 'content-type': r.json ? 'application/json' : 'application/x-www-form-urlencoded' },
        payload,
      };
    });
}

export function tokenEndpointRequest(known: Known): fc.Arbitrary<InjectOptions> {
  return fc.oneof(anyOAuthRequest(known), nearValidRequest(known));
}

function anyOAuthRequest(known: Known): fc.Arbitrary<InjectOptions> {
  return fc
    .record({
      method: fc.constantFrom('POST', 'POST', 'POST', 'GET', 'PUT', 'OPTIONS', 'DELETE'),
      url: oauthPaths,
      contentType: contentTypes,
      payload: body(known),
      auth: authorization,
      xff: forwardedFor,
    })
    .map((r) => ({
      method: r.method as InjectOptions['method'],
      url: r.url,
      headers: headers(r.contentType, r.auth, r.xff),
      ...(r.method === 'GET' ? {} : { payload: r.payload }),
    }));
}

const gatewayPaths = fc.oneof(
  fc.constantFrom('/orders', '/orders/', '/orders/items?x=1', '/billing/a/../../etc/passwd', '/orders/%2e%2e/%2e%2e', '/orders//x'),
  fc.webPath().map((p) => `/orders${p}`),
);

export function gatewayRequest(): fc.Arbitrary<InjectOptions> {
  return fc
    .record({
      method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'),
      url: gatewayPaths,
      auth: authorization,
      xff: forwardedFor,
      userid: fc.option(hostileString, { nil: undefined }),
      payload: fc.oneof(fc.string({ maxLength: 100 }), fc.uint8Array({ maxLength: 100 }).map((b) => Buffer.from(b))),
    })
    .map((r) => ({
      method: r.method as InjectOptions['method'],
      url: r.url,
      headers: {
        ...headers('application/json', r.auth, r.xff),
        ...(r.userid === undefined ? {} : { 'x-authenticated-userid': r.userid.replace(/[^\x20-\x7e]/g, '?') }),
      },
      ...(r.method === 'GET' || r.method === 'HEAD' ? {} : { payload: r.payload }),
    }));
}
