import { Migrator, PostgresAdapter, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';

// Versioned schema migrations, run at start-up and by `gatehouse migrate`. Kysely's migrator
// takes a lock first (an advisory lock on PostgreSQL), so several instances starting at once
// against one database apply each migration exactly once. Never edit a released migration;
// add the next one.

const migrations: Record<string, Migration> = {
  '0001_initial': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('auth_method', 'text', (c) => c.notNull())
        .addColumn('external_sub', 'text')
        .addColumn('email', 'text')
        .addColumn('username', 'text')
        .addColumn('name', 'text')
        .addColumn('password_hash', 'text')
        .addColumn('groups', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('is_admin', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('approver_of', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('password_changed_at', 'bigint')
        .execute();
      await db.schema.createIndex('users_email').unique().on('users').columns(['auth_method', 'email']).execute();
      await db.schema.createIndex('users_username').unique().on('users').columns(['auth_method', 'username']).execute();
      await db.schema.createIndex('users_external_sub').unique().on('users').columns(['auth_method', 'external_sub']).execute();

      await db.schema
        .createTable('applications')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('client_type', 'text', (c) => c.notNull())
        .addColumn('redirect_uris', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('application_owners')
        .addColumn('application_id', 'text', (c) => c.notNull().references('applications.id').onDelete('cascade'))
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addPrimaryKeyConstraint('application_owners_pk', ['application_id', 'user_id'])
        .execute();
      await db.schema.createIndex('application_owners_user').on('application_owners').column('user_id').execute();

      await db.schema
        .createTable('subscriptions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('application_id', 'text', (c) => c.notNull().references('applications.id').onDelete('cascade'))
        .addColumn('api_id', 'text', (c) => c.notNull())
        .addColumn('plan', 'text', (c) => c.notNull())
        .addColumn('trusted', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('client_id', 'text', (c) => c.unique())
        .addColumn('client_secret_hash', 'text')
        .addColumn('decided_by', 'text')
        .addColumn('decided_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('subscriptions_application_api', ['application_id', 'api_id'])
        .execute();
      await db.schema.createIndex('subscriptions_status').on('subscriptions').columns(['status', 'api_id']).execute();

      await db.schema
        .createTable('token_families')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('subscription_id', 'text', (c) => c.notNull().references('subscriptions.id').onDelete('cascade'))
        .addColumn('application_id', 'text', (c) => c.notNull())
        .addColumn('api_id', 'text', (c) => c.notNull())
        .addColumn('auth_method', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('revoked_at', 'bigint')
        .addColumn('revoked_reason', 'text')
        .execute();
      await db.schema.createIndex('token_families_user').on('token_families').column('user_id').execute();
      await db.schema.createIndex('token_families_subscription').on('token_families').column('subscription_id').execute();
      await db.schema.createIndex('token_families_application').on('token_families').column('application_id').execute();
      await db.schema.createIndex('token_families_expires').on('token_families').column('expires_at').execute();

      for (const table of ['access_tokens', 'refresh_tokens'] as const) {
        let builder = db.schema
          .createTable(table)
          .addColumn('token_hash', 'text', (c) => c.primaryKey())
          .addColumn('family_id', 'text', (c) => c.notNull().references('token_families.id').onDelete('cascade'))
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('expires_at', 'bigint', (c) => c.notNull());
        if (table === 'refresh_tokens') builder = builder.addColumn('consumed_at', 'bigint').addColumn('replaced_by', 'text');
        await builder.execute();
        await db.schema.createIndex(`${table}_family`).on(table).column('family_id').execute();
        await db.schema.createIndex(`${table}_expires`).on(table).column('expires_at').execute();
      }

      await db.schema
        .createTable('audit_events')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('actor_user_id', 'text')
        .addColumn('user_id', 'text')
        .addColumn('application_id', 'text')
        .addColumn('subscription_id', 'text')
        .addColumn('api_id', 'text')
        .addColumn('family_id', 'text')
        .addColumn('ip', 'text')
        .addColumn('details', 'text', (c) => c.notNull().defaultTo('{}'))
        .execute();
      await db.schema.createIndex('audit_events_at').on('audit_events').columns(['at', 'id']).execute();
      await db.schema.createIndex('audit_events_type').on('audit_events').columns(['type', 'at']).execute();
      await db.schema.createIndex('audit_events_user').on('audit_events').columns(['user_id', 'at']).execute();
    },
  },
  // RFC 6749 §4.1 with RFC 7636: pending authorization requests, codes (SHA-256 only) and
  // users' consents. Codes and requests name their subscription and user so that deleting either
  // takes them along.
  '0002_authorization_codes': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('authorization_requests')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('form_token_hash', 'text', (c) => c.unique())
        .addColumn('subscription_id', 'text', (c) => c.notNull().references('subscriptions.id').onDelete('cascade'))
        .addColumn('api_id', 'text', (c) => c.notNull())
        .addColumn('auth_method', 'text', (c) => c.notNull())
        .addColumn('redirect_uri', 'text', (c) => c.notNull())
        .addColumn('state', 'text')
        .addColumn('code_challenge', 'text', (c) => c.notNull())
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('browser_hash', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('authorization_requests_expires').on('authorization_requests').column('expires_at').execute();

      await db.schema
        .createTable('authorization_codes')
        .addColumn('code_hash', 'text', (c) => c.primaryKey())
        .addColumn('subscription_id', 'text', (c) => c.notNull().references('subscriptions.id').onDelete('cascade'))
        .addColumn('api_id', 'text', (c) => c.notNull())
        .addColumn('auth_method', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('redirect_uri', 'text', (c) => c.notNull())
        .addColumn('code_challenge', 'text', (c) => c.notNull())
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('consumed_at', 'bigint')
        .addColumn('family_id', 'text')
        .execute();
      await db.schema.createIndex('authorization_codes_expires').on('authorization_codes').column('expires_at').execute();

      await db.schema
        .createTable('consents')
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('subscription_id', 'text', (c) => c.notNull().references('subscriptions.id').onDelete('cascade'))
        .addColumn('application_id', 'text', (c) => c.notNull())
        .addColumn('api_id', 'text', (c) => c.notNull())
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('granted_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('consents_pk', ['user_id', 'subscription_id'])
        .execute();
      await db.schema.createIndex('consents_subscription').on('consents').column('subscription_id').execute();
      // Refresh tokens rotate under the rules of the grant that started their login.
      await db.schema.alterTable('token_families').addColumn('grant_type', 'text', (c) => c.notNull().defaultTo('password')).execute();
    },
  },
  // RFC 6749 §4.4: a client-credentials token belongs to a family without a user.
  '0003_client_credentials': {
    async up(db: Kysely<unknown>): Promise<void> {
      if (db.getExecutor().adapter instanceof PostgresAdapter) {
        await sql`ALTER TABLE token_families ALTER COLUMN user_id DROP NOT NULL`.execute(db);
        return;
      }
      await rebuildSqliteTokenFamilies(db);
    },
  },
  // Self sign-up (config portal.signUp): an account awaiting an admin's approval. It is stored
  // disabled as well, so that every sign-in path (password grant, refresh, management API)
  // refuses it without knowing about sign-up at all.
  '0004_user_sign_up': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('users').addColumn('pending', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.createIndex('users_pending').on('users').columns(['pending', 'created_at']).execute();
    },
  },
};

/**
 * SQLite cannot drop a NOT NULL constraint in place: the table is rebuilt as
 * https://www.sqlite.org/lang_altertable.html#otheralter says. Foreign keys are off meanwhile (a
 * migration runs outside a transaction there), or dropping the old table would delete every
 * token through ON DELETE CASCADE; the tokens' references to `token_families` name the new table
 * once it has the name.
 */
async function rebuildSqliteTokenFamilies(db: Kysely<unknown>): Promise<void> {
  await sql`PRAGMA foreign_keys = OFF`.execute(db);
  try {
    await sql`BEGIN IMMEDIATE`.execute(db);
    try {
      await db.schema
        .createTable('token_families_new')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('subscription_id', 'text', (c) => c.notNull().references('subscriptions.id').onDelete('cascade'))
        .addColumn('application_id', 'text', (c) => c.notNull())
        .addColumn('api_id', 'text', (c) => c.notNull())
        .addColumn('auth_method', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('revoked_at', 'bigint')
        .addColumn('revoked_reason', 'text')
        .addColumn('grant_type', 'text', (c) => c.notNull().defaultTo('password'))
        .execute();
      await sql`INSERT INTO token_families_new SELECT id, subscription_id, application_id, api_id, auth_method, user_id, scope,
        created_at, expires_at, revoked_at, revoked_reason, grant_type FROM token_families`.execute(db);
      await sql`DROP TABLE token_families`.execute(db);
      await sql`ALTER TABLE token_families_new RENAME TO token_families`.execute(db);
      await db.schema.createIndex('token_families_user').on('token_families').column('user_id').execute();
      await db.schema.createIndex('token_families_subscription').on('token_families').column('subscription_id').execute();
      await db.schema.createIndex('token_families_application').on('token_families').column('application_id').execute();
      await db.schema.createIndex('token_families_expires').on('token_families').column('expires_at').execute();
      const { rows } = await sql`PRAGMA foreign_key_check`.execute(db);
      if (rows.length > 0) throw new Error('token_families rebuild left dangling references');
      await sql`COMMIT`.execute(db);
    } catch (error) {
      await sql`ROLLBACK`.execute(db);
      throw error;
    }
  } finally {
    await sql`PRAGMA foreign_keys = ON`.execute(db);
  }
}

const provider: MigrationProvider = { getMigrations: async () => migrations };

export const MIGRATION_NAMES: readonly string[] = Object.keys(migrations);
export const LATEST_MIGRATION = MIGRATION_NAMES.at(-1) as string;

/**
 * Unless told a schema, Kysely's migrator looks for its own tables in every schema of the
 * database, so on PostgreSQL a Gatehouse schema would take another schema's migration table for
 * its own and skip creating it. Pin them to the schema the connection works in.
 */
async function migratorFor(db: Kysely<unknown>): Promise<Migrator> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return new Migrator({ db, provider });
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
  const schema = rows[0]?.schema ?? null;
  return new Migrator({ db, provider, ...(schema !== null ? { migrationTableSchema: schema } : {}) });
}

/** Applies every pending migration; returns the names it applied. */
export async function migrateToLatest(db: Kysely<unknown>): Promise<readonly string[]> {
  const migrator = await migratorFor(db);
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw new Error('database migration failed', { cause: error });
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Applies the pending migrations up to and including `name` (a test builds an older schema with it). */
export async function migrateUpTo(db: Kysely<unknown>, name: string): Promise<void> {
  const { error } = await (await migratorFor(db)).migrateTo(name);
  if (error) throw new Error('database migration failed', { cause: error });
}

/** Names of the migrations already applied, in order. */
export async function appliedMigrations(db: Kysely<unknown>): Promise<readonly string[]> {
  const migrator = await migratorFor(db);
  const all = await migrator.getMigrations();
  return all.filter((m) => m.executedAt !== undefined).map((m) => m.name);
}

