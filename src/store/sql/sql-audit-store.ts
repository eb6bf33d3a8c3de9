import { randomUUID } from 'node:crypto';
import type { Insertable, Kysely, Selectable } from 'kysely';
import type { AuditEvent, AuditFilter, AuditStore, NewAuditEvent, Page, PageRequest } from '../store.js';
import { auditValues, HOT, type HotPaths } from './hot-paths.js';
import type { AuditEventsTable, Database } from './database.js';
import { decodeCursor, pageSize, toPage } from './pagination.js';
import { json, toAuditEvent } from './rows.js';

/** The row of an audit event; other stores insert it inside their own transactions. */
export function auditRow(event: NewAuditEvent): Insertable<AuditEventsTable> & Selectable<AuditEventsTable> {
  return {
    id: randomUUID(),
    at: event.at,
    type: event.type,
    actor_user_id: event.actorUserId ?? null,
    user_id: event.userId ?? null,
    application_id: event.applicationId ?? null,
    subscription_id: event.subscriptionId ?? null,
    api_id: event.apiId ?? null,
    family_id: event.familyId ?? null,
    ip: event.ip ?? null,
    details: json(event.details ?? {}),
  };
}

export class SqlAuditStore implements AuditStore {
  private readonly db: Kysely<Database>;
  private readonly hot: HotPaths;
  constructor(db: Kysely<Database>, hot: HotPaths) {
    this.db = db;
    this.hot = hot;
  }

  async record(event: NewAuditEvent): Promise<AuditEvent> {
    const row = auditRow(event);
    await this.hot.run(HOT.auditEvent, auditValues(row));
    return toAuditEvent(row);
  }

  async list(filter: AuditFilter, page?: PageRequest): Promise<Page<AuditEvent>> {
    const limit = pageSize(page);
    const before = decodeCursor(page);
    let query = this.db.selectFrom('audit_events').selectAll().orderBy('at', 'desc').orderBy('id', 'desc').limit(limit + 1);
    if (filter.type !== undefined) query = query.where('type', '=', filter.type);
    if (filter.actorUserId !== undefined) query = query.where('actor_user_id', '=', filter.actorUserId);
    if (filter.userId !== undefined) query = query.where('user_id', '=', filter.userId);
    if (filter.applicationId !== undefined) query = query.where('application_id', '=', filter.applicationId);
    if (filter.subscriptionId !== undefined) query = query.where('subscription_id', '=', filter.subscriptionId);
    if (filter.apiId !== undefined) query = query.where('api_id', '=', filter.apiId);
    if (filter.since !== undefined) query = query.where('at', '>=', filter.since);
    if (filter.until !== undefined) query = query.where('at', '<', filter.until);
    if (before) query = query.where((eb) => eb(eb.refTuple('at', 'id'), '<', eb.tuple(Number(before.key), before.id)));
    const rows = await query.execute();
    return toPage(rows, limit, (r) => ({ key: r.at, id: r.id }), toAuditEvent);
  }

  async latestForSubscriptions(subscriptionIds: readonly string[], types: readonly string[]): Promise<readonly AuditEvent[]> {
    const unique = [...new Set(subscriptionIds)];
    if (unique.length === 0 || types.length === 0) return [];
    // The (type, at) index narrows this to a few management event types; a subscription has few of those.
    const rows = await this.db
      .selectFrom('audit_events')
      .selectAll()
      .where('type', 'in', [...types])
      .where('subscription_id', 'in', unique)
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .execute();
    const newest = new Map<string, (typeof rows)[number]>();
    for (const row of rows) if (row.subscription_id !== null && !newest.has(row.subscription_id)) newest.set(row.subscription_id, row);
    return [...newest.values()].map(toAuditEvent);
  }
}
