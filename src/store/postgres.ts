import { Kysely, sql } from 'kysely';
import pg from 'pg';
import { CurrentSchemaPostgresDialect } from './sql/current-schema-introspector.js';
import { asStoreUnavailable, availabilityPool, clientTimeouts, type PostgresTimeouts } from './postgres-availability.js';
import type { Database } from './sql/database.js';
import { migrateToLatest } from './sql/migrations.js';
import { postgresHotPaths } from './sql/postgres-hot-paths.js';
import { createSqlStore } from './sql/sql-store.js';
import type { Store } from './store.js';

export interface PostgresStoreOptions {
  readonly url: string;
  /** A schema other than the connection's default; created if missing. */
  readonly schema?: string | null;
  readonly poolSize?: number;
  /** Pool wait or a new connection, start-up included (default 5 s). */
  readonly connectTimeoutMs?: number;
  /** One statement (default 5 s); migrations are exempt, they may legitimately take longer. */
  readonly queryTimeoutMs?: number;
  /** Run pending migrations on open (default true). */
  readonly migrate?: boolean;
  /** Errors of idle pooled connections (a restarted server); they must not crash the process. */
  readonly onPoolError?: (error: Error) => void;
}

const INT8_OID = 20;
const DEFAULT_TIMEOUTS: PostgresTimeouts = { connectTimeoutMs: 5_000, queryTimeoutMs: 5_000 };

// Times are epoch milliseconds in bigint columns; they fit a JS number exactly until year 287396.
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID && format !== 'binary') return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

function quoteIdentifier(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`invalid schema name ${JSON.stringify(name)}`);
  return `"${name}"`;
}

async function ensureSchema(url: string, schema: string, timeouts: PostgresTimeouts): Promise<void> {
  const client = new pg.Client({ connectionString: url, ...clientTimeouts(timeouts) });
  // A connection reset after connect() surfaces here, not as an uncaught exception.
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`);
  } catch (error) {
    // Two instances creating the schema at the same moment: the loser sees a unique violation.
    if ((error as { code?: string }).code !== '23505') throw asStoreUnavailable(error, timeouts);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A Kysely on its own pool; `timed` adds the statement timeouts. */
function openDb(options: PostgresStoreOptions, timeouts: PostgresTimeouts, pool: { max: number; timed: boolean }) {
  const schema = options.schema ?? null;
  const raw = new pg.Pool({
    connectionString: options.url,
    max: pool.max,
    types,
    ...(pool.timed ? clientTimeouts(timeouts) : { connectionTimeoutMillis: timeouts.connectTimeoutMs }),
    ...(schema !== null ? { options: `-c search_path=${quoteIdentifier(schema)}` } : {}),
  });
  raw.on('error', (error) => options.onPoolError?.(error));
  return { raw, db: new Kysely<Database>({ dialect: new CurrentSchemaPostgresDialect({ pool: availabilityPool(raw, timeouts) }) }) };
}

/**
 * Migrations run on a connection of their own without the statement timeout: a migration, or
 * waiting for another instance's migration lock, may take longer than any request should.
 */
async function migrateOnOwnConnection(options: PostgresStoreOptions, timeouts: PostgresTimeouts): Promise<readonly string[]> {
  const { db } = openDb(options, timeouts, { max: 1, timed: false });
  try {
    return await migrateToLatest(db as Kysely<unknown>);
  } catch (error) {
    throw asStoreUnavailable(error, timeouts);
  } finally {
    await db.destroy();
  }
}

/** Opens the PostgreSQL store: a connection pool, migrations applied under the migrator's lock. */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const timeouts: PostgresTimeouts = {
    connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_TIMEOUTS.connectTimeoutMs,
    queryTimeoutMs: options.queryTimeoutMs ?? DEFAULT_TIMEOUTS.queryTimeoutMs,
  };
  if (options.schema != null) await ensureSchema(options.url, options.schema, timeouts);
  if (options.migrate !== false) await migrateOnOwnConnection(options, timeouts);
  const { db, raw } = openDb(options, timeouts, { max: options.poolSize ?? 10, timed: true });
  try {
    await sql`select 1`.execute(db);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  // The hot paths' named statements run on the same pool, bounded by the same timeouts, and
  // their failures mean the same: StoreUnavailableError when the database cannot answer.
  const hotPaths = postgresHotPaths(async (config) => {
    try {
      return await raw.query(config);
    } catch (error) {
      throw asStoreUnavailable(error, timeouts);
    }
  });
  const store = createSqlStore('postgres', db, hotPaths);
  return { ...store, migrate: () => migrateOnOwnConnection(options, timeouts) };
}
