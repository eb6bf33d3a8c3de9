// RFC 6750 §2.1: how a resource request carries its access token. Only the Authorization header
// is accepted: §2.2 (form body) would make the gateway read request bodies it must stream, and
// §2.3 (query) puts the token in every access log between the client and the upstream (§5.3).

export type PresentedBearer =
  /** No Bearer credentials at all (§3.1: answer with the challenge, no error code). */
  | { readonly kind: 'none' }
  /** Bearer credentials that are not a b64token, or too long to be ours. */
  | { readonly kind: 'malformed' }
  | { readonly kind: 'token'; readonly token: string };

// §2.1: credentials = "Bearer" 1*SP b64token; b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" /
// "~" / "+" / "/" ) *"=". The scheme is case-insensitive (RFC 9110 §11.1).
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
const BEARER_SCHEME = /^Bearer(\s|$)/i;

export function parseBearerAuthorization(header: string | undefined, maxLength: number): PresentedBearer {
  if (header === undefined || !BEARER_SCHEME.test(header)) return { kind: 'none' };
  const match = BEARER.exec(header);
  const token = match?.[1];
  if (token === undefined || token.length > maxLength) return { kind: 'malformed' };
  return { kind: 'token', token };
}
