import type { Selectable } from 'kysely';
import type { FirstTokens, RefreshTokenHolder, RotationResult, TokenFamily, TokenPair } from '../store.js';
import type { AuditEventsTable, Database, TokenFamiliesTable } from './database.js';
import { toRefreshTokenRecord } from './rows.js';

// The requests that run on every token-endpoint call and gateway cache miss (client lookup,
// refresh rotation, access-token lookup with its subscription, login start) skip Kysely's
// per-call query building and compiling: each dialect runs them as statements prepared once per
// connection (a statement cache on SQLite, named prepared statements on PostgreSQL). Everything
// else stays on Kysely.

/** A statement of the hot paths. `text` numbers its parameters $1, $2, … each used once, in order. */
export interface HotStatement {
  /** The PostgreSQL prepared-statement name; unique per text. */
  readonly name: string;
  readonly text: string;
}

export type HotValue = string | number | null;

/** One TokenStore.rotateRefreshToken call, as a batch of them holds it. */
export interface RotationRequest {
  readonly presented: string;
  readonly next: TokenPair;
  readonly now: number;
  readonly holder: RefreshTokenHolder;
}

export interface HotPaths {
  /** A read: the first row of `statement`, if any. Callers share the row and must not change it. */
  one<Row>(statement: HotStatement, values: readonly HotValue[]): Promise<Row | undefined>;
  run(statement: HotStatement, values: readonly HotValue[]): Promise<void>;
  /** TokenStore.createFamily's write: the family, its first tokens and its audit row if any, all or nothing. */
  createFamily(family: Selectable<TokenFamiliesTable>, tokens: FirstTokens, audit: Selectable<AuditEventsTable> | null): Promise<void>;
  /** TokenStore.rotateRefreshToken, with the same contract. */
  rotateRefreshToken(presented: string, next: TokenPair, now: number, holder: RefreshTokenHolder): Promise<RotationResult>;
}

const FAMILY_COLUMNS = `f.id, f.subscription_id, f.application_id, f.api_id, f.auth_method, f.user_id, f.scope,
  f.created_at, f.expires_at, f.revoked_at, f.revoked_reason, f.grant_type`;

export type ClientRow = Selectable<Database['subscriptions']> & {
  app_id: string;
  app_name: string;
  app_client_type: string;
  app_redirect_uris: string;
  app_created_at: number;
  app_updated_at: number;
  app_owner_ids: string;
};
export type FamilyRow = Selectable<Database['token_families']>;
export type AccessTokenRow = FamilyRow & { token_hash: string; token_created_at: number; token_expires_at: number };
export type RefreshTokenRow = AccessTokenRow & { consumed_at: number | null; replaced_by: string | null };
/** A refresh token as a rotation that did not happen reports it: with whether its user is disabled. */
export type PresentedTokenRow = RefreshTokenRow & { user_disabled: number };

function heldBy(family: TokenFamily, holder: RefreshTokenHolder): boolean {
  return family.subscriptionId === holder.subscriptionId && family.apiId === holder.apiId && family.authMethod === holder.authMethod;
}

/** A new family's columns in the order both dialects' INSERTs list them. */
export function familyValues(row: FamilyRow): HotValue[] {
  return [
    row.id,
    row.subscription_id,
    row.application_id,
    row.api_id,
    row.auth_method,
    row.user_id,
    row.scope,
    row.created_at,
    row.expires_at,
    row.revoked_at,
    row.revoked_reason,
    row.grant_type,
  ];
}

/** An audit row's columns in the order HOT.auditEvent (and the PostgreSQL login start) lists them. */
export function auditValues(row: Selectable<AuditEventsTable>): HotValue[] {
  return [row.id, row.at, row.type, row.actor_user_id, row.user_id, row.application_id, row.subscription_id, row.api_id, row.family_id, row.ip, row.details];
}

/**
 * Why a rotation did not happen, from the presented token as read: another holder's token is
 * `unknown` (the caller learns nothing about it), a disabled user's is `not-usable` whether it was
 * consumed or not (no reuse verdict for a login that cannot continue anyway).
 */
export function refusedRotation(row: PresentedTokenRow | undefined, holder: RefreshTokenHolder): RotationResult {
  if (!row) return { outcome: 'unknown' };
  const token = toRefreshTokenRecord(row);
  if (!heldBy(token.family, holder)) return { outcome: 'unknown' };
  if (row.user_disabled !== 0) return { outcome: 'not-usable', token };
  return token.consumedAt !== null ? { outcome: 'already-consumed', token } : { outcome: 'not-usable', token };
}

