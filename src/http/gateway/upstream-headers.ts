import type { IncomingHttpHeaders } from 'node:http';
import type { VerifiedAccessToken } from '../../domain/access-token-verifier.js';

// What the upstream receives: the client's headers minus hop-by-hop fields and minus anything
// that looks like an identity header (a client must not be able to name itself), plus the
// identity Gatehouse vouches for, under the names that Kong-based gateways (and so wicked) used:
//
//   X-Authenticated-Userid       the end user's Gatehouse user id (absent for client credentials)
//   X-Authenticated-Scope        the token's scope, space-separated (RFC 6749 §3.3)
//   X-Authenticated-Auth-Method  the auth method the user logged in with (Gatehouse's own; absent
//                                for client credentials: nobody logged in)
//   X-Consumer-ID                the subscription id (Kong's consumer is one app × API)
//   X-Consumer-Custom-ID         the subscription id, as wicked set it
//   X-Consumer-Username          the application id (stable, unlike its display name)
//   X-Credential-Identifier      the subscription's client_id
//
// Kong's X-Anonymous-Consumer is never set: the gateway admits no anonymous requests.

// RFC 9110 §7.6.1: meaningful for one connection only, never forwarded.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

// Everything under these names is Gatehouse's to set; client copies are dropped whatever follows.
// Matched with `_` read as `-`: WSGI and CGI-style servers map both to the same variable
// (HTTP_X_AUTHENTICATED_USERID), so `X_Authenticated_Userid` would reach the upstream as the
// identity header itself.
const RESERVED_PREFIXES = ['x-authenticated-', 'x-consumer-', 'x-credential-', 'x-anonymous-'];

export interface ForwardingContext {
  readonly token: VerifiedAccessToken;
  readonly forwardAuthorization: boolean;
  /** The address of the peer that connected to Gatehouse. */
  readonly clientAddress: string | undefined;
  /** As the client addressed Gatehouse (Fastify's request.protocol / request.host). */
  readonly protocol: string;
  readonly host: string;
}

export function identityHeaders(token: VerifiedAccessToken): Record<string, string> {
  return setIdentityHeaders({}, token);
}

/** Sets the identity headers on `headers` in place (per request: no object to build and copy). */
function setIdentityHeaders<T extends object>(headers: T, token: VerifiedAccessToken): T & Record<string, string> {
  const target: Record<string, unknown> = headers as Record<string, unknown>;
  target['x-authenticated-scope'] = token.scope;
  target['x-consumer-id'] = token.subscriptionId;
  target['x-consumer-custom-id'] = token.subscriptionId;
  target['x-consumer-username'] = token.applicationId;
  target['x-credential-identifier'] = token.clientId;
  // A client-credentials token (RFC 6749 §4.4) carries no user: the user headers are absent, not
  // empty, as Kong's OAuth2 plugin leaves them, so an upstream cannot mistake "" for someone.
  if (token.userId !== null) {
    target['x-authenticated-userid'] = token.userId;
    target['x-authenticated-auth-method'] = token.authMethod;
  }
  return headers as T & Record<string, string>;
}

const NONE: ReadonlySet<string> = new Set();

/** RFC 9110 §7.6.1: the Connection header names more fields that end at this hop. */
function connectionScoped(headers: IncomingHttpHeaders): ReadonlySet<string> {
  const listed = headers.connection;
  // Per request: no allocation for the usual case, a bare keep-alive or close.
  if (typeof listed !== 'string' || listed === 'keep-alive' || listed === 'close') return NONE;
  return new Set(listed.split(',').map((name) => name.trim().toLowerCase()).filter(Boolean));
}

export function isHopByHop(name: string): boolean {
  return HOP_BY_HOP.has(name);
}

/** `name` is lower-case. Every reserved prefix starts with `x`: other names cost one comparison. */
export function isReserved(name: string): boolean {
  if (name.charCodeAt(0) !== 0x78 /* x */) return false;
  const normalised = name.includes('_') ? name.replaceAll('_', '-') : name;
  for (const prefix of RESERVED_PREFIXES) if (normalised.startsWith(prefix)) return true;
  return false;
}

/**
 * RFC 9110 §10.1.1: `Expect: 100-continue` is answered by Gatehouse itself once the request is
 * admitted (expect-continue.ts), and the body then flows at once: the upstream is not asked again.
 */
export function upstreamRequestHeaders(incoming: IncomingHttpHeaders, context: ForwardingContext): IncomingHttpHeaders {
  const scoped = connectionScoped(incoming);
  const headers: IncomingHttpHeaders = {};
  // for…in, not Object.entries: this runs for every proxied request, and needs no pair arrays.
  for (const name in incoming) {
    const value = incoming[name];
    const lower = name.toLowerCase();
    if (value === undefined || HOP_BY_HOP.has(lower) || scoped.has(lower) || isReserved(lower) || lower === 'expect') continue;
    headers[lower] = value;
  }
  if (!context.forwardAuthorization) delete headers.authorization;
  // As a proxy does (de-facto standard, cf. RFC 7239): append the peer, describe the request.
  const priorFor = headers['x-forwarded-for'];
  const peer = context.clientAddress ?? 'unknown';
  headers['x-forwarded-for'] = typeof priorFor === 'string' && priorFor !== '' ? `${priorFor}, ${peer}` : peer;
  headers['x-forwarded-proto'] = context.protocol;
  headers['x-forwarded-host'] = context.host;
  return setIdentityHeaders(headers, context.token);
}

/** Response headers from the upstream, minus the hop-by-hop ones. */
export function downstreamResponseHeaders<T extends Record<string, unknown>>(headers: T): T {
  const scoped = connectionScoped(headers as IncomingHttpHeaders);
  const kept: Record<string, unknown> = {};
  for (const name in headers) {
    const lower = name.toLowerCase();
    if (!HOP_BY_HOP.has(lower) && !scoped.has(lower)) kept[name] = headers[name];
  }
  return kept as T;
}
