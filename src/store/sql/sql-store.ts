import { sql, type Kysely } from 'kysely';
import type { Store } from '../store.js';
import type { Database } from './database.js';
import type { HotPaths } from './hot-paths.js';
import { appliedMigrations, migrateToLatest } from './migrations.js';
import { SqlApplicationStore } from './sql-application-store.js';
import { SqlAuditStore } from './sql-audit-store.js';
import { SqlAuthorizationStore } from './sql-authorization-store.js';
import { SqlSubscriptionStore } from './sql-subscription-store.js';
import { SqlTokenStore } from './sql-token-store.js';
import { SqlUserStore } from './sql-user-store.js';

/** The one Store implementation; the dialect (SQLite or PostgreSQL) is chosen by the caller. */
export function createSqlStore(kind: Store['kind'], db: Kysely<Database>, hot: HotPaths): Store {
  return {
    kind,
    users: new SqlUserStore(db, hot),
    applications: new SqlApplicationStore(db, hot, kind),
    subscriptions: new SqlSubscriptionStore(db, hot, kind),
    tokens: new SqlTokenStore(db, hot),
    audit: new SqlAuditStore(db, hot),
    authorizations: new SqlAuthorizationStore(db),
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
