import type { RefreshTokenRecord } from '../../store/store.js';
import { OAUTH_DESCRIPTIONS } from '../oauth-descriptions.js';
import { AUDIT_EVENT, recordTokenEvent } from '../audit-events.js';
import { OAuthError } from '../oauth-error.js';
import { passwordGrantRefusal, refreshRefusal, unauthorizedClient } from '../subscription-rules.js';
import { endingBy, mintTokens, tokenResponse, type MintedTokens, type TokenResponse } from '../token-issuer.js';
import { requireParameter } from '../token-request.js';
import { hashTokenValue, MAX_TOKEN_LENGTH } from '../token-values.js';
import type { Grant, GrantContext } from './grant.js';

// RFC 6749 §6 with refresh token rotation (RFC 9700 §4.14.2): every refresh consumes the
// presented token exactly once, atomically in the store, and hands out a new pair in the same
// family. A consumed token that comes back means two parties hold it: the family dies.

// Unknown, expired, revoked, rotated, another client's, or its user gone: one body for all, so
// that a caller learns nothing about tokens it does not own.
export const INVALID_REFRESH_TOKEN = OAUTH_DESCRIPTIONS.invalidRefreshToken();

const SECOND = 1000; // ms

function invalidGrant(): OAuthError {
  return new OAuthError('invalid_grant', INVALID_REFRESH_TOKEN);
}

export const refreshTokenGrant: Grant = {
  grantType: 'refresh_token',
  // RFC 6749 §6 allows narrowing `scope`; a trusted login always has the full scope, so it is ignored.
  parameters: ['refresh_token', 'scope'],

  async handler(context) {
    const { client, store, now } = context;
    const presented = hashTokenValue(requireParameter(context.parameters, 'refresh_token', MAX_TOKEN_LENGTH));
    // The subscription may have lost its trust or approval since the login. A trusted, approved
    // one may refresh any login; otherwise the grant that started the login decides, which costs a
    // lookup only on this rare path.
    if (passwordGrantRefusal(client) !== null) {
      const grant = (await store.tokens.findRefreshToken(presented))?.family.grantType ?? 'password';
      const refusal = refreshRefusal(client, context.api.plans, grant);
      if (refusal) throw unauthorizedClient(refusal);
    }

    // The store checks, in the statement that consumes the token, what RFC 6749 §6 asks ("validate
    // the refresh token ... was issued to the authenticated client") and that its user may still
    // sign in: a token shown by the wrong client is not consumed by it. Its family's end is known
    // only then, so the pair is minted uncapped and the store stores it capped (endingBy).
    const holder = { subscriptionId: client.subscription.id, apiId: context.api.id, authMethod: context.authMethodId };
    const minted = mintTokens(context.api, now, Number.POSITIVE_INFINITY);
    const result = await store.tokens.rotateRefreshToken(presented, minted.pair, now, holder);
    switch (result.outcome) {
      case 'rotated':
        return tokenResponse(endingBy(minted, result.family.expiresAt, now), result.family.scope);
      case 'already-consumed':
        return replayed(context, result.token, endingBy(minted, result.token.family.expiresAt, now));
      case 'not-usable':
      case 'unknown':
        throw invalidGrant();
    }
  },
};

/**
 * A refresh token that was already rotated. Within the API's grace window, and only while its
 * successor is still unused, the same client gets a fresh pair that replaces the successor: the
 * client that lost the response to its refresh (a dropped connection, an app killed mid-request)
 * can retry. Anything else is reuse: revoke the whole family (RFC 9700 §4.14.2).
 */
async function replayed(context: GrantContext, token: RefreshTokenRecord, minted: MintedTokens): Promise<TokenResponse> {
  const { store, now, client, ip } = context;
  const graceMs = context.api.refreshGraceSeconds * SECOND;
  const withinGrace = graceMs > 0 && token.consumedAt !== null && now - token.consumedAt <= graceMs;
  if (withinGrace && token.replacedBy !== null) {
    const successor = await store.tokens.findRefreshToken(token.replacedBy);
    if (successor && successor.consumedAt === null) {
      if (!(await store.tokens.addTokens(token.familyId, minted.pair, token.replacedBy, now))) throw invalidGrant();
      await recordTokenEvent(store.audit, {
        type: AUDIT_EVENT.refreshTokenGraceRetry,
        client,
        at: now,
        ip,
        userId: token.family.userId,
        familyId: token.familyId,
        details: { secondsSinceRotation: Math.floor((now - (token.consumedAt ?? now)) / SECOND) },
      });
      return tokenResponse(minted, token.family.scope);
    }
  }
  const revoked = await store.tokens.revokeFamilies({ familyId: token.familyId }, 'refresh_token_reuse', now);
  await recordTokenEvent(store.audit, {
    type: AUDIT_EVENT.refreshTokenReused,
    client,
    at: now,
    ip,
    userId: token.family.userId,
    familyId: token.familyId,
    details: { familyRevoked: revoked.length > 0 },
  });
  throw invalidGrant();
}
