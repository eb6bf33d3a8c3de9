import assert from 'node:assert/strict';
import { EventEmitter, once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, test } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { loadConfig } from '../../src/config/load-config.js';
import { openStore } from '../../src/store/open-store.js';
import { startServe } from '../support/cli-process.js';
import { minimalConfig, writeConfig } from '../support/config-files.js';
import { createClient, createUser, fastHasher } from '../support/oauth-fixtures.js';
import { DATABASE_URL, freshSchema } from '../support/postgres.js';

// WebSocket backpressure, measured on a real `gatehouse serve` process (its RSS, from /proc): a
// client that stops reading while the upstream offers 1 GiB in 1 MiB messages, and an upstream
// that stops reading while the client offers as much. Gatehouse must stop reading the producer
// instead of queueing for the non-reader: its RSS grows by less than 50 MiB, and the non-reader,
// over the bound (1 MiB) for longer than stallTimeoutMs (1 s), is closed with 1008.

const MESSAGE = Buffer.alloc(1024 * 1024, 'm'); // 1 MiB
const OFFERED = 1024 * MESSAGE.length; // 1 GiB
const RSS_GROWTH_BOUND = 50 * 1024 * 1024; // 50 MiB

function rss(pid: number): number {
  const kilobytes = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kilobytes) * 1024;
}

interface Flood {
  offered: number;
}

/** 1 MiB messages until OFFERED or the socket closes; this process itself queues at most ~4 MiB. */
async function flood(socket: WebSocket, flood: Flood): Promise<void> {
  const closed = once(socket, 'close');
  while (flood.offered < OFFERED && socket.readyState === WebSocket.OPEN) {
    const written = new Promise<void>((resolve) => socket.send(MESSAGE, () => resolve()));
    flood.offered += MESSAGE.length;
    if (socket.bufferedAmount > 4 * MESSAGE.length) await Promise.race([written, closed]);
    // While the kernel takes every write at once, nothing else in this process would run.
    else await new Promise(setImmediate);
  }
}

