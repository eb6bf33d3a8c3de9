import { after } from 'node:test';
import { scratchDir } from './config-files.js';
import { DATABASE_URL, freshSchema } from './postgres.js';

// What the tests of `gatehouse example` + `gatehouse serve` share: the environment of a fresh
// store (a scratch data directory, or a fresh PostgreSQL schema dropped when the file ends) on
// free ports, and the NAME=value lines the example command prints.

export function exampleStoreEnv(prefix: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { GATEHOUSE_DATA_DIR: scratchDir(prefix), GATEHOUSE_PUBLIC_PORT: '0', GATEHOUSE_PORTAL_PORT: '0', DATABASE_URL: '' };
  if (DATABASE_URL) {
    const schema = freshSchema(DATABASE_URL);
    after(schema.drop);
    Object.assign(env, { DATABASE_URL, DATABASE_SCHEMA: schema.name });
  }
  return env;
}

export function printedAssignments(stdout: string): Record<string, string> {
  return Object.fromEntries(
    stdout
      .split('\n')
      .filter((line) => /^[A-Z_]+=/.test(line))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}
