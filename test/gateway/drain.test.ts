import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { gatewayRawConfig, startUpstream } from './gateway-harness.js';
import { startServedGateway } from './serving-gateway.js';

// Issue 11, item 6: with a keep-alive client connected, SIGTERM waited out the whole drain
// timeout and exited 1, although the last request had ended long before: the response in flight
// still said keep-alive, and its connection stayed open after it. Now, during the drain, idle
// connections are closed at once, a response in flight carries `Connection: close` and its
// connection ends with it, and the process exits 0 as soon as that was the last one.

interface RawConnection {
  readonly socket: Socket;
  received(): string;
  readonly closed: Promise<void>;
}

function open(port: number, host: string): RawConnection {
  const socket = connect(port, host);
  socket.on('error', () => {});
  let data = '';
  socket.on('data', (chunk: Buffer) => (data += chunk.toString('latin1')));
  const closed = once(socket, 'close').then(() => undefined);
  return { socket, received: () => data, closed };
}

test('SIGTERM: idle keep-alive connections closed at once, the response in flight says Connection: close, exit 0 when it ends', async (t) => {
  const upstream = await startUpstream();
  const raw = await gatewayRawConfig(upstream.url);
  raw.shutdownTimeoutMs = 20_000; // far longer than the request in flight
  const gateway = await startServedGateway(raw, 1);
  const [client] = gateway.clients;
  assert.ok(client);
  const token = (await gateway.login(client)).access_token;
  const { hostname, port } = new URL(gateway.serving.publicUrl);
  const get = (path: string) => `GET ${path} HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: Bearer ${token}\r\n\r\n`;

  // A keep-alive connection that has had its answer and now sits idle.
  const idle = open(Number(port), hostname);
  idle.socket.write(get('/orders/x'));
  while (!/\r\n\r\n[^]*\}/.test(idle.received())) await sleep(20);
  assert.match(idle.received(), /^HTTP\/1\.1 201 /);
  assert.match(idle.received(), /connection: keep-alive/i);

  // A keep-alive connection whose request is in flight (the upstream answers after 1.5 s).
  const busy = open(Number(port), hostname);
  busy.socket.write(get('/orders/slow?ms=1500'));
  while (upstream.open() < 1) await sleep(20);

  const started = Date.now();
  const exited = gateway.serving.stop('SIGTERM');
  let idleClosedBeforeAnswer = false;
  void idle.closed.then(() => (idleClosedBeforeAnswer = busy.received() === ''));
  await busy.closed;
  const code = await exited;
  t.diagnostic(`exit ${code} after ${Date.now() - started} ms (shutdownTimeoutMs ${raw.shutdownTimeoutMs})`);

  assert.ok(idleClosedBeforeAnswer, 'the idle connection was not closed before the request in flight ended');
  assert.match(busy.received(), /^HTTP\/1\.1 201 /);
  assert.match(busy.received(), /\r\nconnection: close\r\n/i);
  assert.equal(code, 0);
  assert.doesNotMatch(gateway.serving.output(), /drain timed out/);
});
