import type { AccessTokenVerifier } from './access-token-verifier.js';
import type { AuthenticatedClient } from './client-authentication.js';
import { OAUTH_DESCRIPTIONS } from './oauth-descriptions.js';
import { OAuthError } from './oauth-error.js';
import { requireParameter } from './token-request.js';
import { MAX_TOKEN_LENGTH } from './token-values.js';

// RFC 7662 token introspection, for resource servers that sit behind another gateway: the same
// answer Gatehouse's own gateway acts on (same cache, same revocation fan-out). The caller is a
// confidential client with an approved subscription to the API; only access tokens of that API
// are described; anything else is {active: false}
// (§2.2: no reason is given, so that a caller learns nothing about tokens that are not its API's).

export const INTROSPECTION_PARAMETERS = ['token', 'token_type_hint'] as const;

export type IntrospectionResponse =
  | { readonly active: false }
  | {
      readonly active: true;
      readonly scope: string;
      readonly client_id: string;
      readonly token_type: 'bearer';
      /** Seconds since the epoch (§2.2). */
      readonly exp: number;
      readonly iat: number;
      /** Absent for a client-credentials token: there is no resource owner (RFC 7662 §2.2). */
      readonly sub?: string;
      readonly aud: string;
    };

export interface IntrospectionContext {
  readonly client: AuthenticatedClient;
  readonly apiId: string;
  readonly parameters: ReadonlyMap<string, string>;
  readonly accessTokens: Pick<AccessTokenVerifier, 'verify'>;
}

/**
 * RFC 7662 §2.1: the endpoint MUST require authorization, and §4 warns that it otherwise becomes
 * a token scanner. A public client proves nothing (anyone can send its client_id), and a pending
 * or declined subscription is a client nobody vouched for: only a confidential client whose
 * subscription to this API is approved may ask. The others are answered as unknown clients.
 */
export function requireIntrospectionRight(client: AuthenticatedClient): void {
  if (client.application.clientType !== 'confidential' || client.subscription.status !== 'approved') {
    throw new OAuthError('invalid_client', OAUTH_DESCRIPTIONS.introspectionNotAllowed(), { clientUsedBasic: client.method === 'client_secret_basic' });
  }
}

export async function introspectToken(context: IntrospectionContext): Promise<IntrospectionResponse> {
  requireIntrospectionRight(context.client);
  // §2.1: token is REQUIRED; token_type_hint is only a hint, and refresh tokens are never active here.
  const token = requireParameter(context.parameters, 'token', MAX_TOKEN_LENGTH);
  const check = await context.accessTokens.verify(token, context.apiId);
  if (!check.active) return { active: false };
  const { token: verified } = check;
  return {
    active: true,
    scope: verified.scope,
    client_id: verified.clientId,
    token_type: 'bearer',
    exp: Math.floor(verified.expiresAt / 1000),
    iat: Math.floor(verified.issuedAt / 1000),
    ...(verified.userId !== null ? { sub: verified.userId } : {}),
    aud: verified.apiId,
  };
}
