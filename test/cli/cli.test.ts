import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openStore } from '../../src/store/open-store.js';
import { LATEST_MIGRATION } from '../../src/store/sql/migrations.js';
import { loadConfig } from '../../src/config/load-config.js';
import { runCli, startServe } from '../support/cli-process.js';
import { minimalConfig, writeConfig } from '../support/config-files.js';
import { DATABASE_URL, freshSchema } from '../support/postgres.js';

// The CLI as an operator runs it: real processes, real listeners, the store of the environment
// (embedded SQLite, or PostgreSQL in a schema of its own when DATABASE_URL is set). Each case has
// its own config, data directory and schema, so a group's cases run at once (issue 15): the file's
// time is mostly waiting for the processes it spawns.

function storeEnv(): { env: NodeJS.ProcessEnv; cleanup: () => Promise<void> } {
  if (!DATABASE_URL) return { env: { DATABASE_URL: '' }, cleanup: async () => {} };
  const schema = freshSchema(DATABASE_URL);
  return { env: { DATABASE_URL, DATABASE_SCHEMA: schema.name }, cleanup: schema.drop };
}

describe('gatehouse --help', { concurrency: true }, () => {
  for (const command of [[], ['serve'], ['migrate'], ['admin'], ['admin', 'create']]) {
    it(`explains ${['gatehouse', ...command].join(' ')}`, async () => {
      const result = await runCli([...command, '--help']);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, new RegExp(`^Usage: gatehouse ${command.join(' ')}`.trimEnd()));
    });
  }
});

describe('gatehouse serve', { concurrency: true }, () => {
  it('answers /healthz and /readyz on both listeners, then drains and exits 0 on SIGTERM', async (t) => {
    const { env, cleanup } = storeEnv();
    t.after(cleanup);
    const gatehouse = await startServe(writeConfig(minimalConfig()), env);
    try {
      assert.equal(gatehouse.store, DATABASE_URL ? 'postgres' : 'sqlite');
      for (const base of [gatehouse.publicUrl, gatehouse.portalUrl]) {
        const health = await fetch(`${base}/healthz`);
        assert.equal(health.status, 200);
        assert.deepEqual(await health.json(), { status: 'ok' });
        const ready = await fetch(`${base}/readyz`);
        assert.equal(ready.status, 200);
        const checks: Record<string, string> = { store: 'up' };
        if (process.env.REDIS_URL) checks.redis = 'up';
        const counters = process.env.REDIS_URL ? 'redis' : 'memory';
        assert.deepEqual(await ready.json(), { status: 'ready', checks, bruteForceCounters: counters, rateLimitCounters: counters });
      }
    } finally {
      assert.equal(await gatehouse.stop('SIGTERM'), 0);
    }
    assert.match(gatehouse.output(), /"msg":"stopped"/);
  });

  it('exits cleanly on SIGINT too', async (t) => {
    const { env, cleanup } = storeEnv();
    t.after(cleanup);
    const gatehouse = await startServe(writeConfig(minimalConfig()), env);
    assert.equal(await gatehouse.stop('SIGINT'), 0);
  });

  it('stops at start-up with one line naming the bad key', async () => {
    const config = minimalConfig();
    (config.apis as Record<string, unknown>[]).push({ id: 'dup', name: 'D', pathPrefix: '/orders', upstreamUrl: 'http://127.0.0.1:9', authMethods: ['local'] });
    const result = await runCli(['serve', '--config', writeConfig(config)]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^gatehouse: invalid config .*: apis\[1\]\.pathPrefix: "\/orders" overlaps apis\[0\]\.pathPrefix "\/orders"\n$/);
  });

  it('refuses to run without a configuration file', async () => {
    const result = await runCli(['serve']);
    assert.equal(result.code, 1);
    assert.equal(result.stderr, 'gatehouse: no configuration file: pass --config FILE or set GATEHOUSE_CONFIG\n');
  });

  it('reads the configuration path from GATEHOUSE_CONFIG', async () => {
    const result = await runCli(['migrate'], { env: { GATEHOUSE_CONFIG: writeConfig(minimalConfig()), DATABASE_URL: '' } });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`sqlite store is at migration ${LATEST_MIGRATION}`));
  });

  it('refuses a second process on the same embedded store', { skip: DATABASE_URL ? 'the embedded store only' : false }, async () => {
    const configPath = writeConfig(minimalConfig());
    const first = await startServe(configPath, { DATABASE_URL: '' });
    try {
      const second = await runCli(['serve', '--config', configPath], { env: { DATABASE_URL: '' } });
      assert.equal(second.code, 1);
      assert.match(second.stderr, /^gatehouse: .*gatehouse\.db is held by another Gatehouse process/);
      const still = await fetch(`${first.publicUrl}/readyz`);
      assert.equal(still.status, 200);
    } finally {
      assert.equal(await first.stop(), 0);
    }
  });
});

