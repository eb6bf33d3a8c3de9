import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { gatewayRawConfig, startUpstream } from './gateway-harness.js';
import { startServedGateway } from './serving-gateway.js';

// Issue 11, item 1: 140 hostile clients of one application against a real `gatehouse serve`
// (the API's pool: 128 connections, the default). Before the fix they took the whole pool and
// every other application's requests hung. Now each application holds at most its plan's share
// of the pool (a quarter by default), a stalled body gets 408 and a response nobody reads is
// cut after the idle timeout, and everything they held comes back.
//
// Both attacks run at once, by two applications, against one process: 140 bodies that stall and
// 140 downloads nobody reads, with a bystander application measured before and during them. Each
// attack's end waits out the idle timeout, and run one after the other they waited it out twice
// (28 s of the suite's CI run, alone after the other files: scripts/run-tests.mjs).

const HOSTILE = 140;
const SAMPLES = 400; // per phase: the p99 is the 4th-worst
const IDLE_TIMEOUT_MS = 8_000; // long enough to measure the other application while they stall

const upstream = await startUpstream();
const raw = await gatewayRawConfig(upstream.url);
(raw.listeners as { public: Record<string, unknown> }).public.idleTimeoutMs = IDLE_TIMEOUT_MS;
const gateway = await startServedGateway(raw, 3);
const [bodiesClient, downloadsClient, otherClient] = gateway.clients;
assert.ok(bodiesClient && downloadsClient && otherClient);
const bodiesToken = (await gateway.login(bodiesClient)).access_token;
const downloadsToken = (await gateway.login(downloadsClient)).access_token;
const otherToken = (await gateway.login(otherClient)).access_token;
const { hostname, port } = new URL(gateway.serving.publicUrl);

/**
 * `count` sequential GETs of the other application over one keep-alive connection; latencies in
 * ms. A request still unanswered after 30 s counts as a failure (a hung API); a slow one on this
 * shared machine only as its latency.
 */
async function measure(count: number): Promise<{ latencies: number[]; failures: string[] }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const latencies: number[] = [];
  const failures: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const started = performance.now();
    const status = await new Promise<number | string>((resolve) => {
      const req = request(
        { host: hostname, port, path: '/orders/x', agent, headers: { authorization: `Bearer ${otherToken}` }, signal: AbortSignal.timeout(30_000) },
        (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode ?? 0));
        },
      );
      req.on('error', (error) => resolve(error.message));
      req.end();
    });
    latencies.push(performance.now() - started);
    if (status !== 201) failures.push(String(status));
    if (failures.length >= 3) break; // a hung API: no need to wait out every sample
  }
  agent.destroy();
  return { latencies: latencies.sort((a, b) => a - b), failures };
}

const p99 = (sorted: number[]) => sorted[Math.ceil(sorted.length * 0.99) - 1] ?? Infinity;

interface Hostile {
  readonly socket: Socket;
  /** The status line's code of the first response, once read; the connection's end. */
  readonly status: Promise<number | null>;
  /** Whether `status` has settled. */
  answered(): boolean;
  readonly closed: Promise<void>;
}

/** A raw connection that sends `head` (and `body`), reads the first chunk of the answer, and then `reads` or not. */
function hostile(head: string, options: { readsOn: boolean }): Hostile {
  const socket = connect(Number(port), hostname);
  socket.on('error', () => {});
  socket.write(head);
  let received = '';
  let answered = false;
  const status = new Promise<number | null>((resolve) => {
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      const match = /^HTTP\/1\.1 (\d{3})/.exec(received);
      if (match) resolve(Number(match[1]));
      if (!options.readsOn) socket.pause();
    });
    socket.on('close', () => resolve(null));
  }).finally(() => (answered = true));
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  return { socket, status, answered: () => answered, closed };
}

async function untilUpstreamSees(path: string, open: number, withinMs: number): Promise<number> {
  const deadline = Date.now() + withinMs;
  while (upstream.open(path) !== open && Date.now() < deadline) await sleep(50);
  return upstream.open(path);
}

const BODY_PATH = '/upload';
const DOWNLOAD_PATH = '/stream';
const bodyHead =
  `POST /orders${BODY_PATH} HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: Bearer ${bodiesToken}\r\n` +
  'Content-Type: application/octet-stream\r\nContent-Length: 1000000\r\n\r\nx';
