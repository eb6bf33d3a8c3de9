import type { Config } from '../config/config.js';
import type { Store } from './store.js';

export interface OpenStoreOptions {
  readonly migrate?: boolean;
  readonly onPoolError?: (error: Error) => void;
  /** Start-up warnings for the operator (a data directory others can read). */
  readonly onWarning?: (message: string, details: Readonly<Record<string, unknown>>) => void;
}

/**
 * PostgreSQL when the config names a database URL, the embedded SQLite store otherwise. Each is
 * loaded only when chosen: `pg` is a tenth of a second of CPU at every start of a process that
 * never uses it.
 */
export async function openStore(config: Config, options: OpenStoreOptions = {}): Promise<Store> {
  if (config.database.url !== null) {
    const { openPostgresStore } = await import('./postgres.js');
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
  const { openSqliteStore } = await import('./sqlite.js');
  return openSqliteStore({ dataDir: config.dataDir, migrate: options.migrate, onWarning: options.onWarning });
}
