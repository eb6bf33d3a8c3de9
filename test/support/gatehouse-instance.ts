import { Writable } from 'node:stream';
import { after } from 'node:test';
import type { Config } from '../../src/config/config.js';
import { loadConfig } from '../../src/config/load-config.js';
import { createGatehouse, type Gatehouse, type GatehouseOptions } from '../../src/gatehouse.js';
import { createLogger } from '../../src/logging.js';
import { minimalConfig, writeConfig } from './config-files.js';
import { DATABASE_URL, freshSchema } from './postgres.js';

// An in-process Gatehouse on the store of the environment: embedded SQLite in a temp directory,
// or PostgreSQL in a fresh schema when DATABASE_URL is set (dropped when the test file ends).

export interface LogCapture {
  readonly lines: string[];
  readonly stream: Writable;
}

export function captureLogs(): LogCapture {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, stream };
}

export function testConfig(raw: Record<string, unknown> = minimalConfig(), env: NodeJS.ProcessEnv = {}): Config {
  const storeEnv: NodeJS.ProcessEnv = { REDIS_URL: process.env.REDIS_URL ?? '' };
  if (DATABASE_URL) {
    const schema = freshSchema(DATABASE_URL);
    after(schema.drop);
    Object.assign(storeEnv, { DATABASE_URL, DATABASE_SCHEMA: schema.name });
  }
  // The shared test machine sometimes keeps Redis from answering within the product's 50 ms; a
  // test that is not about that must not slip into the local fallback (tests of it set their own).
  const redis = { commandTimeoutMs: 2_000, ...(raw.redis as Record<string, unknown> | undefined) };
  return loadConfig({ path: writeConfig({ ...raw, redis }), env: { ...storeEnv, ...env } });
}

export async function startTestGatehouse(
  config: Config = testConfig(),
  options: Partial<GatehouseOptions> & { logs?: LogCapture } = {},
): Promise<Gatehouse> {
  const logs = options.logs ?? captureLogs();
  const gatehouse = await createGatehouse(config, { logger: createLogger('info', logs.stream), ...options });
  after(() => gatehouse.close());
  return gatehouse;
}
