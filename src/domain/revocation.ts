import type { AuditStore, TokenFamily, TokenStore } from '../store/store.js';
import { OAUTH_DESCRIPTIONS } from './oauth-descriptions.js';
import { AUDIT_EVENT, recordTokenEvent } from './audit-events.js';
import type { AuthenticatedClient } from './client-authentication.js';
import { OAuthError } from './oauth-error.js';
import { optionalParameter, requireParameter } from './token-request.js';
import { hashTokenValue, MAX_TOKEN_LENGTH } from './token-values.js';

// RFC 7009 token revocation: an app's "log out". Either token of a login ends the whole login
// (its family): revoking only an access token would leave the refresh token to mint another,
// and §2.1 lets a server revoke related tokens too.

export const REVOCATION_PARAMETERS = ['token', 'token_type_hint'] as const;

export interface RevocationContext {
  readonly client: AuthenticatedClient;
  readonly parameters: ReadonlyMap<string, string>;
  readonly now: number;
  readonly ip: string | null;
  readonly store: { readonly tokens: TokenStore; readonly audit: Pick<AuditStore, 'record'> };
}

async function findFamily(tokens: TokenStore, hash: string, hint: string | undefined): Promise<TokenFamily | null> {
  // §2.1: the hint only orders the lookups; a wrong hint still finds the token.
  const byAccess = async () => (await tokens.findAccessToken(hash))?.family ?? null;
  const byRefresh = async () => (await tokens.findRefreshToken(hash))?.family ?? null;
  return hint === 'access_token' ? ((await byAccess()) ?? byRefresh()) : ((await byRefresh()) ?? byAccess());
}

export async function revokeToken(context: RevocationContext): Promise<void> {
  const { client, store, now } = context;
  const hash = hashTokenValue(requireParameter(context.parameters, 'token', MAX_TOKEN_LENGTH));
  const hint = optionalParameter(context.parameters, 'token_type_hint', 64);
  const family = await findFamily(store.tokens, hash, hint);
  // §2.2: an invalid or unknown token is answered with 200 all the same.
  if (!family) return;
  // §2.1: the server verifies that the token was issued to the client asking.
  if (family.subscriptionId !== client.subscription.id) {
    throw new OAuthError('unauthorized_client', OAUTH_DESCRIPTIONS.tokenNotIssuedToClient());
  }
  const revoked = await store.tokens.revokeFamilies({ familyId: family.id }, 'revoked_by_client', now);
  if (revoked.length === 0) return;
  await recordTokenEvent(store.audit, {
    type: AUDIT_EVENT.tokenRevoked,
    client,
    at: now,
    ip: context.ip,
    userId: family.userId,
    familyId: family.id,
    details: { via: 'rfc7009' },
  });
}
