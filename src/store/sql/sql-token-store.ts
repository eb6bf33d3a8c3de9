import type { Kysely, Transaction } from 'kysely';
import type {
  AccessTokenRecord,
  FamilySelector,
  FirstTokens,
  NewAuditEvent,
  NewTokenFamily,
  Page,
  PageRequest,
  RefreshTokenHolder,
  RefreshTokenRecord,
  RotationResult,
  TokenFamily,
  TokenPair,
  TokenStore,
} from '../store.js';
import { withConstraints } from './constraint-errors.js';
import { auditRow } from './sql-audit-store.js';
import type { Database } from './database.js';
import { HOT, type AccessTokenRow, type HotPaths, type RefreshTokenRow } from './hot-paths.js';
import { decodeCursor, pageSize, toPage } from './pagination.js';
import { fromFamily, toAccessTokenRecord, toFamily, toRefreshTokenRecord } from './rows.js';

// Token values are never here: only their SHA-256. Every rule that must hold across processes
// (a refresh token is consumed once, a revoked family stays dead) is one conditional statement.

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
  private readonly hot: HotPaths;
  constructor(db: Kysely<Database>, hot: HotPaths) {
    this.db = db;
    this.hot = hot;
  }

  async createFamily(family: NewTokenFamily, tokens: FirstTokens, audit?: NewAuditEvent): Promise<TokenFamily> {
    const row = fromFamily(family);
    await withConstraints('token family', () => this.hot.createFamily(row, tokens, audit ? auditRow(audit) : null));
    return toFamily(row);
  }

  async findAccessToken(hash: string): Promise<AccessTokenRecord | null> {
    const row = await this.hot.one<AccessTokenRow>(HOT.accessToken, [hash]);
    return row ? toAccessTokenRecord(row) : null;
  }

  async findRefreshToken(hash: string): Promise<RefreshTokenRecord | null> {
    const row = await this.hot.one<RefreshTokenRow>(HOT.refreshToken, [hash]);
    return row ? toRefreshTokenRecord(row) : null;
  }

  async rotateRefreshToken(presented: string, next: TokenPair, now: number, holder: RefreshTokenHolder): Promise<RotationResult> {
    // Per dialect (sqlite-hot-paths.ts, postgres-hot-paths.ts): one statement decides who consumes.
    return this.hot.rotateRefreshToken(presented, next, now, holder);
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
