import type pg from 'pg';
import type { Selectable } from 'kysely';
import type { FirstTokens, RefreshTokenHolder, RotationResult, TokenPair } from '../store.js';
import type { AuditEventsTable, TokenFamiliesTable } from './database.js';
import { auditValues, FAMILY_COLUMNS, familyValues, HOT, refusedRotation, type HotPaths, type HotStatement, type HotValue, type PresentedTokenRow, type RotationRequest } from './hot-paths.js';
import { toFamily } from './rows.js';
import { perTurnBatcher, type Settled } from './turn-batch.js';

// Named prepared statements: each pooled connection parses and plans a hot statement once, then
// only binds and executes it. A rotation and a login start are one statement each, so one round
// trip and one commit (data-modifying CTEs; their foreign keys are checked at the end of the statement).
// A family started without a refresh token (client credentials), or without an audit row, binds
// null for it: the same statement, so still prepared once.

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
    ), refresh AS (
      INSERT INTO refresh_tokens (token_hash, family_id, created_at, expires_at)
      SELECT $15::text, id, created_at, $16::bigint FROM family WHERE $15::text IS NOT NULL
    )
    INSERT INTO audit_events (id, at, type, actor_user_id, user_id, application_id, subscription_id, api_id, family_id, ip, details)
    SELECT $17::text, $18::bigint, $19::text, $20::text, $21::text, $22::text, $23::text, $24::text, $25::text, $26::text, $27::text
    FROM family WHERE $17::text IS NOT NULL`,
};

// RFC 9700 §4.14.2: the UPDATE decides who consumes each token. Under READ COMMITTED a concurrent
// consumer blocks on the row, then re-checks `consumed_at IS NULL` against the committed row and
// finds it taken. The holder and user checks are in the same WHERE, so a token shown by the wrong
// client is never consumed by it. The new pair is inserted only for the families the UPDATE returned; the final
// SELECT reads each presented token and its family as they were when the statement began (a CTE's
// changes are invisible to it), which tells the caller's outcome apart without a second query —
// except when that snapshot shows a usable token the UPDATE did not get: a concurrent consumer
// committed in between, and only a new statement (a new snapshot) sees who won.
// The rotations asked for in one event-loop turn go in one execution (their inputs as arrays,
// one row each): one round trip, one commit and one WAL flush for the batch (group commit). A
// batch never holds one token twice, so each input row matches at most one row to update.
const ROTATE: HotStatement = {
  name: 'gatehouse_rotate_refresh_tokens',
  text: `WITH input AS (
      SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[], $9::bigint[])
        WITH ORDINALITY AS i(now, presented, next_refresh, subscription_id, api_id, auth_method, next_access, access_expires_at, refresh_expires_at, n)
    ), consumed AS (
      UPDATE refresh_tokens t SET consumed_at = i.now, replaced_by = i.next_refresh
      FROM input i
      WHERE t.token_hash = i.presented AND t.consumed_at IS NULL AND t.expires_at > i.now
        AND EXISTS (SELECT 1 FROM token_families f
          WHERE f.id = t.family_id AND f.revoked_at IS NULL AND f.expires_at > i.now
            AND f.subscription_id = i.subscription_id AND f.api_id = i.api_id AND f.auth_method = i.auth_method
            AND EXISTS (SELECT 1 FROM users u WHERE u.id = f.user_id AND u.disabled = 0))
      RETURNING i.n, t.family_id, i.now, i.next_access, i.access_expires_at, i.next_refresh, i.refresh_expires_at,
        (SELECT f.expires_at FROM token_families f WHERE f.id = t.family_id) AS session_end
    ), access AS (
      INSERT INTO access_tokens (token_hash, family_id, created_at, expires_at)
      SELECT next_access, family_id, now, least(access_expires_at, session_end) FROM consumed
    ), refresh AS (
      INSERT INTO refresh_tokens (token_hash, family_id, created_at, expires_at)
      SELECT next_refresh, family_id, now, least(refresh_expires_at, session_end) FROM consumed
    )
    SELECT (c.family_id IS NOT NULL) AS rotated, ${FAMILY_COLUMNS}, t.token_hash, t.created_at AS token_created_at,
      t.expires_at AS token_expires_at, t.consumed_at, t.replaced_by,
      coalesce((SELECT u.disabled FROM users u WHERE u.id = f.user_id), 1) AS user_disabled
    FROM input i
      LEFT JOIN consumed c ON c.n = i.n
      LEFT JOIN (refresh_tokens t JOIN token_families f ON f.id = t.family_id) ON t.token_hash = i.presented
    ORDER BY i.n`,
};

const NO_AUDIT_ROW: readonly HotValue[] = Array.from({ length: 11 }, () => null);

/** Most rotations in one execution: bounds the statement's arrays and the rows it locks at once. */
const MAX_ROTATIONS_PER_BATCH = 128;

// A batch that fails as a whole on one rotation's row (SQLSTATE class 23: e.g. a new token's hash
// already stored) or on a lock cycle with another process's batch (class 40: deadlock) is retried
// one rotation per execution, so that the failure stays with its own caller. A failure of the
// connection is not retried: the batch may have committed, and a retry would report the callers'
// own rotations as reuse.
const RETRY_ALONE_SQLSTATE = /^(23|40)/;

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
  const query = async <Row>(statement: HotStatement, values: readonly (HotValue | HotValue[])[]) =>
    (await namedQuery({ name: statement.name, text: statement.text, values: values as HotValue[] })).rows as Row[];

  async function rotateAll(batch: readonly RotationRequest[]): Promise<RotationResult[]> {
    const column = <T extends HotValue>(pick: (r: RotationRequest) => T): T[] => batch.map(pick);
    const rows = await query<PresentedTokenRow & { rotated: boolean }>(ROTATE, [
      column((r) => r.now),
      column((r) => r.presented),
      column((r) => r.next.refreshToken.hash),
      column((r) => r.holder.subscriptionId),
      column((r) => r.holder.apiId),
      column((r) => r.holder.authMethod),
      column((r) => r.next.accessToken.hash),
      column((r) => r.next.accessToken.expiresAt),
      column((r) => r.next.refreshToken.expiresAt),
    ]);
    return Promise.all(
      batch.map(async ({ presented, now, holder }, i): Promise<RotationResult> => {
        const found = rows[i]?.token_hash != null ? rows[i] : undefined;
        if (found?.rotated) return { outcome: 'rotated', family: toFamily(found) };
        const seen = found && looksUsable(found, now, holder) ? (await query<PresentedTokenRow>(HOT.presentedToken, [presented]))[0] : found;
        return refusedRotation(seen, holder);
      }),
    );
  }

  const alone = (request: RotationRequest): Promise<Settled<RotationResult>> =>
    rotateAll([request]).then(
      ([value]) => ({ ok: true, value: value! }),
      (error: unknown) => ({ ok: false, error }),
    );

  async function rotateBatch(requests: readonly RotationRequest[]): Promise<Settled<RotationResult>[]> {
    // A token presented twice in one turn: the repeats go after the batch, as a concurrent
    // duplicate would (they find it consumed).
    const seen = new Set<string>();
    const firsts: number[] = [];
    const repeats: number[] = [];
    requests.forEach((r, i) => {
      if (seen.has(r.presented)) repeats.push(i);
      else {
        seen.add(r.presented);
        firsts.push(i);
      }
    });
    const settled: Settled<RotationResult>[] = new Array(requests.length);
    const batch = firsts.map((i) => requests[i]!);
    try {
      const results = await rotateAll(batch);
      firsts.forEach((at, k) => (settled[at] = { ok: true, value: results[k]! }));
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (batch.length === 1 || typeof code !== 'string' || !RETRY_ALONE_SQLSTATE.test(code)) throw error;
      const results = await Promise.all(batch.map(alone));
      firsts.forEach((at, k) => (settled[at] = results[k]!));
    }
    const late = await Promise.all(repeats.map((i) => alone(requests[i]!)));
    repeats.forEach((at, k) => (settled[at] = late[k]!));
    return settled;
  }
  const rotations = perTurnBatcher(rotateBatch, MAX_ROTATIONS_PER_BATCH);

  // Identical reads asked for in one event-loop turn (e.g. the client lookup of every refresh a
  // busy app sends at once) share one execution. Each of them was read from its socket before the
  // statement went out, so the answer still reflects every change committed before it was asked.
  const readsThisTurn = new Map<string, Promise<unknown>>();
  const forgetReads = () => readsThisTurn.clear();
  function read<Row>(statement: HotStatement, values: readonly HotValue[]): Promise<Row | undefined> {
    const key = `${statement.name}\0${JSON.stringify(values)}`;
    let shared = readsThisTurn.get(key);
    if (!shared) {
      if (readsThisTurn.size === 0) setImmediate(forgetReads);
      shared = query<Row>(statement, values).then((rows) => rows[0]);
      readsThisTurn.set(key, shared);
    }
    return shared as Promise<Row | undefined>;
  }

  return {
    one: read,
    run: async (statement, values) => {
      await query(statement, values);
    },
    async createFamily(row: Selectable<TokenFamiliesTable>, tokens: FirstTokens, audit: Selectable<AuditEventsTable> | null) {
      await query(CREATE_FAMILY, [
        ...familyValues(row),
        tokens.accessToken.hash,
        tokens.accessToken.expiresAt,
        tokens.refreshToken?.hash ?? null,
        tokens.refreshToken?.expiresAt ?? null,
        ...(audit ? auditValues(audit) : NO_AUDIT_ROW),
      ]);
    },
    rotateRefreshToken: (presented, next, now, holder) => rotations({ presented, next, now, holder }),
  };
}
