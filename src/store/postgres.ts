import { Kysely } from 'kysely';
import pg from 'pg';
import { CurrentSchemaPostgresDialect } from './sql/current-schema-introspector.js';
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
  /** Run pending migrations on open (default true). */
  readonly migrate?: boolean;
  /** Errors of idle pooled connections (a restarted server); they must not crash the process. */
  readonly onPoolError?: (error: Error) => void;
}

const INT8_OID = 20;

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

async function ensureSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`);
  } catch (error) {
    // Two instances creating the schema at the same moment: the loser sees a unique violation.
    if ((error as { code?: string }).code !== '23505') throw error;
  } finally {
    await client.end();
  }
}

/** Opens the PostgreSQL store: a connection pool, migrations applied under the migrator's lock. */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const schema = options.schema ?? null;
  if (schema !== null) await ensureSchema(options.url, schema);
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    types,
    ...(schema !== null ? { options: `-c search_path=${quoteIdentifier(schema)}` } : {}),
  });
  pool.on('error', (error) => options.onPoolError?.(error));
  const db = new Kysely<Database>({ dialect: new CurrentSchemaPostgresDialect({ pool }) });
  try {
    if (options.migrate !== false) await migrateToLatest(db as Kysely<unknown>);
    else await pool.query('select 1');
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return createSqlStore('postgres', db, postgresHotPaths(pool));
}