const downloadHead = `GET /orders${DOWNLOAD_PATH} HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: Bearer ${downloadsToken}\r\n\r\n`;

/**
 * The other application's idle p99, then its p99 while both attacks run. Measured once, before
 * the tests, so that both attacks' idle timeouts run out together.
 */
async function underAttack() {
  await measure(50); // warm-up: JIT, connections, token cache
  const idle = await measure(SAMPLES);
  const bodies = Array.from({ length: HOSTILE }, () => hostile(bodyHead, { readsOn: true }));
  const downloads = Array.from({ length: HOSTILE }, () => hostile(downloadHead, { readsOn: false }));
  // Every hostile request has reached Gatehouse: refused ones are answered, admitted downloads
  // are answered and stream, admitted bodies hold their upstream request (and are answered 408
  // only at the idle timeout). A bound, not a check: the tests check the statuses.
  const settled = () =>
    downloads.every((h) => h.answered()) && bodies.filter((h) => !h.answered()).length === upstream.open(BODY_PATH);
  for (const deadline = Date.now() + 3_000; !settled() && Date.now() < deadline; ) await sleep(20);
  const loaded = await measure(SAMPLES);
  return { bodies, downloads, idle: idle.latencies, loaded: loaded.latencies, failures: [...idle.failures, ...loaded.failures] };
}

const attack = await underAttack();
const report = `idle p99 ${p99(attack.idle).toFixed(1)} ms (p50 ${attack.idle[attack.idle.length >> 1]?.toFixed(1)}), under attack p99 ${p99(attack.loaded).toFixed(1)} ms (p50 ${attack.loaded[attack.loaded.length >> 1]?.toFixed(1)})`;

describe('140 hostile clients of one application against a real gatehouse process', () => {
  test('bodies that stop after one byte: 408 or refused, and the other application is not slowed', async (t) => {
    const { bodies, idle, loaded, failures } = attack;
    t.diagnostic(`stalled bodies and unread downloads: ${report}`);
    assert.deepEqual(failures, [], 'the other application got errors');
    assert.ok(p99(loaded) <= 2 * p99(idle), `stalled bodies and unread downloads: ${report}`);

    await Promise.all(bodies.map((h) => h.closed));
    const statuses = await Promise.all(bodies.map((h) => h.status));
    const count = (code: number) => statuses.filter((s) => s === code).length;
    assert.equal(count(408) + count(429) + count(503), HOSTILE, `statuses: ${statuses.join(' ')}`);
    assert.ok(count(408) >= 1 && count(408) <= 32, `${count(408)} stalled requests were admitted (the share is 32)`);
    assert.equal(await untilUpstreamSees(BODY_PATH, 0, 10_000), 0, 'upstream requests still open after the 408s');
    // Its share is back: the hostile application is served again.
    const again = await fetch(`${gateway.serving.publicUrl}/orders/x`, { headers: { authorization: `Bearer ${bodiesToken}` } });
    assert.equal(again.status, 201);
  });

  test('downloads that are never read: cut after the idle timeout, and the other application is not slowed', async (t) => {
    const { downloads, idle, loaded, failures } = attack;
    t.diagnostic(`stalled bodies and unread downloads: ${report}`);
    assert.deepEqual(failures, [], 'the other application got errors');
    assert.ok(p99(loaded) <= 2 * p99(idle), `stalled bodies and unread downloads: ${report}`);

    const statuses = await Promise.all(downloads.map((h) => h.status));
    const count = (code: number) => statuses.filter((s) => s === code).length;
    assert.ok(count(200) >= 1 && count(200) <= 32, `${count(200)} downloads were admitted (the share is 32)`);
    assert.equal(count(200) + count(429) + count(503), HOSTILE, `statuses: ${statuses.join(' ')}`);
    // The upstream responses are aborted once the clients have not read for the idle timeout.
    assert.equal(await untilUpstreamSees(DOWNLOAD_PATH, 0, IDLE_TIMEOUT_MS + 10_000), 0, 'upstream streams still open');
    for (const h of downloads) h.socket.destroy();
    const again = await fetch(`${gateway.serving.publicUrl}/orders/x`, { headers: { authorization: `Bearer ${downloadsToken}` } });
    assert.equal(again.status, 201);
  });
});
