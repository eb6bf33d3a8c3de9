import type { Kysely, Transaction } from 'kysely';
import type {
  AccessTokenRecord,
  FamilySelector,
  NewTokenFamily,
  Page,
  PageRequest,
  RefreshTokenRecord,
  RotationResult,
  TokenFamily,
  TokenPair,
  TokenStore,
} from '../store.js';
import { withConstraints } from './constraint-errors.js';
import type { Database } from './database.js';
import { decodeCursor, pageSize, toPage } from './pagination.js';
import { fromFamily, toFamily } from './rows.js';

// Token values are never here: only their SHA-256. Every rule that must hold across processes
// (a refresh token is consumed once, a revoked family stays dead) is one conditional statement.

const FAMILY_COLUMNS = [
  'f.id',
  'f.subscription_id',
  'f.application_id',
  'f.api_id',
  'f.auth_method',
  'f.user_id',
  'f.scope',
  'f.created_at',
  'f.expires_at',
  'f.revoked_at',
  'f.revoked_reason',
] as const;

async function insertPair(db: Kysely<Database> | Transaction<Database>, familyId: string, tokens: TokenPair, now: number) {
  await db
    .insertInto('access_tokens')
    .values({ token_hash: tokens.accessToken.hash, family_id: familyId, created_at: now, expires_at: tokens.accessToken.expiresAt })
    .execute();
  await db
    .insertInto('refresh_tokens')
    .values({
      token_hash: tokens.refreshToken.hash,
      family_id: familyId,
      created_at: now,
      expires_at: tokens.refreshToken.expiresAt,
      consumed_at: null,
      replaced_by: null,
    })
    .execute();
}

export class SqlTokenStore implements TokenStore {
  private readonly db: Kysely<Database>;
  constructor(db: Kysely<Database>) {
    this.db = db;
  }

  async createFamily(family: NewTokenFamily, tokens: TokenPair): Promise<TokenFamily> {
    const row = fromFamily(family);
    await withConstraints('token family', () =>
      this.db.transaction().execute(async (trx) => {
        await trx.insertInto('token_families').values(row).execute();
        await insertPair(trx, family.id, tokens, family.createdAt);
      }),
    );
    return toFamily(row);
  }

  async findAccessToken(hash: string): Promise<AccessTokenRecord | null> {
    const row = await this.db
      .selectFrom('access_tokens as t')
      .innerJoin('token_families as f', 'f.id', 't.family_id')
      .select(FAMILY_COLUMNS)
      .select(['t.token_hash', 't.created_at as token_created_at', 't.expires_at as token_expires_at'])
      .where('t.token_hash', '=', hash)
      .executeTakeFirst();
    if (!row) return null;
    return {
      hash: row.token_hash,
      familyId: row.id,
      createdAt: row.token_created_at,
      expiresAt: row.token_expires_at,
      family: toFamily(row),
    };
  }

  async findRefreshToken(hash: string): Promise<RefreshTokenRecord | null> {
    return this.refreshToken(this.db, hash);
  }

