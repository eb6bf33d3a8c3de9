import { AUDIT_EVENT, recordTokenEvent, tokenAuditEvent } from '../audit-events.js';
import type { AuthenticatedClient } from '../client-authentication.js';
import { OAUTH_DESCRIPTIONS } from '../oauth-descriptions.js';
import { OAuthError } from '../oauth-error.js';
import { grantedScope } from '../requested-scope.js';
import { newFamily, type TokenResponse } from '../token-issuer.js';
import { optionalParameter } from '../token-request.js';
import { hashTokenValue, newTokenValue } from '../token-values.js';
import type { Grant } from './grant.js';

// RFC 6749 §4.4: the client credentials grant, for machine-to-machine calls. The client acts for
// itself: the token's family has no user, and no refresh token is issued (§4.4.3: "A refresh
// token SHOULD NOT be included"; the client can always authenticate again). The family lasts as
// long as its one access token.

const SECOND = 1000; // ms
/** Characters of `scope`: every scope of an API several times over; more is a malformed request. */
const MAX_SCOPE_LENGTH = 4096;

export type ClientCredentialsRefusal = 'public_client' | 'subscription_not_approved';

/**
 * Why the client may not use this grant, or null when it may. §4.4: "MUST only be used by
 * confidential clients"; a public client is authenticated as who it says (it proves nothing),
 * so it is RFC 6749 §5.2 unauthorized_client ("not authorized to use this authorization grant
 * type"), not invalid_client. Trust is for the password grant only (DESIGN.md); approval is
 * needed as the subscription's plan says, which its status already records.
 */
export function clientCredentialsRefusal(client: AuthenticatedClient): ClientCredentialsRefusal | null {
  if (client.application.clientType !== 'confidential') return 'public_client';
  if (client.subscription.status !== 'approved') return 'subscription_not_approved';
  return null;
}

const DESCRIPTIONS: Readonly<Record<ClientCredentialsRefusal, string>> = {
  public_client: OAUTH_DESCRIPTIONS.clientCredentialsNeedConfidentialClient(),
  subscription_not_approved: OAUTH_DESCRIPTIONS.clientCredentialsNeedApproval(),
};

export const clientCredentialsGrant: Grant = {
  grantType: 'client_credentials',
  parameters: ['scope'],

  async handler(context) {
    const { api, client, store, now, ip } = context;
    const refusal = clientCredentialsRefusal(client);
    if (refusal) {
      await recordTokenEvent(store.audit, {
        type: AUDIT_EVENT.clientCredentialsRefused,
        client,
        at: now,
        ip,
        details: { reason: refusal },
      });
      throw new OAuthError('unauthorized_client', DESCRIPTIONS[refusal]);
    }
    const scope = grantedScope(api, optionalParameter(context.parameters, 'scope', MAX_SCOPE_LENGTH));

    const accessToken = newTokenValue();
    const expiresAt = now + api.accessTokenLifetime * SECOND;
    const family = newFamily({ api, authMethodId: context.authMethodId, client, now }, { grantType: 'client_credentials', userId: null, scope, expiresAt });
    await store.tokens.createFamily(
      family,
      { accessToken: { hash: hashTokenValue(accessToken), expiresAt } },
      tokenAuditEvent({ type: AUDIT_EVENT.clientCredentialsGranted, client, at: now, ip, familyId: family.id, details: { authMethod: context.authMethodId, scope } }),
    );
    const response: TokenResponse = { access_token: accessToken, token_type: 'bearer', expires_in: api.accessTokenLifetime };
    return scope === '' ? response : { ...response, scope };
  },
};
