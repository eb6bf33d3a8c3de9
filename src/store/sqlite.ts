import { closeSync, constants, mkdirSync, openSync, statSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from './sql/database.js';
import { migrateToLatest } from './sql/migrations.js';
import { sqliteHotPaths } from './sql/sqlite-hot-paths.js';
import { startCheckpointer, type CheckpointSettings } from './sqlite-checkpointer.js';
import { createSqlStore } from './sql/sql-store.js';
import type { Store } from './store.js';

export const SQLITE_FILE_NAME = 'gatehouse.db';
/** Held exclusively for the life of the process that has the store open (lockDataDir). */
export const SQLITE_LOCK_FILE_NAME = 'gatehouse.lock';

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
  /** Told about a data directory that others may read (the store opens anyway). */
  readonly onWarning?: (message: string, details: Readonly<Record<string, unknown>>) => void;
  /** When and how often the checkpoint thread runs (sqlite-checkpointer.ts); tests shorten them. */
  readonly checkpoints?: CheckpointSettings;
}

const OWNER_ONLY_FILE = 0o600;
const OWNER_ONLY_DIR = 0o700;

/**
 * The database holds password hashes and token hashes: only Gatehouse's own user may read it.
 * SQLite creates a new database 0644 (less the umask) and gives its -wal and -shm files the
 * database file's mode, so creating the file 0600 first covers all three.
 */
function createPrivately(file: string): void {
  try {
    closeSync(openSync(file, constants.O_CREAT | constants.O_EXCL | constants.O_RDWR, OWNER_ONLY_FILE));
  } catch (error) {
    if ((error as { code?: string }).code !== 'EEXIST') throw error;
  }
}

function warnIfOthersCanRead(dataDir: string, onWarning: SqliteStoreOptions['onWarning']): void {
  if (process.platform === 'win32' || !onWarning) return;
  const mode = statSync(dataDir).mode & 0o777;
  // Read or search for others lets them list the directory or open the files in it by name.
  if ((mode & 0o005) !== 0) {
    onWarning('the data directory is readable by other users; restrict it (chmod 700) to keep the database private', {
      dataDir,
      mode: `0${mode.toString(8)}`,
    });
  }
}

/**
 * One process at a time: a second Gatehouse on the same directory would break what assumes one
 * writer (the token cache, the group commit). The lock is a small database of its own, held with
 * an exclusive lock until close: the store's file cannot hold it, because the checkpoint thread
 * (sqlite-checkpointer.ts) needs a second connection to it.
 */
function lockDataDir(dataDir: string): BetterSqlite3.Database {
  const file = path.join(dataDir, SQLITE_LOCK_FILE_NAME);
  createPrivately(file);
  const lock = new BetterSqlite3(file);
  try {
    lock.pragma('busy_timeout = 0');
    lock.pragma('locking_mode = EXCLUSIVE');
    // A write takes the exclusive lock; EXCLUSIVE locking mode keeps it until close.
    lock.exec('CREATE TABLE IF NOT EXISTS holder (pid INTEGER NOT NULL, since INTEGER NOT NULL)');
    lock.transaction(() => {
      lock.exec('DELETE FROM holder');
      lock.prepare('INSERT INTO holder (pid, since) VALUES (?, ?)').run(process.pid, Date.now());
    }).immediate();
    return lock;
  } catch (error) {
    lock.close();
    if ((error as { code?: string }).code?.startsWith('SQLITE_BUSY')) throw new StoreInUseError(path.join(dataDir, SQLITE_FILE_NAME));
    throw error;
  }
}

/**
 * Opens the embedded store: one file in the data directory, WAL journal, and the directory's lock
 * (lockDataDir) held for the life of the process, so that a second Gatehouse on the same
 * directory refuses to start instead of corrupting single-use guarantees that assume one writer.
 */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<Store> {
  mkdirSync(options.dataDir, { recursive: true, mode: OWNER_ONLY_DIR });
  warnIfOthersCanRead(options.dataDir, options.onWarning);
  const lock = lockDataDir(options.dataDir);
  const file = path.join(options.dataDir, SQLITE_FILE_NAME);
  let sqlite: BetterSqlite3.Database;
  try {
    createPrivately(file);
    sqlite = new BetterSqlite3(file);
  } catch (error) {
    lock.close();
    throw error;
  }
  try {
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL'); // durable across process crashes in WAL mode
    sqlite.pragma('foreign_keys = ON');
    // Each refresh of a group commit (sqlite-hot-paths.ts) runs in a savepoint, whose rollback
    // journal spilled to a temporary file past 64 KiB: a pwrite per page it first touched
    // (subjournalPageIfRequired, 8% of a store-level profile). In memory it costs a copy.
    sqlite.pragma('temp_store = MEMORY');
  } catch (error) {
    sqlite.close();
    lock.close();
    throw error;
  }
  // Durability is that of synchronous = NORMAL: a commit is in the WAL file when it returns (a
  // process crash loses nothing); the WAL is fsynced at each checkpoint, so a power loss can take
  // the commits since the last one (half a second, or the kernel's writeback, whichever is shorter).
  const checkpointer = startCheckpointer(sqlite, file, options.onWarning, options.checkpoints);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  // The checkpoint thread's connection closes first: the store's, then the last one, checkpoints
  // what is left and removes the WAL.
  const close = async () => {
    try {
      await checkpointer.close();
      await db.destroy();
    } finally {
      lock.close();
    }
  };
  if (options.migrate !== false) {
    try {
      await migrateToLatest(db as Kysely<unknown>);
    } catch (error) {
      await close();
      throw error;
    }
  }
  return { ...createSqlStore('sqlite', db, sqliteHotPaths(sqlite, db)), close };
}
