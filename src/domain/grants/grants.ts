import type { GrantType } from '../../config/config.js';
import { authorizationCodeGrant } from './authorization-code-grant.js';
import { clientCredentialsGrant } from './client-credentials-grant.js';
import type { Grant } from './grant.js';
import { passwordGrant } from './password-grant.js';
import { refreshTokenGrant } from './refresh-token-grant.js';

// The grant types the token endpoint serves; adding one is adding a file and a line here (and its
// name to the config's GRANT_TYPES). Keyed by GrantType, so every grant an API's `grants` may list
// is implemented: the type checker says so, and no request or metadata needs to filter.
const BY_TYPE: Readonly<Record<GrantType, Grant>> = {
  password: passwordGrant,
  refresh_token: refreshTokenGrant,
  authorization_code: authorizationCodeGrant,
  client_credentials: clientCredentialsGrant,
};

export const GRANTS: ReadonlyMap<string, Grant> = new Map(Object.entries(BY_TYPE));
