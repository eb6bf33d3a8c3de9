import { randomBytes } from 'node:crypto';
import pg from 'pg';

// Each PostgreSQL test gets its own schema, so runs never see each other's rows and leave nothing behind.

export const DATABASE_URL: string | undefined = process.env.DATABASE_URL || undefined;

export const POSTGRES_SKIP_REASON = 'DATABASE_URL not set';

export interface TestSchema {
  readonly name: string;
  /** DROP SCHEMA ... CASCADE; safe to call when the schema was never created. */
  readonly drop: () => Promise<void>;
}

/** A schema name no other run uses (`gh_test_<hex>`); the store creates it on open. */
export function freshSchema(url: string): TestSchema {
  const name = `gh_test_${randomBytes(6).toString('hex')}`;
  return { name, drop: () => dropSchema(url, name) };
}

export async function dropSchema(url: string, schema: string): Promise<void> {
  await withClient(url, (client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
}

export async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}
