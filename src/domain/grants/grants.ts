import { clientCredentialsGrant } from './client-credentials-grant.js';
import { authorizationCodeGrant } from './authorization-code-grant.js';
import type { Grant } from './grant.js';
import { passwordGrant } from './password-grant.js';
import { refreshTokenGrant } from './refresh-token-grant.js';

// The grant types the token endpoint serves; adding one is adding a file and a line here.
export const GRANTS: ReadonlyMap<string, Grant> = new Map(
  [passwordGrant, refreshTokenGrant, authorizationCodeGrant, clientCredentialsGrant].map((grant) => [grant.grantType, grant]),
);
