import net from 'node:net';
import type { AddressInfo } from 'node:net';

// A TCP proxy of the test's own in front of a shared server (PostgreSQL), so that a test can make
// that server look stalled or down without touching it: `pause` stops forwarding bytes both ways
// (connections stay open, as with a frozen server or a black-holed network), `refuse` closes the
// listener and every connection (connection refused / reset), `resume` and `accept` undo them.

interface Pair {
  readonly client: net.Socket;
  readonly upstream: net.Socket;
}

export interface TcpProxy {
  readonly port: number;
  pause(): void;
  resume(): void;
  /** Stops listening and closes every proxied connection. */
  refuse(): Promise<void>;
  /** Listens again on the same port. */
  accept(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<Pair>();
  let paused = false;

  const forward = (from: net.Socket, to: net.Socket) => {
    from.on('data', (chunk: Buffer) => to.write(chunk));
    from.on('end', () => to.end());
    from.on('error', () => to.destroy());
    from.on('close', () => to.destroy());
  };

  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    const pair = { client, upstream };
    pairs.add(pair);
    client.on('close', () => pairs.delete(pair));
    forward(client, upstream);
    forward(upstream, client);
    if (paused) {
      client.pause();
      upstream.pause();
    }
  });

  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });

  await listen(0);
  const { port } = server.address() as AddressInfo;
  let listening = true;

  const closeListener = () =>
    new Promise<void>((resolve) => {
      if (!listening) return resolve();
      listening = false;
      server.close(() => resolve());
    });

  return {
    port,
    pause() {
      paused = true;
      for (const { client, upstream } of pairs) {
        client.pause();
        upstream.pause();
      }
    },
    resume() {
      paused = false;
      for (const { client, upstream } of pairs) {
        client.resume();
        upstream.resume();
      }
    },
    async refuse() {
      const closed = closeListener();
      for (const { client, upstream } of pairs) {
        client.destroy();
        upstream.destroy();
      }
      await closed;
    },
    async accept() {
      if (listening) return;
      await listen(port);
      listening = true;
    },
    async close() {
      paused = false;
      for (const { client, upstream } of pairs) {
        client.destroy();
        upstream.destroy();
      }
      await closeListener();
    },
  };
}

/** A URL that reaches `url`'s database through the proxy on 127.0.0.1:`port`. */
export function throughProxy(url: string, port: number): string {
  const parsed = new URL(url);
  parsed.hostname = '127.0.0.1';
  parsed.port = String(port);
  return parsed.toString();
}
