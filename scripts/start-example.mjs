// `npm start`: the example setup, working end to end on the embedded store.
//  1. seeds the demo user and trusted clients (`gatehouse example`) and writes their fresh
//     credentials to data/example.env (mode 0600; they never go to the log);
//  2. runs a small echo service on 127.0.0.1:9090, the example API's upstream, which answers with
//     what it received (method, path, the identity headers Gatehouse added);
//  3. runs `gatehouse serve` with the example config until Ctrl-C.
//
// Stopping (issue 15): a TERM, INT or HUP to any of npm, this script or the server stops all
// three, so that nothing is left holding the ports and the store's lock:
//  - npm passes TERM and INT on to this script (the npm script `exec`s node, so there is no shell
//    in between to swallow them); HUP kills npm alone, which this script notices as a new parent;
//  - this script stops the server with TERM, waits for it to drain, closes the echo service and
//    exits. Repeats are ignored: Ctrl-C reaches npm and this script both, and npm passes it on;
//  - the server runs in a session of its own, so a terminal's signals reach it only through this
//    script, once; it stops on TERM, INT and HUP sent to it directly, and when this script is gone
//    (its IPC channel closes), and this script then exits with it.
// GATEHOUSE_DATA_DIR moves the store and example.env, EXAMPLE_UPSTREAM_PORT the echo service (0:
// any free port), and GATEHOUSE_PUBLIC_PORT / GATEHOUSE_PORTAL_PORT the listeners (the tests
// run it on free ports).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { buildIfStale, builtCli as cli } from './build-if-stale.mjs';

const root = path.resolve(path.dirname(cli), '../..');
const config = path.join(root, 'gatehouse.example.yaml');
const dataDir = process.env.GATEHOUSE_DATA_DIR || path.join(root, 'data');
const envFile = path.join(dataDir, 'example.env');
const upstreamPort = Number(process.env.EXAMPLE_UPSTREAM_PORT ?? 9090);
const publicPort = process.env.GATEHOUSE_PUBLIC_PORT || '8080';

if (!(await buildIfStale())) process.exit(1);

const seeded = spawnSync(process.execPath, [cli, 'example', '--config', config], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
if (seeded.status !== 0) process.exit(seeded.status ?? 1);
mkdirSync(dataDir, { recursive: true, mode: 0o700 });
writeFileSync(envFile, `${seeded.stdout}API_URL=http://127.0.0.1:${publicPort}/echo\n`, { mode: 0o600 });

const upstream = http.createServer((request, response) => {
  const identity = Object.fromEntries(Object.entries(request.headers).filter(([name]) => /^x-(authenticated|consumer|credential)-/.test(name)));
  response.setHeader('content-type', 'application/json');
  response.end(`${JSON.stringify({ method: request.method, path: request.url, identity }, null, 2)}\n`);
});
upstream.listen(upstreamPort, '127.0.0.1', () => {
  process.stderr.write(`echo upstream listening on http://127.0.0.1:${upstream.address().port}\n`);
});

process.stderr.write(
  `\nExample credentials (new at every start) are in ${path.relative(process.cwd(), envFile)}. In another shell:\n` +
    `  set -a; . ${path.relative(process.cwd(), envFile)}; set +a\n` +
    '  curl -d "grant_type=password&username=$DEMO_USERNAME&password=$DEMO_PASSWORD" -u "$CLIENT_ID:$CLIENT_SECRET" "$TOKEN_URL"\n\n',
);

const server = spawn(process.execPath, [cli, 'serve', '--config', config], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], detached: true });
let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  if (server.exitCode === null && server.signalCode === null) server.kill('SIGTERM');
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, stop);
// A parent that died (npm after a HUP) leaves this process to init or a subreaper.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) stop();
}, 250).unref();

server.on('exit', (code, signal) => {
  upstream.close();
  upstream.closeAllConnections();
  process.exit(code ?? (signal ? 1 : 0));
});
