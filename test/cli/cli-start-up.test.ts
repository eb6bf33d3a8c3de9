import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import net, { type AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { runCli, startServe, type CliResult } from '../support/cli-process.js';
import { minimalConfig, scratchDir, writeConfig } from '../support/config-files.js';
import { startTestGatehouse, testConfig } from '../support/gatehouse-instance.js';
import { fastHasher } from '../support/oauth-fixtures.js';

// Issue 15: every command imported the whole server, so `gatehouse --help` took seconds. Each
// command now loads its own code when it runs. Timing is too noisy on a shared machine to
// assert, so these tests assert its cause instead: which modules the real CLI process imports
// (recorded by a loader hook), with `migrate` as the control that shows the recording works.

const RECORDER = path.resolve('test/support/record-imports.mjs');

/** Modules only the server-side commands need: the server, the store, the config parser, argon2. */
const SERVER_SIDE = [
  /\/(src|dist)\/gatehouse\.(ts|js)$/,
  /\/(src|dist)\/http\//,
  /\/(src|dist)\/store\/(sqlite|postgres|open-store)\.(ts|js)$/,
  /\/(src|dist)\/store\/sql\//,
  /\/(src|dist)\/config\/load-config\.(ts|js)$/,
  /\/(src|dist)\/domain\/passwords\.(ts|js)$/,
  /\/node_modules\/(fastify|better-sqlite3|kysely|pg|ioredis|typebox|yaml|pino|@node-rs\/argon2|@fastify\/[^/]+)\//,
  /\/dist\/vendor\//, // typebox and kysely, bundled (scripts/transpile.mjs)
];

async function imports(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ result: CliResult; loaded: string[] }> {
  const file = path.join(scratchDir('gatehouse-imports-'), 'imports.txt');
  writeFileSync(file, '');
  const result = await runCli(args, { env: { RECORD_IMPORTS_FILE: file, ...env }, nodeArgs: ['--import', RECORDER] });
  return { result, loaded: readFileSync(file, 'utf8').split('\n').filter(Boolean) };
}

function serverSide(loaded: readonly string[]): string[] {
  return loaded.filter((url) => SERVER_SIDE.some((pattern) => pattern.test(url)));
}

describe('what a CLI command loads', () => {
  it('gatehouse --help loads commander and the command definitions, not the server', async () => {
    const { result, loaded } = await imports(['--help']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^Usage: gatehouse/);
    assert.ok(loaded.some((url) => url.includes('/node_modules/commander/')), 'the recorder saw commander');
    assert.deepEqual(serverSide(loaded), []);
  });

  it('a remote command talks to a running server without loading the server', async () => {
    const passwords = fastHasher();
    const gatehouse = await startTestGatehouse(testConfig(), { passwords });
    const { portal } = await gatehouse.listen();
    const { store } = gatehouse.services;
    await store.users.create({ authMethod: 'local', email: 'ops@example.com', passwordHash: await passwords.hash('ops password 1'), admin: true }, Date.now());
    const signIn = await fetch(`${portal}/auth/local/api/gatehouse-portal/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'password', client_id: 'gatehouse-portal', username: 'ops@example.com', password: 'ops password 1' }),
    });
    const { access_token: token } = (await signIn.json()) as { access_token: string };

    const { result, loaded } = await imports(['users', 'me', '--json', '--url', portal], { GATEHOUSE_TOKEN: token, XDG_CONFIG_HOME: scratchDir() });
    assert.equal(result.code, 0, result.stderr);
    assert.equal((JSON.parse(result.stdout) as { email: string }).email, 'ops@example.com');
    assert.deepEqual(serverSide(loaded), []);
  });

  it('a command that needs the store loads it (the control: the recorder sees server-side modules)', async () => {
    const { result, loaded } = await imports(['migrate', '--config', writeConfig(minimalConfig())], { DATABASE_URL: '' });
    assert.equal(result.code, 0, result.stderr);
    assert.ok(serverSide(loaded).some((url) => /\/config\/load-config\.(ts|js)$/.test(url)), 'migrate loads the config parser');
    assert.ok(serverSide(loaded).some((url) => /\/store\/sqlite\.(ts|js)$/.test(url)), 'migrate loads the store');
    const kysely = (url: string) => url.includes('/node_modules/kysely/') || url.includes('/dist/vendor/');
    assert.ok(serverSide(loaded).some(kysely), 'and its query builder');
  });

  it('a server on the embedded store without Redis loads neither pg nor ioredis', async () => {
    const file = path.join(scratchDir('gatehouse-imports-'), 'imports.txt');
    writeFileSync(file, '');
    const gatehouse = await startServe(writeConfig(minimalConfig()), {
      DATABASE_URL: '',
      REDIS_URL: '',
      RECORD_IMPORTS_FILE: file,
      NODE_OPTIONS: `--import ${RECORDER}`,
    });
    assert.equal((await fetch(`${gatehouse.publicUrl}/readyz`)).status, 200);
    assert.equal(await gatehouse.stop(), 0);
    const loaded = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    assert.ok(loaded.some((url) => url.includes('/node_modules/better-sqlite3/')), 'the recorder saw the SQLite driver');
    assert.deepEqual(loaded.filter((url) => /\/node_modules\/(pg|ioredis)\//.test(url)), []);
  });
});

describe('a server that cannot start', () => {
  // A listener that failed left the other one open, and the process kept running after it had
  // reported the failure. The timeout is a hang guard; no duration is asserted.
  it('exits 1 when its public port is taken, leaving nothing listening', { timeout: 60_000 }, async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    after(() => taken.close());
    const { port } = taken.address() as AddressInfo;
    const config = minimalConfig();
    const result = await runCli(
      ['serve', '--config', writeConfig({ ...config, listeners: { ...(config.listeners as object), public: { host: '127.0.0.1', port } } })],
      { env: { DATABASE_URL: '', REDIS_URL: '' } },
    );
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /^gatehouse: cannot start: listen EADDRINUSE: address already in use 127\.0\.0\.1:\d+ \(listeners in the config\)\n$/);
  });
});
