import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely, Selectable } from 'kysely';
import type { FirstTokens, RefreshTokenHolder, RotationResult, TokenPair } from '../store.js';
import type { AuditEventsTable, Database, TokenFamiliesTable } from './database.js';
import { auditValues, endingBy, familyValues, HOT, refusedRotation, type HotPaths, type HotStatement, type HotValue, type PresentedTokenRow, type RotationRequest } from './hot-paths.js';
import { toFamily } from './rows.js';
import { perTurnBatcher, type Settled } from './turn-batch.js';

// better-sqlite3 runs a statement synchronously, so a hot path is one prepared statement (or one
// better-sqlite3 transaction) run to completion on the event loop: nothing else can interleave.
// Kysely shares the connection and holds it across awaits inside its transactions; a hot path
// that finds one open waits for Kysely's connection lock instead of running inside it (its writes
// would commit or roll back with someone else's transaction).

const SQL = {
  consume: `UPDATE refresh_tokens SET consumed_at = ?, replaced_by = ?
    WHERE token_hash = ? AND consumed_at IS NULL AND expires_at > ?
      -- A correlated EXISTS is one primary-key probe; family_id IN (SELECT ...) made SQLite read
      -- every live family on each refresh.
      AND EXISTS (SELECT 1 FROM token_families f
        WHERE f.id = refresh_tokens.family_id AND f.revoked_at IS NULL AND f.expires_at > ?
          AND f.subscription_id = ? AND f.api_id = ? AND f.auth_method = ?
          AND EXISTS (SELECT 1 FROM users u WHERE u.id = f.user_id AND u.disabled = 0))
    RETURNING family_id`,
  insertFamily: `INSERT INTO token_families
    (id, subscription_id, application_id, api_id, auth_method, user_id, scope, created_at, expires_at, revoked_at, revoked_reason, grant_type)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  insertAccess: 'INSERT INTO access_tokens (token_hash, family_id, created_at, expires_at) VALUES (?, ?, ?, ?)',
  insertRefresh: 'INSERT INTO refresh_tokens (token_hash, family_id, created_at, expires_at) VALUES (?, ?, ?, ?)',
  familyById: 'SELECT * FROM token_families WHERE id = ?',
} as const;

/** Bounds how long one group commit holds the event loop. */
const MAX_ROTATIONS_PER_BATCH = 256;

export function sqliteHotPaths(sqlite: BetterSqlite3.Database, db: Kysely<Database>): HotPaths {
  const cache = new Map<string, BetterSqlite3.Statement>();
  const prepared = (text: string): BetterSqlite3.Statement => {
    let statement = cache.get(text);
    if (!statement) {
      statement = sqlite.prepare(text);
      cache.set(text, statement);
    }
    return statement;
  };
  // By the statement object: the placeholder rewrite is not redone on every request.
  const byHot = new Map<HotStatement, BetterSqlite3.Statement>();
  const positional = (hot: HotStatement): BetterSqlite3.Statement => {
    let statement = byHot.get(hot);
    if (!statement) {
      statement = prepared(hot.text.replace(/\$\d+/g, '?'));
      byHot.set(hot, statement);
    }
    return statement;
  };

  async function exclusive<T>(work: () => T): Promise<T> {
    if (!sqlite.inTransaction) return work();
    return db.connection().execute(async () => work());
  }

  function insertPair(familyId: string, tokens: FirstTokens, now: number): void {
    prepared(SQL.insertAccess).run(tokens.accessToken.hash, familyId, now, tokens.accessToken.expiresAt);
    if (tokens.refreshToken) prepared(SQL.insertRefresh).run(tokens.refreshToken.hash, familyId, now, tokens.refreshToken.expiresAt);
  }

  const createFamily = sqlite.transaction((row: Selectable<TokenFamiliesTable>, tokens: FirstTokens, audit: Selectable<AuditEventsTable> | null) => {
    prepared(SQL.insertFamily).run(...familyValues(row));
    insertPair(row.id, tokens, row.created_at);
    if (audit) positional(HOT.auditEvent).run(...auditValues(audit));
  });

  // Called inside commitRotations' transaction, better-sqlite3 makes this a savepoint: a rotation
  // that throws is rolled back alone and the others of its batch still commit.
  const rotate = sqlite.transaction((presented: string, next: TokenPair, now: number, holder: RefreshTokenHolder): RotationResult => {
    // RFC 9700 §4.14.2: one statement decides who consumes the token; SQLite serialises writers
    // (and this process is the only one: it holds the data directory's lock, sqlite.ts).
    const consumed = prepared(SQL.consume).get(
      now,
      next.refreshToken.hash,
      presented,
      now,
      now,
      holder.subscriptionId,
      holder.apiId,
      holder.authMethod,
    ) as { family_id: string } | undefined;
    if (consumed) {
      const family = prepared(SQL.familyById).get(consumed.family_id) as Selectable<TokenFamiliesTable>;
      insertPair(family.id, endingBy(next, family.expires_at), now);
      return { outcome: 'rotated', family: toFamily(family) };
    }
    return refusedRotation(positional(HOT.presentedToken).get(presented) as PresentedTokenRow | undefined, holder);
  });

  // Group commit (turn-batch.ts): the rotations asked for in one event-loop turn commit in one
  // transaction, so the pages they share (the tables' rightmost leaves, the expiry indexes,
  // interior pages) reach the WAL once per batch instead of once per refresh. Each caller still
  // learns its outcome only after the COMMIT that holds its rotation; if that COMMIT fails, every
  // rotation in it fails.
  const commitRotations = sqlite.transaction((batch: readonly RotationRequest[]) =>
    batch.map((r): Settled<RotationResult> => {
      try {
        return { ok: true, value: rotate(r.presented, r.next, r.now, r.holder) };
      } catch (error) {
        return { ok: false, error };
      }
    }),
  );
  const rotations = perTurnBatcher((batch: readonly RotationRequest[]) => exclusive(() => commitRotations(batch)), MAX_ROTATIONS_PER_BATCH);

  return {
    one: <Row>(statement: HotStatement, values: readonly HotValue[]) =>
      exclusive(() => positional(statement).get(...values) as Row | undefined),
    run: (statement, values) =>
      exclusive(() => {
        positional(statement).run(...values);
      }),
    createFamily: (family, tokens, audit) => exclusive(() => createFamily(family, tokens, audit)),
    rotateRefreshToken: (presented, next, now, holder) => rotations({ presented, next, now, holder }),
  };
}
