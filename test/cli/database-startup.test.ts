import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { runCli, type CliResult } from '../support/cli-process.js';
import { minimalConfig, writeConfig } from '../support/config-files.js';

// Issue 13 item 16: `gatehouse serve` against a PostgreSQL that accepts TCP but never answers
// gives up after database.connectTimeoutMs with one line on stderr; a server that resets the
// connection gets one line too, never a stack trace, and never the URL's password.

const PASSWORD = 'db-s3cret-pw';

/** A TCP server standing in for PostgreSQL: `onConnection` decides what it does with each socket. */
async function fakeDatabase(onConnection: (socket: net.Socket) => void): Promise<number> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return (server.address() as AddressInfo).port;
}

/** Not a duration assertion: a start-up that never ends fails here instead of hanging the run. */
const HANG_LIMIT_MS = 90_000;

async function serveAgainst(port: number, schema: string | null): Promise<CliResult> {
  const raw = minimalConfig();
  raw.database = { connectTimeoutMs: 500 };
  const url = `postgres://gatehouse:${PASSWORD}@127.0.0.1:${port}/gatehouse`;
  const run = runCli(['serve', '--config', writeConfig(raw)], { env: { DATABASE_URL: url, DATABASE_SCHEMA: schema ?? '', REDIS_URL: '' } });
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`gatehouse serve still running after ${HANG_LIMIT_MS / 1000} s`)), HANG_LIMIT_MS);
  });
  try {
    return await Promise.race([run, hung]);
  } finally {
    clearTimeout(timer);
  }
}

function assertOneLine(result: CliResult, reason: RegExp): void {
  assert.equal(result.code, 1, `exit code; stderr: ${result.stderr}`);
  const lines = result.stderr.split('\n').filter(Boolean);
  assert.equal(lines.length, 1, `one line on stderr, got:\n${result.stderr}`);
  assert.match(lines[0] as string, /^gatehouse: cannot reach the database at 127\.0\.0\.1:\d+: /);
  assert.match(lines[0] as string, reason);
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  assert.ok(!result.stderr.includes(PASSWORD) && !result.stdout.includes(PASSWORD), 'the password never reaches the terminal');
}

// Each case has its own stand-in database and config: they run at once (issue 15).
describe('serve against a PostgreSQL that does not serve', { concurrency: true }, () => {
  for (const schema of [null, 'gatehouse_app']) {
    const variant = schema === null ? 'default schema' : 'own schema';

    it(`accepts TCP but never answers (${variant}): gives up after the connect timeout, one line`, async () => {
      const port = await fakeDatabase(() => {});
      assertOneLine(await serveAgainst(port, schema), /no connection within 500 ms/);
    });

    it(`resets every connection (${variant}): one line, no stack trace`, async () => {
      const port = await fakeDatabase((socket) => socket.resetAndDestroy());
      assertOneLine(await serveAgainst(port, schema), /connection (failed \(ECONNRESET\)|was closed)/);
    });
  }
});
