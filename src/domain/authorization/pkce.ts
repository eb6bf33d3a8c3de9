import { createHash, timingSafeEqual } from 'node:crypto';

// RFC 7636 (PKCE), S256 only: `plain` would put the verifier itself in the front channel, which
// is what PKCE exists to keep out of it (RFC 9700 §2.1.1: S256 for every client).

export const PKCE_METHOD = 'S256';

// §4.1: code_verifier = 43*128unreserved; §4.2: the S256 challenge is BASE64URL(SHA256(verifier)),
// so always 43 characters of the base64url alphabet.
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

export function isCodeVerifier(value: string): boolean {
  return VERIFIER.test(value);
}

export function isS256Challenge(value: string): boolean {
  return S256_CHALLENGE.test(value);
}

export function s256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** RFC 7636 §4.6, compared in constant time. */
export function verifierMatches(verifier: string, challenge: string): boolean {
  if (!isCodeVerifier(verifier)) return false;
  const computed = Buffer.from(s256(verifier), 'ascii');
  const expected = Buffer.from(challenge, 'ascii');
  return computed.length === expected.length && timingSafeEqual(computed, expected);
}