function statement(name: string, text: string): HotStatement {
  return { name: `gatehouse_${name}`, text };
}

export const HOT = {
  userById: statement('user_by_id', 'SELECT * FROM users WHERE id = $1'),
  localUserByLogin: statement(
    'local_user_by_login',
    "SELECT * FROM users WHERE auth_method = 'local' AND (email = $1 OR username = $2) LIMIT 1",
  ),
  subscriptionByClientId: statement('subscription_by_client_id', 'SELECT * FROM subscriptions WHERE client_id = $1'),
  // The gateway's access-token lookup reads the token's subscription on every cache miss.
  subscriptionById: statement('subscription_by_id', 'SELECT * FROM subscriptions WHERE id = $1'),
  /** Owners as a JSON array, sorted as ApplicationStore.findById lists them. */
  applicationById: {
    sqlite: statement(
      'application_by_id',
      `SELECT a.*, (SELECT json_group_array(user_id) FROM
         (SELECT user_id FROM application_owners WHERE application_id = a.id ORDER BY user_id)) AS owner_ids
       FROM applications a WHERE a.id = $1`,
    ),
    postgres: statement(
      'application_by_id',
      `SELECT a.*, (SELECT coalesce(json_agg(o.user_id ORDER BY o.user_id), '[]')::text
         FROM application_owners o WHERE o.application_id = a.id) AS owner_ids
       FROM applications a WHERE a.id = $1`,
    ),
  },
  /** A subscription's columns as they are, its application's prefixed with `app_`. */
  client: {
    sqlite: statement(
      'client',
      `SELECT s.*, a.id AS app_id, a.name AS app_name, a.client_type AS app_client_type, a.redirect_uris AS app_redirect_uris,
         a.created_at AS app_created_at, a.updated_at AS app_updated_at,
         (SELECT json_group_array(user_id) FROM
           (SELECT user_id FROM application_owners WHERE application_id = a.id ORDER BY user_id)) AS app_owner_ids
       FROM subscriptions s JOIN applications a ON a.id = s.application_id WHERE s.client_id = $1`,
    ),
    postgres: statement(
      'client',
      `SELECT s.*, a.id AS app_id, a.name AS app_name, a.client_type AS app_client_type, a.redirect_uris AS app_redirect_uris,
         a.created_at AS app_created_at, a.updated_at AS app_updated_at,
         (SELECT coalesce(json_agg(o.user_id ORDER BY o.user_id), '[]')::text
           FROM application_owners o WHERE o.application_id = a.id) AS app_owner_ids
       FROM subscriptions s JOIN applications a ON a.id = s.application_id WHERE s.client_id = $1`,
    ),
  },
  accessToken: statement(
    'access_token',
    `SELECT ${FAMILY_COLUMNS}, t.token_hash, t.created_at AS token_created_at, t.expires_at AS token_expires_at
     FROM access_tokens t JOIN token_families f ON f.id = t.family_id WHERE t.token_hash = $1`,
  ),
  refreshToken: statement(
    'refresh_token',
    `SELECT ${FAMILY_COLUMNS}, t.token_hash, t.created_at AS token_created_at, t.expires_at AS token_expires_at,
       t.consumed_at, t.replaced_by
     FROM refresh_tokens t JOIN token_families f ON f.id = t.family_id WHERE t.token_hash = $1`,
  ),
  presentedToken: statement(
    'presented_token',
    `SELECT ${FAMILY_COLUMNS}, t.token_hash, t.created_at AS token_created_at, t.expires_at AS token_expires_at,
       t.consumed_at, t.replaced_by, coalesce((SELECT u.disabled FROM users u WHERE u.id = f.user_id), 1) AS user_disabled
     FROM refresh_tokens t JOIN token_families f ON f.id = t.family_id WHERE t.token_hash = $1`,
  ),
  auditEvent: statement(
    'audit_event',
    `INSERT INTO audit_events (id, at, type, actor_user_id, user_id, application_id, subscription_id, api_id, family_id, ip, details)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
  ),
} as const;

export { FAMILY_COLUMNS };

/** `pair` as a rotation stores it: expiring no later than its family (TokenStore.rotateRefreshToken). */
export function endingBy(pair: TokenPair, sessionEnd: number): TokenPair {
  return {
    accessToken: { hash: pair.accessToken.hash, expiresAt: Math.min(pair.accessToken.expiresAt, sessionEnd) },
    refreshToken: { hash: pair.refreshToken.hash, expiresAt: Math.min(pair.refreshToken.expiresAt, sessionEnd) },
  };
}
