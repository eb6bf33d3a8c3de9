import type { Config } from '../config/config.js';
import { openStore, type OpenStoreOptions } from '../store/open-store.js';
import { StoreUnavailableError, type Store } from '../store/store.js';
import { CliError } from './cli-error.js';

// A database that cannot be reached at start-up is the operator's to fix, not a bug: one line
// naming where Gatehouse looked and what happened (never the URL's credentials), no stack trace.

function where(config: Config): string {
  if (config.database.url === null) return 'the embedded store';
  const url = new URL(config.database.url);
  return `the database at ${url.hostname}:${url.port || '5432'}`;
}

/** `error` as a one-line CliError when it says the database is unavailable, unchanged otherwise. */
export function explainStoreFailure(config: Config, error: unknown): unknown {
  if (!(error instanceof StoreUnavailableError)) return error;
  return new CliError(
    `cannot reach ${where(config)}: ${error.reason} (database.connectTimeoutMs is ${config.database.connectTimeoutMs} ms)`,
  );
}

export async function openCliStore(config: Config, options: OpenStoreOptions = {}): Promise<Store> {
  try {
    return await openStore(config, options);
  } catch (error) {
    throw explainStoreFailure(config, error);
  }
}
