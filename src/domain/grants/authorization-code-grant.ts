import type { AuthorizationCode, CodeIssue } from '../../store/store.js';
import { AUDIT_EVENT, recordTokenEvent } from '../audit-events.js';
import { isCodeVerifier, verifierMatches } from '../authorization/pkce.js';
import { MAX_REDIRECT_URI_LENGTH } from '../authorization/redirect-uri-rules.js';
import { OAUTH_DESCRIPTIONS } from '../oauth-descriptions.js';
import { OAuthError } from '../oauth-error.js';
import { authorizationCodeRefusal } from '../subscription-rules.js';
import { mintTokens, newFamily, tokenResponse, type MintedTokens } from '../token-issuer.js';
import { requireParameter } from '../token-request.js';
import { hashTokenValue, MAX_TOKEN_LENGTH } from '../token-values.js';
import type { Grant } from './grant.js';

// RFC 6749 §4.1.3 with RFC 7636 §4.5–4.6: redeeming an authorization code. The store consumes the
// code in one conditional statement (one redemption wins, across processes) and calls back here
// to check the redirect URI and the verifier before it creates the family, in one transaction.
// A code that comes back after its redemption revokes what it issued (§4.1.2, §10.5).

const SECOND = 1000; // ms
const MAX_VERIFIER_LENGTH = 128; // RFC 7636 §4.1

export const authorizationCodeGrant: Grant = {
  grantType: 'authorization_code',
  parameters: ['code', 'redirect_uri', 'code_verifier'],

  async handler(context) {
    const { client, store, now, ip, api } = context;
    const refusal = authorizationCodeRefusal(client.subscription, api.plans);
    if (refusal) throw new OAuthError('unauthorized_client', OAUTH_DESCRIPTIONS.subscriptionAwaitsApproval());
    const code = hashTokenValue(requireParameter(context.parameters, 'code', MAX_TOKEN_LENGTH));
    const redirectUri = requireParameter(context.parameters, 'redirect_uri', MAX_REDIRECT_URI_LENGTH);
    // RFC 9700 §2.1.1: every code was issued with a challenge, so every redemption needs its verifier.
    const verifier = requireParameter(context.parameters, 'code_verifier', MAX_VERIFIER_LENGTH);
    if (!isCodeVerifier(verifier)) throw new OAuthError('invalid_request', OAUTH_DESCRIPTIONS.malformedCodeVerifier());

    // Filled in by the store's call of `check`, inside its transaction.
    const outcome: { minted: MintedTokens | null; mismatch: 'redirect_uri' | 'code_verifier' | null } = { minted: null, mismatch: null };
    const check = (found: AuthorizationCode): CodeIssue | null => {
      // §4.1.3: "identical to the redirect_uri parameter included in the authorization request".
      if (found.redirectUri !== redirectUri) outcome.mismatch = 'redirect_uri';
      else if (!verifierMatches(verifier, found.codeChallenge)) outcome.mismatch = 'code_verifier';
      if (outcome.mismatch !== null) return null;
      const sessionEnd = now + api.sessionLifetime * SECOND;
      const minted = mintTokens(api, now, sessionEnd);
      outcome.minted = minted;
      return {
        family: newFamily(
          { api, authMethodId: context.authMethodId, client, now },
          { grantType: 'authorization_code', userId: found.userId, scope: found.scope, expiresAt: sessionEnd },
        ),
        tokens: minted.pair,
      };
    };
    const holder = { subscriptionId: client.subscription.id, apiId: api.id, authMethod: context.authMethodId };
    const result = await store.authorizations.redeemCode(code, holder, now, check);
    switch (result.outcome) {
      case 'redeemed': {
        await recordTokenEvent(store.audit, {
          type: AUDIT_EVENT.loginGranted,
          client,
          at: now,
          ip,
          userId: result.family.userId,
          familyId: result.family.id,
          details: { authMethod: context.authMethodId, grantType: 'authorization_code' },
        });
        if (outcome.minted === null) throw new Error('a redeemed code issued no tokens');
        return tokenResponse(outcome.minted, result.family.scope);
      }
      case 'refused':
        await recordTokenEvent(store.audit, {
          type: AUDIT_EVENT.loginRefused,
          client,
          at: now,
          ip,
          userId: result.code.userId,
          details: { reason: `${outcome.mismatch ?? 'code'}_mismatch`, grantType: 'authorization_code' },
        });
        throw new OAuthError('invalid_grant', outcome.mismatch === 'code_verifier' ? OAUTH_DESCRIPTIONS.codeVerifierMismatch() : OAUTH_DESCRIPTIONS.invalidAuthorizationCode());
      case 'already-consumed': {
        const familyId = result.code.familyId;
        const revoked = familyId === null ? [] : await store.tokens.revokeFamilies({ familyId }, 'authorization_code_reuse', now);
        await recordTokenEvent(store.audit, {
          type: AUDIT_EVENT.authorizationCodeReused,
          client,
          at: now,
          ip,
          userId: result.code.userId,
          familyId,
          details: { familyRevoked: revoked.length > 0 },
        });
        throw new OAuthError('invalid_grant', OAUTH_DESCRIPTIONS.invalidAuthorizationCode());
      }
      default:
        throw new OAuthError('invalid_grant', OAUTH_DESCRIPTIONS.invalidAuthorizationCode());
    }
  },
};
