import type { Kysely, Selectable } from 'kysely';
import type {
  AuthorizationCode,
  AuthorizationRequest,
  AuthorizationStore,
  CodeIssue,
  CodeRedemption,
  Consent,
  NewAuditEvent,
  NewAuthorizationCode,
  NewAuthorizationRequest,
  Page,
  PageRequest,
  RefreshTokenHolder,
} from '../store.js';
import type { AuthorizationCodesTable, AuthorizationRequestsTable, ConsentsTable, Database } from './database.js';
import { decodeCursor, pageSize, toPage } from './pagination.js';
import { fromFamily, toFamily } from './rows.js';
import { auditRow } from './sql-audit-store.js';

// The authorization code grant's records (RFC 6749 §4.1). As for refresh tokens, every rule that
// must hold across processes (a form token is used once, a code is redeemed once) is decided by
// one conditional UPDATE: on PostgreSQL a concurrent second UPDATE waits for the first to commit
// and then re-checks its WHERE (READ COMMITTED), so it finds the row consumed and changes nothing.

const CODE_RETENTION_MS = 24 * 60 * 60 * 1000; // a redeemed code is kept a day to recognise its replay

function toRequest(row: Selectable<AuthorizationRequestsTable>): AuthorizationRequest {
  return {
    id: row.id,
    subscriptionId: row.subscription_id,
    apiId: row.api_id,
    authMethod: row.auth_method,
    redirectUri: row.redirect_uri,
    state: row.state,
    codeChallenge: row.code_challenge,
    scope: row.scope,
    browserHash: row.browser_hash,
    userId: row.user_id,
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
  };
}

function toCode(row: Selectable<AuthorizationCodesTable>): AuthorizationCode {
  return {
    hash: row.code_hash,
    subscriptionId: row.subscription_id,
    apiId: row.api_id,
    authMethod: row.auth_method,
    userId: row.user_id,
    redirectUri: row.redirect_uri,
    codeChallenge: row.code_challenge,
    scope: row.scope,
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    consumedAt: row.consumed_at === null ? null : Number(row.consumed_at),
    familyId: row.family_id,
  };
}

function toConsent(row: Selectable<ConsentsTable>): Consent {
  return {
    userId: row.user_id,
    subscriptionId: row.subscription_id,
    applicationId: row.application_id,
    apiId: row.api_id,
    scope: row.scope,
    grantedAt: Number(row.granted_at),
  };
}

export class SqlAuthorizationStore implements AuthorizationStore {
  private readonly db: Kysely<Database>;
  constructor(db: Kysely<Database>) {
    this.db = db;
  }

  async createRequest(request: NewAuthorizationRequest): Promise<void> {
    await this.db
      .insertInto('authorization_requests')
      .values({
        id: request.id,
        form_token_hash: request.formTokenHash,
        subscription_id: request.subscriptionId,
        api_id: request.apiId,
        auth_method: request.authMethod,
        redirect_uri: request.redirectUri,
        state: request.state,
        code_challenge: request.codeChallenge,
        scope: request.scope,
        browser_hash: request.browserHash,
        user_id: null,
        created_at: request.createdAt,
        expires_at: request.expiresAt,
      })
      .execute();
  }

  async takeRequest(formTokenHash: string, now: number): Promise<AuthorizationRequest | null> {
    const row = await this.db
      .updateTable('authorization_requests')
      .set({ form_token_hash: null })
      .where('form_token_hash', '=', formTokenHash)
      .where('expires_at', '>', now)
      .returningAll()
      .executeTakeFirst();
    return row ? toRequest(row) : null;
  }

