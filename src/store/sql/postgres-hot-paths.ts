import type pg from 'pg';
import type { Selectable } from 'kysely';
import type { FirstTokens, RefreshTokenHolder, RotationResult, TokenPair } from '../store.js';
import type { TokenFamiliesTable } from './database.js';
import { FAMILY_COLUMNS, familyValues, HOT, refusedRotation, type HotPaths, type HotStatement, type HotValue, type PresentedTokenRow } from './hot-paths.js';
import { toFamily } from './rows.js';

// Named prepared statements: each pooled connection parses and plans a hot statement once, then
// only binds and executes it. A rotation and a login start are one statement each, so one round
// trip and one commit (data-modifying CTEs; their foreign keys are checked at the end of the statement).
// A family started without a refresh token (client credentials) binds null for it: the same
// statement, so still prepared once.

const CREATE_FAMILY: HotStatement = {
  name: 'gatehouse_create_family',
  text: `WITH family AS (
      INSERT INTO token_families
        (id, subscription_id, application_id, api_id, auth_method, user_id, scope, created_at, expires_at, revoked_at, revoked_reason, grant_type)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
      RETURNING id, created_at
    ), access AS (
      INSERT INTO access_tokens (token_hash, family_id, created_at, expires_at)
      SELECT $13::text, id, created_at, $14::bigint FROM family
    )
    INSERT INTO refresh_tokens (token_hash, family_id, created_at, expires_at)
    SELECT $15::text, id, created_at, $16::bigint FROM family WHERE $15::text IS NOT NULL`,
};

// RFC 9700 §4.14.2: the UPDATE decides who consumes the token. Under READ COMMITTED a concurrent
// consumer blocks on the row, then re-checks `consumed_at IS NULL` against the committed row and
// finds it taken. The holder and user checks are in the same WHERE, so a token shown by the wrong
// client is never consumed by it. The new pair is inserted only for the family the UPDATE returned; the final
// SELECT reads the presented token and its family as they were when the statement began (a CTE's
// changes are invisible to it), which tells the caller's outcome apart without a second query —
// except when that snapshot shows a usable token the UPDATE did not get: a concurrent consumer
// committed in between, and only a new statement (a new snapshot) sees who won.
const ROTATE: HotStatement = {
  name: 'gatehouse_rotate_refresh_token',
  text: `WITH consumed AS (
      UPDATE refresh_tokens t SET consumed_at = $1, replaced_by = $2
      WHERE t.token_hash = $3 AND t.consumed_at IS NULL AND t.expires_at > $1
        AND EXISTS (SELECT 1 FROM token_families f
          WHERE f.id = t.family_id AND f.revoked_at IS NULL AND f.expires_at > $1
            AND f.subscription_id = $4 AND f.api_id = $5 AND f.auth_method = $6
            AND EXISTS (SELECT 1 FROM users u WHERE u.id = f.user_id AND u.disabled = 0))
      RETURNING t.family_id, (SELECT f.expires_at FROM token_families f WHERE f.id = t.family_id) AS session_end
    ), access AS (
      INSERT INTO access_tokens (token_hash, family_id, created_at, expires_at)
      SELECT $7::text, family_id, $1::bigint, least($8::bigint, session_end) FROM consumed
    ), refresh AS (
      INSERT INTO refresh_tokens (token_hash, family_id, created_at, expires_at)
      SELECT $2::text, family_id, $1::bigint, least($9::bigint, session_end) FROM consumed
    )
    SELECT (c.family_id IS NOT NULL) AS rotated, ${FAMILY_COLUMNS}, t.token_hash, t.created_at AS token_created_at,
      t.expires_at AS token_expires_at, t.consumed_at, t.replaced_by,
      coalesce((SELECT u.disabled FROM users u WHERE u.id = f.user_id), 1) AS user_disabled
    FROM refresh_tokens t JOIN token_families f ON f.id = t.family_id LEFT JOIN consumed c ON true
    WHERE t.token_hash = $3`,
};

function looksUsable(row: PresentedTokenRow, now: number, holder: RefreshTokenHolder): boolean {
  return (
    row.consumed_at === null &&
    row.token_expires_at > now &&
    row.revoked_at === null &&
    row.expires_at > now &&
    row.user_disabled === 0 &&
    row.subscription_id === holder.subscriptionId &&
    row.api_id === holder.apiId &&
    row.auth_method === holder.authMethod
  );
}

/** pg's named-statement query on a pool, with the store's failure translation applied by the caller. */
export type NamedQuery = (config: pg.QueryConfig<HotValue[]>) => Promise<{ readonly rows: readonly unknown[] }>;

export function postgresHotPaths(namedQuery: NamedQuery): HotPaths {
  const query = async <Row>(statement: HotStatement, values: readonly HotValue[]) =>
    (await namedQuery({ name: statement.name, text: statement.text, values: values as HotValue[] })).rows as Row[];

  return {
    one: async <Row>(statement: HotStatement, values: readonly HotValue[]) => (await query<Row>(statement, values))[0],
    run: async (statement, values) => {
      await query(statement, values);
    },
    async createFamily(row: Selectable<TokenFamiliesTable>, tokens: FirstTokens) {
      await query(CREATE_FAMILY, [
        ...familyValues(row),
        tokens.accessToken.hash,
        tokens.accessToken.expiresAt,
        tokens.refreshToken?.hash ?? null,
        tokens.refreshToken?.expiresAt ?? null,
      ]);
    },
    async rotateRefreshToken(presented: string, next: TokenPair, now: number, holder: RefreshTokenHolder): Promise<RotationResult> {
      const [row] = await query<PresentedTokenRow & { rotated: boolean }>(ROTATE, [
        now,
        next.refreshToken.hash,
        presented,
        holder.subscriptionId,
        holder.apiId,
        holder.authMethod,
        next.accessToken.hash,
        next.accessToken.expiresAt,
        next.refreshToken.expiresAt,
      ]);
      if (row?.rotated) return { outcome: 'rotated', family: toFamily(row) };
      const seen = row && looksUsable(row, now, holder) ? (await query<PresentedTokenRow>(HOT.presentedToken, [presented]))[0] : row;
      return refusedRotation(seen, holder);
    },
  };
}
