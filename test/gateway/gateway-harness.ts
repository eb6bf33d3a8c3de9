import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after } from 'node:test';
import { WebSocketServer } from 'ws';
import type { Config } from '../../src/config/config.js';
import { minimalConfig } from '../support/config-files.js';
import { startTestGatehouse, testConfig } from '../support/gatehouse-instance.js';
import {
  createClient,
  createUser,
  fastHasher,
  passwordLogin,
  postForm,
  startOAuthGatehouse,
  type OAuthHarness,
  type TestClient,
  type TokenBody,
} from '../support/oauth-fixtures.js';

// A real upstream HTTP server that records what reached it, and a Gatehouse whose APIs point at
// it. Tokens are minted through the real token endpoint.

export interface ReceivedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface Upstream {
  readonly url: string;
  readonly received: ReceivedRequest[];
  /** Headers of WebSocket upgrades that reached the upstream. */
  readonly upgrades: IncomingHttpHeaders[];
}

function record(received: ReceivedRequest[], request: IncomingMessage, response: ServerResponse): void {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const body = Buffer.concat(chunks).toString();
    received.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
    response.writeHead(201, { 'content-type': 'application/json', 'x-upstream': 'yes' });
    response.end(JSON.stringify({ seen: request.url }));
  });
}

const STREAM_CHUNK = Buffer.alloc(64 * 1024, 's'); // 64 KiB

/** Writes STREAM_CHUNK after STREAM_CHUNK, with backpressure, until the response is closed. */
function streamForever(response: ServerResponse): void {
  response.writeHead(200, { 'content-type': 'application/octet-stream' });
  const pump = () => {
    while (!response.destroyed && response.write(STREAM_CHUNK));
  };
  response.on('drain', pump);
  pump();
}

export interface UpstreamControls {
  readonly server: Server;
  echoedBytes(): number;
  /** Requests that arrived and whose response has not closed yet. */
  open(): number;
}

/**
 * /hang never answers (504); /reset drops the connection (502); /echo streams the request body
 * back as it arrives, counting it; /stream answers 200 with a body that never ends; /slow?ms=N
 * answers 201 after N ms; /redirect?to=L answers 302 with Location L; anything else is recorded and answered 201 once its body has arrived.
 */
export async function startUpstream(): Promise<Upstream & UpstreamControls> {
  const received: ReceivedRequest[] = [];
  const upgrades: IncomingHttpHeaders[] = [];
  let echoed = 0;
  let open = 0;
  const server = createServer((request, response) => {
    open += 1;
    response.once('close', () => (open -= 1));
    const [path = '', query = ''] = (request.url ?? '').split('?');
    if (path.endsWith('/hang')) return;
    if (path.endsWith('/stream')) return streamForever(response);
    if (path.endsWith('/slow')) {
      const delay = Number(new URLSearchParams(query).get('ms') ?? '1000');
      return void setTimeout(() => record(received, request, response), delay);
    }
    if (path.endsWith('/reset')) return void request.socket.destroy();
    if (path.endsWith('/redirect')) {
      response.writeHead(302, { location: new URLSearchParams(query).get('to') ?? '/' });
      return void response.end();
    }
    if (path.endsWith('/echo')) {
      response.writeHead(200, { 'content-type': 'application/octet-stream' });
      request.on('data', (chunk: Buffer) => (echoed += chunk.length));
      request.pipe(response);
      return;
    }
    record(received, request, response);
  });
  const sockets = new WebSocketServer({ server });
  sockets.on('connection', (socket, request) => {
    upgrades.push(request.headers);
    socket.on('message', (data, binary) => socket.send(binary ? data : `echo: ${String(data)}`));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(async () => {
    for (const client of sockets.clients) client.terminate();
    sockets.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, received, upgrades, server, echoedBytes: () => echoed, open: () => open };
}

/** A port nothing listens on: listen, note it, close. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export const METERED_PLAN = { id: 'metered', name: 'Metered', rateLimit: { perMinute: 3, perHour: 100 } };

export async function gatewayRawConfig(upstream: string, options: { tokenCacheTtlMs?: number } = {}): Promise<Record<string, unknown>> {
  const raw = minimalConfig();
  const api = (id: string, extra: Record<string, unknown>) => ({ id, name: id, authMethods: ['local'], upstreamUrl: upstream, ...extra });
  raw.apis = [
    api('orders', {
      pathPrefix: '/orders',
      accessTokenLifetime: 900,
      scopes: [{ id: 'orders:read' }, { id: 'orders:write' }],
      plans: [{ id: 'default', name: 'Default' }, METERED_PLAN],
    }),
    // The prefix kept, below the upstream's own base path, and the client's Authorization passed on.
    api('billing', { pathPrefix: '/billing/v1', upstreamUrl: `${upstream}/base`, stripPrefix: false, forwardAuthorization: true }),
    api('reports', { pathPrefix: '/reports', upstreamTimeoutMs: 200 }),
    api('offline', { pathPrefix: '/offline', upstreamUrl: `http://127.0.0.1:${await closedPort()}` }),
  ];
  if (options.tokenCacheTtlMs !== undefined) raw.gateway = { tokenCache: { ttlMs: options.tokenCacheTtlMs } };
  return raw;
}

export interface GatewayHarness extends OAuthHarness {
  readonly upstream: Awaited<ReturnType<typeof startUpstream>>;
  readonly config: Config;
}

export async function startGateway(options: { tokenCacheTtlMs?: number } = {}): Promise<GatewayHarness> {
  const upstream = await startUpstream();
  const config = testConfig(await gatewayRawConfig(upstream.url, options));
  const harness = await startOAuthGatehouse({ config });
  return { ...harness, upstream, config };
}

export interface LoggedIn {
  readonly client: TestClient;
  readonly tokens: TokenBody;
  readonly userId: string;
}

/** A user, an approved trusted client of `apiId`, and a password-grant login through the token endpoint. */
export async function login(harness: OAuthHarness, apiId = 'orders'): Promise<LoggedIn> {
  const { user, login: name, password } = await createUser(harness);
  const client = await createClient(harness, { apiId });
  if (apiId === 'orders') return { client, tokens: await passwordLogin(harness, client, name, password), userId: user.id };
  const response = await postForm(
    harness,
    { grant_type: 'password', username: name, password, client_id: client.clientId, client_secret: client.clientSecret ?? '' },
    { url: `/auth/local/api/${apiId}/token` },
  );
  if (response.statusCode !== 200) throw new Error(`password grant failed: ${response.statusCode} ${response.body}`);
  return { client, tokens: response.json() as TokenBody, userId: user.id };
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** Why a two-instance test is skipped: it needs PostgreSQL and Redis to share; null when both are set. */
export const TWO_INSTANCES_SKIP =
  process.env.DATABASE_URL && process.env.REDIS_URL ? null : 'needs DATABASE_URL and REDIS_URL (two processes sharing a store)';

/**
 * Two Gatehouse processes' worth of state in one test process, sharing PostgreSQL and Redis, with
 * a token cache TTL of a minute: only the Redis fan-out can carry a revocation from A to B in time.
 */
export async function startTwoInstances() {
  const upstream = await startUpstream();
  const config = testConfig(await gatewayRawConfig(upstream.url, { tokenCacheTtlMs: 60_000 }));
  const passwords = fastHasher();
  const clock = Date.now();
  const a = await startTestGatehouse(config, { passwords, now: () => clock });
  const b = await startTestGatehouse(config, { passwords, now: () => clock });
  const harnessA: OAuthHarness = { gatehouse: a, store: a.services.store, passwords, advance: () => {}, now: () => clock };
  return { upstream, a, b, harnessA };
}
