import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after } from 'node:test';
import { stringify } from 'yaml';
import { tempDir } from './temp-dir.js';

/** A minimal valid configuration, as a plain object to modify per test. */
export function minimalConfig(): Record<string, unknown> {
  return {
    dataDir: './data',
    listeners: { public: { host: '127.0.0.1', port: 0 }, portal: { host: '127.0.0.1', port: 0 } },
    log: { level: 'silent' },
    authMethods: [{ id: 'local', type: 'local' }],
    groups: [{ id: 'partners', name: 'Partners' }],
    apis: [
      {
        id: 'orders',
        name: 'Orders',
        pathPrefix: '/orders',
        upstreamUrl: 'http://127.0.0.1:9',
        authMethods: ['local'],
        group: 'partners',
      },
    ],
  };
}

/** A fresh temporary directory, removed when the test file ends. */
export function scratchDir(prefix?: string): string {
  const dir = tempDir(prefix);
  after(dir.remove);
  return dir.path;
}

/** Writes `content` (an object, serialised as YAML, or raw YAML text) into a fresh directory. */
export function writeConfig(content: Record<string, unknown> | string): string {
  const file = path.join(scratchDir('gatehouse-config-'), 'gatehouse.yaml');
  writeFileSync(file, typeof content === 'string' ? content : stringify(content));
  return file;
}