describe('gatehouse migrate', () => {
  it('applies the migrations once and reports where the store is', async (t) => {
    const { env, cleanup } = storeEnv();
    t.after(cleanup);
    const configPath = writeConfig(minimalConfig());
    const first = await runCli(['migrate', '--config', configPath], { env });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^applied 0001_initial\n/);
    assert.match(first.stdout, new RegExp(`^applied ${LATEST_MIGRATION}$`, 'm'));
    const second = await runCli(['migrate', '--config', configPath], { env });
    assert.equal(second.code, 0, second.stderr);
    assert.doesNotMatch(second.stdout, /^applied/m);
    assert.match(second.stdout, new RegExp(`store is at migration ${LATEST_MIGRATION} \\(0 applied now\\)`));
  });
});

describe('gatehouse admin create', { concurrency: true }, () => {
  it('creates an administrator with the password from standard input, hashed with argon2id', async (t) => {
    const { env, cleanup } = storeEnv();
    t.after(cleanup);
    const configPath = writeConfig(minimalConfig());
    const password = 'correct horse battery staple';
    const result = await runCli(['admin', 'create', '--email', 'Root@Example.com', '--name', 'Root', '--config', configPath], {
      input: `${password}\n`,
      env,
    });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^created admin root@example\.com \(id [0-9a-f-]{36}\)\n$/);
    assert.ok(!result.stdout.includes(password) && !result.stderr.includes(password), 'the password is never printed');

    const store = await openStore(loadConfig({ path: configPath, env: { ...process.env, ...env } }));
    try {
      const user = await store.users.findLocalByLogin('root@example.com');
      assert.ok(user);
      assert.equal(user.admin, true);
      assert.equal(user.name, 'Root');
      assert.match(user.passwordHash ?? '', /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      const audit = await store.audit.list({ type: 'user.created' });
      assert.equal(audit.items.length, 1);
      assert.equal(audit.items[0]?.userId, user.id);
    } finally {
      await store.close();
    }

    const again = await runCli(['admin', 'create', '--email', 'root@example.com', '--config', configPath], { input: `${password}\n`, env });
    assert.equal(again.code, 1);
    assert.equal(again.stderr, 'gatehouse: a user with email root@example.com already exists\n');
  });

  it('refuses a short password and an invalid email before touching the store', async () => {
    const configPath = writeConfig(minimalConfig());
    const short = await runCli(['admin', 'create', '--email', 'a@b.c', '--config', configPath], { input: 'short\n', env: { DATABASE_URL: '' } });
    assert.equal(short.code, 1);
    assert.equal(short.stderr, 'gatehouse: password must be at least 8 characters\n');
    const email = await runCli(['admin', 'create', '--email', 'not-an-email', '--config', configPath], { input: 'long enough pw\n' });
    assert.equal(email.code, 1);
    assert.match(email.stderr, /^gatehouse: --email: "not-an-email" is not an email address\n$/);
  });

  it('has no way to take the password as an argument', async () => {
    const result = await runCli(['admin', 'create', '--email', 'a@b.c', '--password', 'secret123']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /unknown option '--password'/);
  });
});
