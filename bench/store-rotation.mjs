// Store-level cost of the refresh rotation, without HTTP: a prepared SQLite store (as the bench
// prepares it), then `rotateRefreshToken` for `--count` tokens, `--concurrency` at a time, on the
// built store of each `--roots` tree in turn (interleaved rounds, each on a fresh copy of the same
// data). Prints CPU µs per rotation (process user+sys) and rotations/s per build, medians.
// `--families N`: the store holds N live families, the rotated tokens spread evenly over them
// (default: just the `--count` rotated).
// Usage: node bench/store-rotation.mjs --roots DIR[,DIR…] [--count 20000] [--families N] [--concurrency 16] [--rounds 3] [--cpu-prof DIR]
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { execFileSync } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { inTurn, median } from './lib/rounds.mjs';

const argv = process.argv.slice(2);
const option = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
const roots = option('--roots', '.').split(',').map((r) => path.resolve(r));
const count = Number(option('--count', '20000'));
const concurrency = Number(option('--concurrency', '16'));
const rounds = Number(option('--rounds', '3'));
const families = Number(option('--families', String(count + 10)));
const stride = Math.max(1, Math.floor(families / count));
const profileDir = option('--cpu-prof');
const sha256 = (value) => createHash('sha256').update(value, 'utf8').digest('hex');

if (argv.includes('--child')) {
  const dataDir = option('--data');
  const prefix = option('--prefix');
  const ids = JSON.parse(option('--ids'));
  const root = roots[0];
  const { openSqliteStore } = await import(pathToFileURL(path.join(root, 'dist/store/sqlite.js')).href);
  const store = await openSqliteStore({ dataDir });
  const holder = { subscriptionId: ids.subscriptionId, apiId: 'bench', authMethod: 'local' };
  let next = 0;
  const DAY = 86_400_000;
  async function worker() {
    while (next < count) {
      const i = next++;
      const now = Date.now();
      const pair = {
        accessToken: { hash: sha256(`${prefix}na${i}`), expiresAt: now + 3_600_000 },
        refreshToken: { hash: sha256(`${prefix}nr${i}`), expiresAt: now + DAY },
      };
      const result = await store.tokens.rotateRefreshToken(sha256(`${prefix}r${i * stride}`), pair, now, holder);
      if (result.outcome !== 'rotated') throw new Error(`token ${i}: ${result.outcome}`);
    }
  }
  // The event loop's stalls: a commit, or a checkpoint the store's connection finishes.
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  delay.disable();
  await store.close();
  console.log(JSON.stringify({ micros: (used.user + used.system) / count, perSecond: count / seconds, stallMaxMs: delay.max / 1e6 }));
  process.exit(0);
}

const { prepareGatehouse } = await import('./lib/gatehouse.mjs');
const prepared = await prepareGatehouse({ store: 'sqlite', upstreamUrl: 'http://127.0.0.1:9', families: Math.max(families, count + 10) });
const dataDir = path.join(path.dirname(prepared.file), 'data');
const BetterSqlite3 = (await import('better-sqlite3')).default;
const db = new BetterSqlite3(path.join(dataDir, 'gatehouse.db'), { readonly: true });
const ids = db.prepare("select s.id as subscriptionId from subscriptions s where s.client_id = ?").get(prepared.credentials.confidentialClientId);
db.close();
const figures = new Map(roots.map((r) => [r, []]));
for (let i = 0; i < rounds; i++) {
  for (const root of inTurn(roots, i)) {
    const copy = mkdtempSync(path.join(os.tmpdir(), 'rotation-'));
    cpSync(dataDir, copy, { recursive: true });
    const out = execFileSync(process.execPath, [...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${path.basename(root)}-${i}.cpuprofile`] : []), new URL(import.meta.url).pathname, '--child', '--roots', root, '--data', copy, '--prefix', prepared.prefix,
      '--ids', JSON.stringify(ids), '--count', String(count), '--families', String(families), '--concurrency', String(concurrency)], { encoding: 'utf8' });
    rmSync(copy, { recursive: true, force: true });
    const figure = JSON.parse(out.trim().split('\n').at(-1));
    figures.get(root).push(figure);
    console.log(`round ${i} ${root}: ${Math.round(figure.micros)} µs/rotation, ${Math.round(figure.perSecond)}/s, longest event-loop stall ${Math.round(figure.stallMaxMs)} ms`);
  }
}
for (const [root, runs] of figures) {
  console.log(`${root}: median ${Math.round(median(runs.map((r) => r.micros)))} µs/rotation, ${Math.round(median(runs.map((r) => r.perSecond)))}/s, longest stall ${Math.round(median(runs.map((r) => r.stallMaxMs)))} ms`);
}
rmSync(path.dirname(prepared.file), { recursive: true, force: true });