/** The largest RSS growth over `baseline` until `done()`, or until it passes the bound. */
async function peakGrowth(pid: number, baseline: number, done: () => boolean): Promise<number> {
  let peak = 0;
  while (!done() && peak <= RSS_GROWTH_BOUND) {
    peak = Math.max(peak, rss(pid) - baseline);
    await sleep(50);
  }
  return peak;
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

describe('WebSocket backpressure in a real Gatehouse process', async () => {
  // The upstream: /flood offers 1 GiB to whoever connects, /sink never reads, /echo echoes. Each
  // arrival is announced under its path, with what was offered on it.
  const arrivals = new EventEmitter();
  const http = createServer();
  const upstream = new WebSocketServer({ server: http });
  upstream.on('connection', (socket, request) => {
    const path = request.url ?? '';
    const offered: Flood = { offered: 0 };
    arrivals.emit(path, socket, offered);
    if (path === '/flood') void flood(socket, offered);
    else if (path === '/sink') socket.pause();
    else socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  after(() => {
    for (const socket of upstream.clients) socket.terminate();
    upstream.close();
    http.close();
  });

  const raw = minimalConfig();
  const [orders] = raw.apis as Record<string, unknown>[];
  const websocket = { maxMessageBytes: MESSAGE.length, maxBufferedBytes: 1024 * 1024, stallTimeoutMs: 1000 };
  raw.apis = [{ ...orders, upstreamUrl: `http://127.0.0.1:${(http.address() as AddressInfo).port}`, websocket }];
  const env: NodeJS.ProcessEnv = { DATABASE_URL: '' };
  if (DATABASE_URL) {
    const schema = freshSchema(DATABASE_URL);
    after(schema.drop);
    Object.assign(env, { DATABASE_URL, DATABASE_SCHEMA: schema.name });
  }
  const configPath = writeConfig(raw);
  // A user and a client made in the store before the process holds it, then a real login.
  const store = await openStore(loadConfig({ path: configPath, env: { ...process.env, ...env } }));
  const fixtures = { store, passwords: fastHasher(), now: Date.now };
  const { login, password } = await createUser(fixtures);
  const client = await createClient(fixtures);
  await store.close();
  const gatehouse = await startServe(configPath, env);
  after(() => gatehouse.stop());
  const granted = await fetch(`${gatehouse.publicUrl}/auth/local/api/orders/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'password', username: login, password, client_id: client.clientId, client_secret: client.clientSecret ?? '' }),
  });
  assert.equal(granted.status, 200);
  const { access_token: accessToken } = (await granted.json()) as { access_token: string };
  const connect = async (path: string) => {
    const socket = new WebSocket(`${gatehouse.publicUrl.replace('http', 'ws')}/orders${path}`, { headers: { authorization: `Bearer ${accessToken}` } });
    await once(socket, 'open');
    return socket;
  };

  /** RSS once the WebSocket path of the process has been used (so that its code is loaded). */
  async function warmBaseline(): Promise<number> {
    const socket = await connect('/echo');
    socket.send(MESSAGE);
    await once(socket, 'message');
    socket.close();
    await once(socket, 'close');
    return rss(gatehouse.pid);
  }

  test('a client that stops reading: 1 GiB offered by the upstream, RSS + < 50 MiB, the client closed with 1008', async (t) => {
    const baseline = await warmBaseline();
    const arrival = once(arrivals, '/flood') as Promise<[WebSocket, Flood]>;
    const socket = await connect('/flood');
    socket.pause(); // its TCP receive window fills; nothing is read any more
    const [upstreamSide, flooding] = await arrival;
    const upstreamClosed = once(upstreamSide, 'close') as Promise<[number, Buffer]>;
    let upstreamDone = false;
    void upstreamClosed.then(() => (upstreamDone = true));
    const peak = await peakGrowth(gatehouse.pid, baseline, () => upstreamDone || flooding.offered >= OFFERED);
    const offered = flooding.offered;
    t.diagnostic(`RSS ${mib(baseline)} + at most ${mib(peak)}; the upstream got ${mib(offered)} out`);
    try {
      assert.ok(peak < RSS_GROWTH_BOUND, `Gatehouse grew by ${mib(peak)} while ${mib(offered)} were offered`);
      assert.ok(upstreamDone, `the link was still open after ${mib(offered)} offered`);
      const [upstreamCode] = await upstreamClosed;
      assert.equal(upstreamCode, 1008);
      // Reading again, the client gets what was queued for it, then the close.
      const clientClosed = once(socket, 'close') as Promise<[number, Buffer]>;
      socket.resume();
      const [code, reason] = await clientClosed;
      assert.equal(code, 1008);
      assert.equal(String(reason), 'client did not read its messages in time');
    } finally {
      socket.terminate();
    }
  });

  test('an upstream that stops reading: 1 GiB offered by the client, RSS + < 50 MiB, both closed with 1008', async (t) => {
    const baseline = await warmBaseline();
    const socket = await connect('/sink');
    const clientClosed = once(socket, 'close') as Promise<[number, Buffer]>;
    const offered: Flood = { offered: 0 };
    const flooding = flood(socket, offered);
    const peak = await peakGrowth(gatehouse.pid, baseline, () => socket.readyState !== WebSocket.OPEN || offered.offered >= OFFERED);
    t.diagnostic(`RSS ${mib(baseline)} + at most ${mib(peak)}; the client got ${mib(offered.offered)} out`);
    try {
      assert.ok(peak < RSS_GROWTH_BOUND, `Gatehouse grew by ${mib(peak)} while ${mib(offered.offered)} were offered`);
      const [code, reason] = await clientClosed;
      assert.equal(code, 1008);
      assert.equal(String(reason), 'upstream did not read its messages in time');
      await flooding;
      assert.ok(offered.offered < OFFERED / 10, `${mib(offered.offered)} were taken from the client`);
    } finally {
      socket.terminate();
    }
  });
});
