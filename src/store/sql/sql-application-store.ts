import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable, Updateable } from 'kysely';
import type { Application, ApplicationPatch, ApplicationStore, NewApplication, NewAuditEvent, Page, PageRequest } from '../store.js';
import { withConstraints } from './constraint-errors.js';
import type { ApplicationsTable, Database } from './database.js';
import { HOT, type HotPaths, type HotStatement } from './hot-paths.js';
import { decodeCursor, pageSize, toPage } from './pagination.js';
import { json, list, toApplication } from './rows.js';
import { auditRow } from './sql-audit-store.js';

export class SqlApplicationStore implements ApplicationStore {
  private readonly db: Kysely<Database>;
  private readonly hot: HotPaths;
  private readonly applicationById: HotStatement;
  constructor(db: Kysely<Database>, hot: HotPaths, dialect: 'sqlite' | 'postgres') {
    this.db = db;
    this.hot = hot;
    this.applicationById = HOT.applicationById[dialect];
  }

  async create(application: NewApplication, now: number): Promise<Application> {
    const row = {
      id: randomUUID(),
      name: application.name,
      client_type: application.clientType,
      redirect_uris: json(application.redirectUris ?? []),
      created_at: now,
      updated_at: now,
    };
    const ownerIds = [...new Set(application.ownerIds)];
    await withConstraints('application', () =>
      this.db.transaction().execute(async (trx) => {
        await trx.insertInto('applications').values(row).execute();
        if (ownerIds.length > 0) {
          await trx.insertInto('application_owners').values(ownerIds.map((user_id) => ({ application_id: row.id, user_id }))).execute();
        }
      }),
    );
    return toApplication(row, ownerIds);
  }

  private async ownersOf(ids: readonly string[]): Promise<Map<string, string[]>> {
    const owners = new Map<string, string[]>(ids.map((id) => [id, []]));
    if (ids.length === 0) return owners;
    const rows = await this.db
      .selectFrom('application_owners')
      .select(['application_id', 'user_id'])
      .where('application_id', 'in', ids)
      .orderBy('user_id')
      .execute();
    for (const row of rows) owners.get(row.application_id)?.push(row.user_id);
    return owners;
  }

  async findById(id: string): Promise<Application | null> {
    const row = await this.hot.one<Selectable<ApplicationsTable> & { owner_ids: string }>(this.applicationById, [id]);
    return row ? toApplication(row, list(row.owner_ids)) : null;
  }

  async findByIds(ids: readonly string[]): Promise<readonly Application[]> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return [];
    const rows = await this.db.selectFrom('applications').selectAll().where('id', 'in', unique).execute();
    const owners = await this.ownersOf(rows.map((r) => r.id));
    return rows.map((r) => toApplication(r, owners.get(r.id) ?? []));
  }

  async list(filter: { readonly ownerId?: string }, page?: PageRequest): Promise<Page<Application>> {
    const limit = pageSize(page);
    const after = decodeCursor(page);
    let query = this.db.selectFrom('applications').selectAll('applications').orderBy('created_at').orderBy('id').limit(limit + 1);
    if (filter.ownerId !== undefined) {
      const ownerId = filter.ownerId;
      query = query.where('id', 'in', (eb) =>
        eb.selectFrom('application_owners').select('application_id').where('user_id', '=', ownerId),
      );
    }
    if (after) query = query.where((eb) => eb(eb.refTuple('created_at', 'id'), '>', eb.tuple(Number(after.key), after.id)));
    const rows = await query.execute();
    const owners = await this.ownersOf(rows.slice(0, limit).map((r) => r.id));
    return toPage(rows, limit, (r) => ({ key: r.created_at, id: r.id }), (r) => toApplication(r, owners.get(r.id) ?? []));
  }

  async update(id: string, patch: ApplicationPatch, now: number): Promise<Application | null> {
    const set: Updateable<ApplicationsTable> = { updated_at: now };
    if (patch.name !== undefined) set.name = patch.name;
    if (patch.clientType !== undefined) set.client_type = patch.clientType;
    if (patch.redirectUris !== undefined) set.redirect_uris = json(patch.redirectUris);
    const updated = await withConstraints('application', () =>
      this.db.transaction().execute(async (trx) => {
        const row = await trx.updateTable('applications').set(set).where('id', '=', id).returning('id').executeTakeFirst();
        if (!row || patch.ownerIds === undefined) return row !== undefined;
        const ownerIds = [...new Set(patch.ownerIds)];
        await trx.deleteFrom('application_owners').where('application_id', '=', id).execute();
        if (ownerIds.length > 0) {
          await trx.insertInto('application_owners').values(ownerIds.map((user_id) => ({ application_id: id, user_id }))).execute();
        }
        return true;
      }),
    );
    return updated ? this.findById(id) : null;
  }

  async changeRedirectUris(
    id: string,
    change: { readonly add: string } | { readonly remove: string },
    now: number,
    audit: NewAuditEvent,
  ): Promise<readonly string[] | null> {
    return this.db.transaction().execute(async (trx) => {
      // A compare-and-set on the list as read: of two concurrent changes, the later re-reads
      // rather than overwriting the earlier one's URI.
      for (;;) {
        const row = await trx.selectFrom('applications').select('redirect_uris').where('id', '=', id).executeTakeFirst();
        if (!row) return null;
        const current = list(row.redirect_uris);
        const next = 'add' in change ? (current.includes(change.add) ? current : [...current, change.add]) : current.filter((uri) => uri !== change.remove);
        if (next.length === current.length && next.every((uri, i) => uri === current[i])) return current;
        const updated = await trx
          .updateTable('applications')
          .set({ redirect_uris: json(next), updated_at: now })
          .where('id', '=', id)
          .where('redirect_uris', '=', row.redirect_uris)
          .executeTakeFirst();
        if (updated.numUpdatedRows === 0n) continue;
        await trx.insertInto('audit_events').values(auditRow(audit)).execute();
        return next;
      }
    });
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('applications').where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}
