import { sql, type Kysely } from 'kysely';
import type { Store } from '../store.js';
import type { Database } from './database.js';
import { appliedMigrations, migrateToLatest } from './migrations.js';
import { SqlApplicationStore } from './sql-application-store.js';
import { SqlAuditStore } from './sql-audit-store.js';
import { SqlSubscriptionStore } from './sql-subscription-store.js';
import { SqlTokenStore } from './sql-token-store.js';
import { SqlUserStore } from './sql-user-store.js';

/** The one Store implementation; the dialect (SQLite or PostgreSQL) is chosen by the caller. */
export function createSqlStore(kind: Store['kind'], db: Kysely<Database>): Store {
  return {
    kind,
    users: new SqlUserStore(db),
    applications: new SqlApplicationStore(db),
    subscriptions: new SqlSubscriptionStore(db),
    tokens: new SqlTokenStore(db),
    audit: new SqlAuditStore(db),
    migrate: () => migrateToLatest(db as Kysely<unknown>),
    appliedMigrations: () => appliedMigrations(db as Kysely<unknown>),
    async ping() {
      await sql`select 1`.execute(db);
    },
    async close() {
      await db.destroy();
    },
  };
}
