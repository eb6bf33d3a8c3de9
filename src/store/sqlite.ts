import { mkdirSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from './sql/database.js';
import { migrateToLatest } from './sql/migrations.js';
import { sqliteHotPaths } from './sql/sqlite-hot-paths.js';
import { createSqlStore } from './sql/sql-store.js';
import type { Store } from './store.js';

export const SQLITE_FILE_NAME = 'gatehouse.db';

export class StoreInUseError extends Error {
  readonly code = 'store_in_use';
  constructor(file: string) {
    super(`${file} is held by another Gatehouse process; stop it first (the embedded store serves one process; use PostgreSQL to run several)`);
    this.name = 'StoreInUseError';
  }
}

export interface SqliteStoreOptions {
  readonly dataDir: string;
  /** Run pending migrations on open (default true). */
  readonly migrate?: boolean;
}

/**
 * Opens the embedded store: one file in the data directory, WAL journal, and an exclusive lock
 * held for the life of the process, so that a second Gatehouse on the same directory refuses to
 * start instead of corrupting single-use guarantees that assume one writer.
 */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<Store> {
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(options.dataDir, SQLITE_FILE_NAME);
  const sqlite = new BetterSqlite3(file);
  try {
    sqlite.pragma('busy_timeout = 0');
    sqlite.pragma('locking_mode = EXCLUSIVE');
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL'); // durable across process crashes in WAL mode
    sqlite.pragma('foreign_keys = ON');
    // The first write takes the exclusive lock; EXCLUSIVE locking mode keeps it until close.
    sqlite.exec('BEGIN IMMEDIATE; COMMIT');
  } catch (error) {
    sqlite.close();
    if ((error as { code?: string }).code?.startsWith('SQLITE_BUSY')) throw new StoreInUseError(file);
    throw error;
  }
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  if (options.migrate !== false) {
    try {
      await migrateToLatest(db as Kysely<unknown>);
    } catch (error) {
      await db.destroy();
      throw error;
    }
  }
  return createSqlStore('sqlite', db, sqliteHotPaths(sqlite, db));
}
