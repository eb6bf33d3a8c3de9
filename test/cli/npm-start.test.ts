import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { runCli } from '../support/cli-process.js';
import { scratchDir } from '../support/config-files.js';
import { allGone, isListening, isRunning, startNpm, type NpmStart } from '../support/npm-start.js';
import { DATABASE_URL, freshSchema } from '../support/postgres.js';

// Issue 15: `kill -TERM <npm start>` left the example script and the server running, holding the
// ports and the embedded store's lock, so the next `npm start` failed. A TERM, INT or HUP to any
// process of `npm start` now stops them all: real npm, real signals, real ports.

function exampleEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { GATEHOUSE_DATA_DIR: scratchDir('gatehouse-npm-start-'), DATABASE_URL: '', GATEHOUSE_LOG_LEVEL: 'info' };
  if (DATABASE_URL) {
    const schema = freshSchema(DATABASE_URL);
    after(schema.drop);
    Object.assign(env, { DATABASE_URL, DATABASE_SCHEMA: schema.name });
  }
  return env;
}

async function assertStoppedCleanly(started: NpmStart, env: NodeJS.ProcessEnv): Promise<void> {
  const { npm, script, server } = started.pids;
  assert.ok(await allGone([npm, script, server]), `still running: ${[npm, script, server].filter(isRunning).join(', ')}\n${started.output()}`);
  for (const port of started.ports) assert.equal(await isListening(port), false, `port ${port} is released`);
  assert.match(started.output(), /"msg":"stopped"/, 'the server drained and closed its store');
  // The store is free again: the embedded store's lock went with the server.
  const migrate = await runCli(['migrate', '--config', 'gatehouse.example.yaml'], { env });
  assert.equal(migrate.code, 0, migrate.stderr);
}

describe('npm start stops as a whole', { concurrency: 3 }, () => {
  // SIGTERM to npm is the last case's second start: each `npm start` costs seconds of CPU.
  const cases = [
    ['npm', 'SIGHUP'],
    ['script', 'SIGINT'],
    ['server', 'SIGHUP'],
  ] as const;
  for (const [target, signal] of cases) {
    it(`${signal} to ${target === 'script' ? 'scripts/start-example.mjs' : target === 'npm' ? 'npm' : 'the server'} stops npm, the script and the server`, async () => {
      const env = exampleEnv();
      const started = await startNpm(env);
      process.kill(started.pids[target], signal);
      await assertStoppedCleanly(started, env);
    });
  }

  it('Ctrl-C (SIGINT to the process group) stops it; the next npm start works on the same data, and SIGTERM to npm stops it', async () => {
    const env = exampleEnv();
    const first = await startNpm(env);
    process.kill(-first.pids.npm, 'SIGINT');
    await assertStoppedCleanly(first, env);
    assert.doesNotMatch(first.output(), /second signal/, 'the server saw one signal, not the terminal\'s and the script\'s');

    const second = await startNpm(env);
    process.kill(second.pids.npm, 'SIGTERM');
    await assertStoppedCleanly(second, env);
  });
});
