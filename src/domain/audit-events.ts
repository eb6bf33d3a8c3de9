import type { AuditStore, NewAuditEvent } from '../store/store.js';
import type { AuthenticatedClient } from './client-authentication.js';

// The security events of the token endpoints, as recorded in the audit log. Details name what
// happened, never a password, secret or token value (not even its hash).

export const AUDIT_EVENT = {
  loginGranted: 'login.granted',
  loginRefused: 'login.refused',
  /** RFC 9700 §4.14.2: a rotated refresh token came back; its family was revoked. */
  refreshTokenReused: 'refresh_token.reused',
  /** A rotated refresh token came back within the API's grace window from its own client. */
  refreshTokenGraceRetry: 'refresh_token.grace_retry',
  /** RFC 7009: the client ended a login. */
  tokenRevoked: 'token.revoked',
  /** RFC 6749 §4.4: a client got a token for itself (no user). */
  clientCredentialsGranted: 'client_credentials.granted',
  clientCredentialsRefused: 'client_credentials.refused',
  /** RFC 6749 §4.1: the user allowed a subscription that is not trusted to act for them. */
  consentGranted: 'consent.granted',
  /** RFC 6749 §4.1.2: a code came back after its redemption; what it issued was revoked. */
  authorizationCodeReused: 'authorization_code.reused',
} as const;

export type AuditEventType = (typeof AUDIT_EVENT)[keyof typeof AUDIT_EVENT];

export interface TokenEndpointAuditEvent {
  readonly type: AuditEventType;
  readonly client: AuthenticatedClient;
  readonly at: number;
  readonly ip: string | null;
  readonly userId?: string | null;
  readonly familyId?: string | null;
  readonly details?: Readonly<Record<string, string | number | boolean | null>>;
}

/** The audit row of a token-endpoint event: recorded alone, or with the login it started (TokenStore.createFamily). */
export function tokenAuditEvent(event: TokenEndpointAuditEvent): NewAuditEvent {
  const { subscription } = event.client;
  return {
    type: event.type,
    at: event.at,
    ip: event.ip,
    userId: event.userId ?? null,
    familyId: event.familyId ?? null,
    applicationId: subscription.applicationId,
    subscriptionId: subscription.id,
    apiId: subscription.apiId,
    details: { clientId: event.client.clientId, ...event.details },
  };
}

export async function recordTokenEvent(audit: Pick<AuditStore, 'record'>, event: TokenEndpointAuditEvent): Promise<void> {
  await audit.record(tokenAuditEvent(event));
}
