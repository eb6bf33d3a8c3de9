import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { AuditEvent, AuditFilter, AuditStore, NewAuditEvent, Page, PageRequest } from '../store.js';
import { HOT, type HotPaths } from './hot-paths.js';
import type { Database } from './database.js';
import { decodeCursor, pageSize, toPage } from './pagination.js';
import { json, toAuditEvent } from './rows.js';

/** An audit row as stored; for writes that record their audit row in their own transaction. */
export function auditRow(event: NewAuditEvent) {
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
    await this.hot.run(HOT.auditEvent, [
      row.id,
      row.at,
      row.type,
      row.actor_user_id,
      row.user_id,
      row.application_id,
      row.subscription_id,
      row.api_id,
      row.family_id,
      row.ip,
      row.details,
    ]);
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
}
