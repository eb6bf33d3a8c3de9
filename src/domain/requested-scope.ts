import type { ApiConfig } from '../config/config.js';
import { OAUTH_DESCRIPTIONS } from './oauth-descriptions.js';
import { OAuthError } from './oauth-error.js';
import { fullScope } from './token-issuer.js';

// RFC 6749 §3.3: `scope` is a list of space-delimited, case-sensitive tokens. A grant that lets
// the client narrow its scope grants what it asks for if every token is one of the API's scopes
// (else invalid_scope, §5.2), and the API's full scope when it asks for none ("the authorization
// server MUST either process the request using a pre-defined default value"). An empty value asks
// for none. The granted scope lists the API's scopes in the config's order, each once.

/** The scope granted for `requested`, or the first token that is not one of the API's scopes. */
export function resolveScope(api: ApiConfig, requested: string | undefined): { readonly scope: string } | { readonly unknown: string } {
  const asked = new Set((requested ?? '').split(' ').filter((token) => token !== ''));
  if (asked.size === 0) return { scope: fullScope(api) };
  const known = new Set(api.scopes.map((scope) => scope.id));
  for (const token of asked) {
    if (!known.has(token)) return { unknown: token };
  }
  return { scope: api.scopes.filter((scope) => asked.has(scope.id)).map((scope) => scope.id).join(' ') };
}

/** At the token endpoint: the granted scope, or invalid_scope (§5.2). */
export function grantedScope(api: ApiConfig, requested: string | undefined): string {
  const resolved = resolveScope(api, requested);
  if ('unknown' in resolved) throw new OAuthError('invalid_scope', OAUTH_DESCRIPTIONS.unknownScope(resolved.unknown));
  return resolved.scope;
}