  async continueRequest(id: string, formTokenHash: string, userId: string | null): Promise<boolean> {
    const result = await this.db
      .updateTable('authorization_requests')
      .set({ form_token_hash: formTokenHash, user_id: userId })
      .where('id', '=', id)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async issueCode(requestId: string, code: NewAuthorizationCode, consent: { readonly consent: Consent; readonly audit: NewAuditEvent } | null): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const ended = await trx.deleteFrom('authorization_requests').where('id', '=', requestId).executeTakeFirst();
      if (ended.numDeletedRows === 0n) return false;
      await trx
        .insertInto('authorization_codes')
        .values({
          code_hash: code.hash,
          subscription_id: code.subscriptionId,
          api_id: code.apiId,
          auth_method: code.authMethod,
          user_id: code.userId,
          redirect_uri: code.redirectUri,
          code_challenge: code.codeChallenge,
          scope: code.scope,
          created_at: code.createdAt,
          expires_at: code.expiresAt,
          consumed_at: null,
          family_id: null,
        })
        .execute();
      if (consent) {
        const c = consent.consent;
        const row = {
          user_id: c.userId,
          subscription_id: c.subscriptionId,
          application_id: c.applicationId,
          api_id: c.apiId,
          scope: c.scope,
          granted_at: c.grantedAt,
        };
        await trx
          .insertInto('consents')
          .values(row)
          .onConflict((oc) => oc.columns(['user_id', 'subscription_id']).doUpdateSet({ scope: row.scope, granted_at: row.granted_at }))
          .execute();
        await trx.insertInto('audit_events').values(auditRow(consent.audit)).execute();
      }
      return true;
    });
  }

  async redeemCode(
    presented: string,
    holder: RefreshTokenHolder,
    now: number,
    check: (code: AuthorizationCode) => CodeIssue | null,
  ): Promise<CodeRedemption> {
    return this.db.transaction().execute(async (trx): Promise<CodeRedemption> => {
      // RFC 6749 §4.1.2: single use. The statement that consumes decides; its WHERE also carries
      // §4.1.3's "issued to the authenticated client" and the user's right to sign in.
      const consumed = await trx
        .updateTable('authorization_codes')
        .set({ consumed_at: now })
        .where('code_hash', '=', presented)
        .where('consumed_at', 'is', null)
        .where('expires_at', '>', now)
        .where('subscription_id', '=', holder.subscriptionId)
        .where('api_id', '=', holder.apiId)
        .where('auth_method', '=', holder.authMethod)
        .where((eb) =>
          eb.not(eb.exists(eb.selectFrom('users').select('users.id').whereRef('users.id', '=', 'authorization_codes.user_id').where('users.disabled', '=', 1))),
        )
        .returningAll()
        .executeTakeFirst();
      if (!consumed) {
        const found = await trx.selectFrom('authorization_codes').selectAll().where('code_hash', '=', presented).executeTakeFirst();
        const heldBy = found && found.subscription_id === holder.subscriptionId && found.api_id === holder.apiId && found.auth_method === holder.authMethod;
        if (found && heldBy && found.consumed_at !== null) return { outcome: 'already-consumed', code: toCode(found) };
        return { outcome: 'unknown' };
      }
      const code = toCode(consumed);
      const issue = check(code);
      if (!issue) return { outcome: 'refused', code };
      const family = fromFamily(issue.family);
      await trx.insertInto('token_families').values(family).execute();
      const { accessToken, refreshToken } = issue.tokens;
      await trx.insertInto('access_tokens').values({ token_hash: accessToken.hash, family_id: family.id, created_at: now, expires_at: accessToken.expiresAt }).execute();
      await trx
        .insertInto('refresh_tokens')
        .values({ token_hash: refreshToken.hash, family_id: family.id, created_at: now, expires_at: refreshToken.expiresAt, consumed_at: null, replaced_by: null })
        .execute();
      await trx.updateTable('authorization_codes').set({ family_id: family.id }).where('code_hash', '=', presented).execute();
      return { outcome: 'redeemed', family: toFamily(family) };
    });
  }

  async findConsent(userId: string, subscriptionId: string): Promise<Consent | null> {
    const row = await this.db.selectFrom('consents').selectAll().where('user_id', '=', userId).where('subscription_id', '=', subscriptionId).executeTakeFirst();
    return row ? toConsent(row) : null;
  }

  async listConsents(userId: string, page?: PageRequest): Promise<Page<Consent>> {
    const limit = pageSize(page);
    const before = decodeCursor(page);
    let query = this.db
      .selectFrom('consents')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('granted_at', 'desc')
      .orderBy('subscription_id', 'desc')
      .limit(limit + 1);
    if (before) query = query.where((eb) => eb(eb.refTuple('granted_at', 'subscription_id'), '<', eb.tuple(Number(before.key), before.id)));
    const rows = await query.execute();
    return toPage(rows, limit, (r) => ({ key: Number(r.granted_at), id: r.subscription_id }), toConsent);
  }

  async revokeConsent(userId: string, subscriptionId: string, audit: NewAuditEvent): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const deleted = await trx.deleteFrom('consents').where('user_id', '=', userId).where('subscription_id', '=', subscriptionId).executeTakeFirst();
      if (deleted.numDeletedRows === 0n) return false;
      await trx.insertInto('audit_events').values(auditRow(audit)).execute();
      return true;
    });
  }

  async deleteExpired(now: number): Promise<number> {
    const requests = await this.db.deleteFrom('authorization_requests').where('expires_at', '<=', now).executeTakeFirst();
    const codes = await this.db.deleteFrom('authorization_codes').where('expires_at', '<=', now - CODE_RETENTION_MS).executeTakeFirst();
    return Number(requests.numDeletedRows + codes.numDeletedRows);
  }
}
