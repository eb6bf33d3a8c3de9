import type { Config } from '../config/config.js';
import { openPostgresStore } from './postgres.js';
import { openSqliteStore } from './sqlite.js';
import type { Store } from './store.js';

export interface OpenStoreOptions {
  readonly migrate?: boolean;
  readonly onPoolError?: (error: Error) => void;
  /** Start-up warnings for the operator (a data directory others can read). */
  readonly onWarning?: (message: string, details: Readonly<Record<string, unknown>>) => void;
}

/** PostgreSQL when the config names a database URL, the embedded SQLite store otherwise. */
export function openStore(config: Config, options: OpenStoreOptions = {}): Promise<Store> {
  if (config.database.url !== null) {
    return openPostgresStore({
      url: config.database.url,
      migrate: options.migrate,
      onPoolError: options.onPoolError,
      schema: config.database.schema,
      poolSize: config.database.poolSize,
      connectTimeoutMs: config.database.connectTimeoutMs,
      queryTimeoutMs: config.database.queryTimeoutMs,
    });
  }
  return openSqliteStore({ dataDir: config.dataDir, migrate: options.migrate, onWarning: options.onWarning });
}
