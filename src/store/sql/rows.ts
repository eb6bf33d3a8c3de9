import type { Selectable } from 'kysely';
import type {
  AccessTokenRecord,
  Application,
  AuditEvent,
  ClientType,
  LoginGrant,
  NewTokenFamily,
  RefreshTokenRecord,
  Subscription,
  SubscriptionStatus,
  TokenFamily,
  User,
} from '../store.js';
import type { AuditEventsTable, SubscriptionsTable, TokenFamiliesTable, UsersTable } from './database.js';

// Row ↔ record conversions, the only place that knows booleans are 0/1 and lists are JSON text.

const LOGIN_GRANTS: ReadonlySet<string> = new Set<LoginGrant>(['password', 'authorization_code', 'client_credentials']);

export const bit = (value: boolean): number => (value ? 1 : 0);
export const json = (value: unknown): string => JSON.stringify(value);

export function list(text: string): readonly string[] {
  const parsed: unknown = JSON.parse(text);
  return Array.isArray(parsed) ? parsed.filter((v): v is string => typeof v === 'string') : [];
}

export function toUser(row: Selectable<UsersTable>): User {
  return {
    id: row.id,
    authMethod: row.auth_method,
    externalSub: row.external_sub,
    email: row.email,
    username: row.username,
    name: row.name,
    passwordHash: row.password_hash,
    groups: list(row.groups),
    admin: row.is_admin === 1,
    approverOf: list(row.approver_of),
    disabled: row.disabled === 1,
    pending: row.pending === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    passwordChangedAt: row.password_changed_at,
  };
}

export function toApplication(
  row: { id: string; name: string; client_type: string; redirect_uris: string; created_at: number; updated_at: number },
  ownerIds: readonly string[],
): Application {
  return {
    id: row.id,
    name: row.name,
    clientType: row.client_type as ClientType,
    redirectUris: list(row.redirect_uris),
    ownerIds,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toSubscription(row: Selectable<SubscriptionsTable>): Subscription {
  return {
    id: row.id,
    applicationId: row.application_id,
    apiId: row.api_id,
    plan: row.plan,
    trusted: row.trusted === 1,
    status: row.status as SubscriptionStatus,
    clientId: row.client_id,
    clientSecretHash: row.client_secret_hash,
    decidedBy: row.decided_by,
    decidedAt: row.decided_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toFamily(row: Selectable<TokenFamiliesTable>): TokenFamily {
  return {
    id: row.id,
    subscriptionId: row.subscription_id,
    applicationId: row.application_id,
    apiId: row.api_id,
    authMethod: row.auth_method,
    userId: row.user_id,
    scope: row.scope,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    revokedReason: row.revoked_reason,
    grantType: LOGIN_GRANTS.has(row.grant_type) ? (row.grant_type as LoginGrant) : 'password',
  };
}

export function fromFamily(family: TokenFamily | NewTokenFamily): Selectable<TokenFamiliesTable> {
  return {
    id: family.id,
    subscription_id: family.subscriptionId,
    application_id: family.applicationId,
    api_id: family.apiId,
    auth_method: family.authMethod,
    user_id: family.userId,
    scope: family.scope,
    created_at: family.createdAt,
    expires_at: family.expiresAt,
    revoked_at: 'revokedAt' in family ? family.revokedAt : null,
    revoked_reason: 'revokedReason' in family ? family.revokedReason : null,
    grant_type: family.grantType ?? 'password',
  };
}

export function toAuditEvent(row: Selectable<AuditEventsTable>): AuditEvent {
  return {
    id: row.id,
    at: row.at,
    type: row.type,
    actorUserId: row.actor_user_id,
    userId: row.user_id,
    applicationId: row.application_id,
    subscriptionId: row.subscription_id,
    apiId: row.api_id,
    familyId: row.family_id,
    ip: row.ip,
    details: JSON.parse(row.details) as Record<string, unknown>,
  };
}

export function toAccessTokenRecord(
  row: Selectable<TokenFamiliesTable> & { token_hash: string; token_created_at: number; token_expires_at: number },
): AccessTokenRecord {
  return { hash: row.token_hash, familyId: row.id, createdAt: row.token_created_at, expiresAt: row.token_expires_at, family: toFamily(row) };
}

export function toRefreshTokenRecord(
  row: Selectable<TokenFamiliesTable> & {
    token_hash: string;
    token_created_at: number;
    token_expires_at: number;
    consumed_at: number | null;
    replaced_by: string | null;
  },
): RefreshTokenRecord {
  return {
    hash: row.token_hash,
    familyId: row.id,
    createdAt: row.token_created_at,
    expiresAt: row.token_expires_at,
    consumedAt: row.consumed_at,
    replacedBy: row.replaced_by,
    family: toFamily(row),
  };
}
