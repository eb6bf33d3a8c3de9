// `npm start`: the example setup, working end to end on the embedded store.
//  1. seeds the demo user and trusted clients (`gatehouse example`) and writes their fresh
//     credentials to data/example.env (mode 0600; they never go to the log);
//  2. runs a small echo service on 127.0.0.1:9090, the example API's upstream, which answers with
//     what it received (method, path, the identity headers Gatehouse added);
//  3. runs `gatehouse serve` with the example config until Ctrl-C.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'dist/cli/main.js');
const config = path.join(root, 'gatehouse.example.yaml');
const envFile = path.join(root, 'data/example.env');

const seeded = spawnSync(process.execPath, [cli, 'example', '--config', config], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
if (seeded.status !== 0) process.exit(seeded.status ?? 1);
mkdirSync(path.dirname(envFile), { recursive: true, mode: 0o700 });
writeFileSync(envFile, `${seeded.stdout}API_URL=http://127.0.0.1:8080/echo\n`, { mode: 0o600 });

const upstream = http.createServer((request, response) => {
  const identity = Object.fromEntries(Object.entries(request.headers).filter(([name]) => /^x-(authenticated|consumer|credential)-/.test(name)));
  response.setHeader('content-type', 'application/json');
  response.end(`${JSON.stringify({ method: request.method, path: request.url, identity }, null, 2)}\n`);
});
upstream.listen(9090, '127.0.0.1');

process.stderr.write(
  `\nExample credentials (new at every start) are in ${path.relative(process.cwd(), envFile)}. In another shell:\n` +
    `  set -a; . ${path.relative(process.cwd(), envFile)}; set +a\n` +
    '  curl -d "grant_type=password&username=$DEMO_USERNAME&password=$DEMO_PASSWORD" -u "$CLIENT_ID:$CLIENT_SECRET" "$TOKEN_URL"\n\n',
);

const server = spawn(process.execPath, [cli, 'serve', '--config', config], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal));
server.on('exit', (code) => {
  upstream.close();
  process.exit(code ?? 1);
});
