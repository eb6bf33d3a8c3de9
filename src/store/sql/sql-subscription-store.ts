import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable, Updateable } from 'kysely';
import type { NewSubscription, Page, PageRequest, Subscription, SubscribedClient, SubscriptionPatch, SubscriptionStatus, SubscriptionStore, SubscriptionVersion } from '../store.js';
import { withConstraints } from './constraint-errors.js';
import { HOT, type ClientRow, type HotPaths, type HotStatement } from './hot-paths.js';
import type { Database, SubscriptionsTable } from './database.js';
import { decodeCursor, pageSize, toPage } from './pagination.js';
import { bit, list, toApplication, toSubscription } from './rows.js';

export class SqlSubscriptionStore implements SubscriptionStore {
  private readonly db: Kysely<Database>;
  private readonly hot: HotPaths;
  private readonly client: HotStatement;
  constructor(db: Kysely<Database>, hot: HotPaths, dialect: 'sqlite' | 'postgres') {
    this.db = db;
    this.hot = hot;
    this.client = HOT.client[dialect];
  }

  async create(subscription: NewSubscription, now: number): Promise<Subscription> {
    const row = {
      id: randomUUID(),
      application_id: subscription.applicationId,
      api_id: subscription.apiId,
      plan: subscription.plan,
      trusted: bit(subscription.trusted),
      status: subscription.status,
      client_id: subscription.clientId ?? null,
      client_secret_hash: subscription.clientSecretHash ?? null,
      decided_by: null,
      decided_at: null,
      created_at: now,
      updated_at: now,
    };
    await withConstraints('subscription', () => this.db.insertInto('subscriptions').values(row).execute());
    return toSubscription(row);
  }

  async findById(id: string): Promise<Subscription | null> {
    const row = await this.hot.one<Selectable<SubscriptionsTable>>(HOT.subscriptionById, [id]);
    return row ? toSubscription(row) : null;
  }

  async findByClientId(clientId: string): Promise<Subscription | null> {
    const row = await this.hot.one<Selectable<SubscriptionsTable>>(HOT.subscriptionByClientId, [clientId]);
    return row ? toSubscription(row) : null;
  }

  async findClient(clientId: string): Promise<SubscribedClient | null> {
    const row = await this.hot.one<ClientRow>(this.client, [clientId]);
    if (!row) return null;
    const application = toApplication(
      {
        id: row.app_id,
        name: row.app_name,
        client_type: row.app_client_type,
        redirect_uris: row.app_redirect_uris,
        created_at: row.app_created_at,
        updated_at: row.app_updated_at,
      },
      list(row.app_owner_ids),
    );
    return { subscription: toSubscription(row), application };
  }

  async list(
    filter: { readonly applicationId?: string; readonly apiIds?: readonly string[]; readonly status?: SubscriptionStatus },
    page?: PageRequest,
  ): Promise<Page<Subscription>> {
    const limit = pageSize(page);
    const after = decodeCursor(page);
    if (filter.apiIds !== undefined && filter.apiIds.length === 0) return { items: [], nextCursor: null };
    let query = this.db.selectFrom('subscriptions').selectAll().orderBy('created_at').orderBy('id').limit(limit + 1);
    if (filter.applicationId !== undefined) query = query.where('application_id', '=', filter.applicationId);
    if (filter.apiIds !== undefined) query = query.where('api_id', 'in', filter.apiIds);
    if (filter.status !== undefined) query = query.where('status', '=', filter.status);
    if (after) query = query.where((eb) => eb(eb.refTuple('created_at', 'id'), '>', eb.tuple(Number(after.key), after.id)));
    const rows = await query.execute();
    return toPage(rows, limit, (r) => ({ key: r.created_at, id: r.id }), toSubscription);
  }

  async update(id: string, patch: SubscriptionPatch, now: number, expected?: SubscriptionVersion): Promise<Subscription | null> {
    const set: Updateable<SubscriptionsTable> = { updated_at: now };
    if (patch.plan !== undefined) set.plan = patch.plan;
    if (patch.trusted !== undefined) set.trusted = bit(patch.trusted);
    if (patch.status !== undefined) set.status = patch.status;
    if (patch.clientId !== undefined) set.client_id = patch.clientId;
    if (patch.clientSecretHash !== undefined) set.client_secret_hash = patch.clientSecretHash;
    if (patch.decidedBy !== undefined) set.decided_by = patch.decidedBy;
    if (patch.decidedAt !== undefined) set.decided_at = patch.decidedAt;
    const row = await withConstraints('subscription', () =>
      this.db
        .updateTable('subscriptions')
        .set(set)
        .where('id', '=', id)
        .$if(expected !== undefined, (query) => {
          const version = expected as SubscriptionVersion;
          return query
            .where('updated_at', '=', version.updatedAt)
            .where('status', '=', version.status)
            .where('trusted', '=', bit(version.trusted))
            .where('plan', '=', version.plan)
            .where((eb) => (version.clientSecretHash === null ? eb('client_secret_hash', 'is', null) : eb('client_secret_hash', '=', version.clientSecretHash)));
        })
        .returningAll()
        .executeTakeFirst(),
    );
    return row ? toSubscription(row) : null;
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('subscriptions').where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}