  private async refreshToken(db: Kysely<Database> | Transaction<Database>, hash: string): Promise<RefreshTokenRecord | null> {
    const row = await db
      .selectFrom('refresh_tokens as t')
      .innerJoin('token_families as f', 'f.id', 't.family_id')
      .select(FAMILY_COLUMNS)
      .select([
        't.token_hash',
        't.created_at as token_created_at',
        't.expires_at as token_expires_at',
        't.consumed_at',
        't.replaced_by',
      ])
      .where('t.token_hash', '=', hash)
      .executeTakeFirst();
    if (!row) return null;
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

  async rotateRefreshToken(presented: string, next: TokenPair, now: number): Promise<RotationResult> {
    return this.db.transaction().execute(async (trx): Promise<RotationResult> => {
      // RFC 9700 §4.14.2: one statement decides who consumes the token. Under PostgreSQL's READ
      // COMMITTED a concurrent consumer blocks on the row, then re-checks `consumed_at IS NULL`
      // and finds it taken; SQLite serialises writers outright.
      const consumed = await trx
        .updateTable('refresh_tokens')
        .set({ consumed_at: now, replaced_by: next.refreshToken.hash })
        .where('token_hash', '=', presented)
        .where('consumed_at', 'is', null)
        .where('expires_at', '>', now)
        // A correlated EXISTS is one primary-key probe; `family_id IN (SELECT ...)` made SQLite
        // read every live family on each refresh.
        .where((eb) =>
          eb.exists(
            eb
              .selectFrom('token_families as f')
              .select('f.id')
              .whereRef('f.id', '=', 'refresh_tokens.family_id')
              .where('f.revoked_at', 'is', null)
              .where('f.expires_at', '>', now),
          ),
        )
        .returning('family_id')
        .executeTakeFirst();
      if (consumed) {
        await insertPair(trx, consumed.family_id, next, now);
        const family = await trx.selectFrom('token_families').selectAll().where('id', '=', consumed.family_id).executeTakeFirstOrThrow();
        return { outcome: 'rotated', family: toFamily(family) };
      }
      const token = await this.refreshToken(trx, presented);
      if (!token) return { outcome: 'unknown' };
      return token.consumedAt !== null ? { outcome: 'already-consumed', token } : { outcome: 'not-usable', token };
    });
  }

  async addTokens(familyId: string, tokens: TokenPair, replacing: string | null, now: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const live = await trx
        .selectFrom('token_families')
        .select('id')
        .where('id', '=', familyId)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', now)
        .executeTakeFirst();
      if (!live) return false;
      if (replacing !== null) {
        // Only while the successor is still unused: if it was rotated meanwhile, a second live
        // branch of the family would outlive reuse detection. First, so that the loser of the
        // race writes nothing (READ COMMITTED re-checks the condition on the locked row).
        const replaced = await trx
          .updateTable('refresh_tokens')
          .set({ consumed_at: now, replaced_by: tokens.refreshToken.hash })
          .where('token_hash', '=', replacing)
          .where('family_id', '=', familyId)
          .where('consumed_at', 'is', null)
          .executeTakeFirst();
        if (replaced.numUpdatedRows === 0n) return false;
      }
      await insertPair(trx, familyId, tokens, now);
      return true;
    });
  }

  async revokeFamilies(selector: FamilySelector, reason: string, now: number): Promise<readonly string[]> {
    let query = this.db
      .updateTable('token_families')
      .set({ revoked_at: now, revoked_reason: reason })
      .where('revoked_at', 'is', null);
    if ('familyId' in selector) query = query.where('id', '=', selector.familyId);
    else if ('userId' in selector) query = query.where('user_id', '=', selector.userId);
    else if ('subscriptionId' in selector) query = query.where('subscription_id', '=', selector.subscriptionId);
    else query = query.where('application_id', '=', selector.applicationId);
    const rows = await query.returning('id').execute();
    return rows.map((r) => r.id);
  }

  async findFamily(id: string): Promise<TokenFamily | null> {
    const row = await this.db.selectFrom('token_families').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toFamily(row) : null;
  }

  async listActiveFamilies(
    filter: { readonly userId?: string; readonly applicationId?: string; readonly subscriptionId?: string },
    now: number,
    page?: PageRequest,
  ): Promise<Page<TokenFamily>> {
    const limit = pageSize(page);
    const before = decodeCursor(page);
    let query = this.db
      .selectFrom('token_families')
      .selectAll()
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit + 1);
    if (filter.userId !== undefined) query = query.where('user_id', '=', filter.userId);
    if (filter.applicationId !== undefined) query = query.where('application_id', '=', filter.applicationId);
    if (filter.subscriptionId !== undefined) query = query.where('subscription_id', '=', filter.subscriptionId);
    if (before) query = query.where((eb) => eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(Number(before.key), before.id)));
    const rows = await query.execute();
    return toPage(rows, limit, (r) => ({ key: r.created_at, id: r.id }), toFamily);
  }

  async deleteExpired(now: number): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      // Families first: their tokens go with them (ON DELETE CASCADE).
      const families = await trx
        .deleteFrom('token_families')
        .where((eb) => eb.or([eb('expires_at', '<=', now), eb('revoked_at', 'is not', null)]))
        .executeTakeFirst();
      const access = await trx.deleteFrom('access_tokens').where('expires_at', '<=', now).executeTakeFirst();
      const refresh = await trx.deleteFrom('refresh_tokens').where('expires_at', '<=', now).executeTakeFirst();
      return Number(families.numDeletedRows + access.numDeletedRows + refresh.numDeletedRows);
    });
  }
}
