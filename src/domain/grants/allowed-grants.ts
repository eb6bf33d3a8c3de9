import type { ApiConfig } from '../../config/config.js';
import { OAUTH_DESCRIPTIONS } from '../oauth-descriptions.js';
import { OAuthError } from '../oauth-error.js';

// Which grants an API's token endpoint serves: the API's `grants` (config; the schema admits only
// the grant types of grants.ts). Each API × auth method is its own authorization server (its own issuer in RFC 8414
// metadata), so a grant the API does not allow is, at that server, RFC 6749 §5.2
// unsupported_grant_type ("not supported by the authorization server"), for every client alike;
// unauthorized_client is kept for what depends on the client (its type, its subscription). Its
// metadata (grant_types_supported) lists the same set, so what a client discovers and what the
// endpoint answers never disagree.

/** Whether the API allows `grantType` (e.g. the authorize endpoint asking about authorization_code). */
export function apiAllowsGrant(api: Pick<ApiConfig, 'grants'>, grantType: string): boolean {
  return (api.grants as readonly string[]).includes(grantType);
}

/** RFC 6749 §5.2, naming what this API's endpoint does support. */
export function unsupportedGrantType(grantType: string, api: Pick<ApiConfig, 'grants'>): OAuthError {
  return new OAuthError('unsupported_grant_type', OAUTH_DESCRIPTIONS.unsupportedGrantType(grantType, api.grants.join(', ')));
}
