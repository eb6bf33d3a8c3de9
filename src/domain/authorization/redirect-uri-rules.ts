// Which redirect URIs an application may register (RFC 6749 §3.1.2, RFC 9700 §2.1 and §4.1):
// absolute, https, or http only to the loopback interface (RFC 8252 §7.3: native apps); no
// fragment (§3.1.2), no userinfo (a `https://good@evil` look-alike), no wildcard. They are
// later compared with the authorization request's as exact strings (RFC 9700 §4.1.3).

export const MAX_REDIRECT_URI_LENGTH = 2000;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);
// Printable ASCII without space: an IRI or a control character has no exact-string meaning.
const PRINTABLE = /^[\x21-\x7E]+$/;

/** Why `uri` cannot be registered, or null when it can. */
export function redirectUriProblem(uri: string): string | null {
  if (uri.length > MAX_REDIRECT_URI_LENGTH) return `is longer than ${MAX_REDIRECT_URI_LENGTH} characters`;
  if (!PRINTABLE.test(uri)) return 'must be printable ASCII without spaces (punycode for international host names)';
  if (uri.includes('#')) return 'must not contain a fragment (RFC 6749 section 3.1.2)';
  if (uri.includes('*')) return 'must not contain wildcards: redirect URIs are matched exactly';
  let parsed: URL;
  try {
    parsed = new URL(uri);
  } catch {
    return 'is not an absolute URI';
  }
  if (parsed.username !== '' || parsed.password !== '' || /^[a-z][a-z0-9+.-]*:\/\/[^/?]*@/i.test(uri)) return 'must not contain userinfo';
  if (parsed.protocol === 'https:') return parsed.hostname === '' ? 'has no host' : null;
  if (parsed.protocol === 'http:') {
    return LOOPBACK_HOSTS.has(parsed.hostname) ? null : 'http is allowed only for loopback hosts (127.0.0.1, [::1], localhost); use https';
  }
  return 'must use https (or http for a loopback host)';
}
