import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable, Updateable } from 'kysely';
import type { ExternalProfile, NewAuditEvent, NewUser, Page, PageRequest, SignUpDecision, User, UserPatch, UserStore } from '../store.js';
import { auditRow } from './sql-audit-store.js';
import { withConstraints } from './constraint-errors.js';
import { HOT, type HotPaths } from './hot-paths.js';
import type { Database, UsersTable } from './database.js';
import { decodeCursor, pageSize, toPage } from './pagination.js';
import { bit, json, toUser } from './rows.js';

const normaliseEmail = (email: string | null | undefined): string | null => (email ? email.toLowerCase() : null);

export class SqlUserStore implements UserStore {
  private readonly db: Kysely<Database>;
  private readonly hot: HotPaths;
  constructor(db: Kysely<Database>, hot: HotPaths) {
    this.db = db;
    this.hot = hot;
  }

  async create(user: NewUser, now: number, event?: NewAuditEvent): Promise<User> {
    const row = {
      id: randomUUID(),
      auth_method: user.authMethod,
      external_sub: user.externalSub ?? null,
      email: normaliseEmail(user.email),
      username: user.username ?? null,
      name: user.name ?? null,
      password_hash: user.passwordHash ?? null,
      groups: json(user.groups ?? []),
      is_admin: bit(user.admin ?? false),
      approver_of: json(user.approverOf ?? []),
      // A pending sign-up is disabled too: every sign-in path refuses it as it refuses a disabled user.
      disabled: bit((user.disabled ?? false) || (user.pending ?? false)),
      pending: bit(user.pending ?? false),
      created_at: now,
      updated_at: now,
      password_changed_at: user.passwordHash ? now : null,
    };
    if (event === undefined) {
      await withConstraints('user', () => this.db.insertInto('users').values(row).execute());
    } else {
      await withConstraints('user', () =>
        this.db.transaction().execute(async (trx) => {
          await trx.insertInto('users').values(row).execute();
          await trx.insertInto('audit_events').values(auditRow({ ...event, userId: row.id })).execute();
        }),
      );
    }
    return toUser(row);
  }

  async findById(id: string): Promise<User | null> {
    const row = await this.hot.one<Selectable<UsersTable>>(HOT.userById, [id]);
    return row ? toUser(row) : null;
  }

  async findByIds(ids: readonly string[]): Promise<readonly User[]> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return [];
    const rows = await this.db.selectFrom('users').selectAll().where('id', 'in', unique).execute();
    return rows.map(toUser);
  }

  async findLocalByLogin(login: string): Promise<User | null> {
    const row = await this.hot.one<Selectable<UsersTable>>(HOT.localUserByLogin, [login.toLowerCase(), login]);
    return row ? toUser(row) : null;
  }

  async upsertExternal(authMethod: string, profile: ExternalProfile, now: number): Promise<User> {
    const set: Updateable<UsersTable> = { name: profile.name ?? null, groups: json(profile.groups ?? []), updated_at: now };
    if (profile.email !== undefined) set.email = normaliseEmail(profile.email);
    const refresh = () =>
      withConstraints('user', () =>
        this.db
          .updateTable('users')
          .set(set)
          .where('auth_method', '=', authMethod)
          .where('external_sub', '=', profile.sub)
          .returningAll()
          .executeTakeFirst(),
      );
    const existing = await refresh();
    if (existing) return toUser(existing);
    try {
      return await this.create({ authMethod, externalSub: profile.sub, ...profile, groups: profile.groups ?? [] }, now);
    } catch (error) {
      // Two first logins of one identity at once: the other insert won, so refresh that row.
      const row = await refresh();
      if (row) return toUser(row);
      throw error;
    }
  }

  async update(id: string, patch: UserPatch, now: number): Promise<User | null> {
    const set: Updateable<UsersTable> = { updated_at: now };
    if (patch.email !== undefined) set.email = normaliseEmail(patch.email);
    if (patch.username !== undefined) set.username = patch.username;
    if (patch.name !== undefined) set.name = patch.name;
    if (patch.groups !== undefined) set.groups = json(patch.groups);
    if (patch.admin !== undefined) set.is_admin = bit(patch.admin);
    if (patch.approverOf !== undefined) set.approver_of = json(patch.approverOf);
    if (patch.disabled !== undefined) set.disabled = bit(patch.disabled);
    const row = await withConstraints('user', () =>
      this.db.updateTable('users').set(set).where('id', '=', id).returningAll().executeTakeFirst(),
    );
    return row ? toUser(row) : null;
  }

  async setPasswordHash(id: string, passwordHash: string, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable('users')
      .set({ password_hash: passwordHash, password_changed_at: now, updated_at: now })
      .where('id', '=', id)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async upgradePasswordHash(id: string, expectedHash: string, newHash: string): Promise<boolean> {
    const result = await this.db
      .updateTable('users')
      .set({ password_hash: newHash })
      .where('id', '=', id)
      .where('password_hash', '=', expectedHash)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('users').where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async list(page?: PageRequest, filter: { readonly pending?: boolean } = {}): Promise<Page<User>> {
    const limit = pageSize(page);
    const after = decodeCursor(page);
    let query = this.db.selectFrom('users').selectAll().orderBy('created_at').orderBy('id').limit(limit + 1);
    if (filter.pending !== undefined) query = query.where('pending', '=', bit(filter.pending));
    if (after) query = query.where((eb) => eb(eb.refTuple('created_at', 'id'), '>', eb.tuple(Number(after.key), after.id)));
    const rows = await query.execute();
    return toPage(rows, limit, (r) => ({ key: r.created_at, id: r.id }), toUser);
  }

  async decideSignUp(id: string, decision: SignUpDecision, now: number, event: NewAuditEvent): Promise<User | null> {
    return this.db.transaction().execute(async (trx) => {
      // The condition on `pending` makes two admins deciding at once a single decision.
      const row =
        decision === 'approve'
          ? await trx
              .updateTable('users')
              .set({ pending: 0, disabled: 0, updated_at: now })
              .where('id', '=', id)
              .where('pending', '=', 1)
              .returningAll()
              .executeTakeFirst()
          : await trx.deleteFrom('users').where('id', '=', id).where('pending', '=', 1).returningAll().executeTakeFirst();
      if (!row) return null;
      await trx.insertInto('audit_events').values(auditRow({ ...event, userId: id })).execute();
      return toUser(row);
    });
  }

  async countAdmins(): Promise<number> {
    const row = await this.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('is_admin', '=', 1)
      .where('disabled', '=', 0)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
