// `npm run bench` (about 10 minutes) and `npm run bench:smoke` (every scenario for a second, tiny
// data, no target checks). Gatehouse runs as `node dist/cli/main.js serve` in its own process;
// the upstream, the bare proxy, raw argon2 and the password flood each in theirs.
// Writes bench/results/latest.json and BENCHMARKS.md (smoke: a JSON file in the temp directory).
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeMachine } from './lib/machine.mjs';
import { writeReport } from './report.mjs';
import { gateway, isolation, isolationOneHashThread, passwordGrant, rawArgon2, startListener, storeRun, withCpu } from './scenarios.mjs';

const smoke = process.argv.includes('--smoke');
const machine = describeMachine();
const settings = {
  mode: smoke ? 'smoke' : 'full',
  seconds: smoke ? 1 : 10,
  argon2Seconds: smoke ? 1 : 5, // each of the raw argon2id runs, before and after the password grants
  warmUpSeconds: smoke ? 0 : 2, // unrecorded load on a fresh process before its first measurement
  floodLeadSeconds: smoke ? 0.3 : 1, // the password flood starts this long before the gateway is measured
  threadpool: machine.uvThreadpoolSize,
  refreshConnections: 16,
  gatewayConnections: 32,
  moderateConnections: 8,
  moderateRate: smoke ? 200 : 1_000, // requests/s
  refreshPool: smoke ? 5_000 : 60_000, // pre-minted refresh tokens; more than one run can consume
  smallFamilies: 1_000,
  largeFamilies: smoke ? 2_000 : 1_000_000,
  postgresLargeFamilies: smoke ? 2_000 : Number(process.env.BENCH_PG_LARGE ?? 1_000_000),
  startupRuns: smoke ? 1 : 3,
  databaseUrl: process.env.DATABASE_URL || null,
};

const started = performance.now();
const log = (message) => console.log(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s] ${message}`);
const loadAverage = () => os.loadavg().map((l) => l.toFixed(2)).join(' / ');
const results = { loadAverage: { start: loadAverage() }, date: new Date().toISOString(), machine, settings: { ...settings, databaseUrl: settings.databaseUrl ? 'set' : null } };

const upstream = await startListener('upstream.mjs');
const bareProxy = await startListener('bare-proxy.mjs', [upstream.url]);
try {
  log(`SQLite, ${settings.smallFamilies} live token families: gateway, refresh, password grant, gateway vs bare proxy, isolation, start-up`);
  results.sqliteSmall = await storeRun(settings, {
    store: 'sqlite',
    families: settings.smallFamilies,
    upstream,
    extra: async (gatehouse, pid) => {
      // Raw argon2id right before and right after the password grants: this machine's speed drifts.
      log('password grant, with raw argon2id before and after');
      const rawBefore = await rawArgon2(settings);
      const password = await withCpu(pid, () => passwordGrant(settings, gatehouse));
      const rawAfter = await rawArgon2(settings);
      results.argon2Raw = { ...rawBefore, perSecond: (rawBefore.perSecond + rawAfter.perSecond) / 2, before: rawBefore.perSecond, after: rawAfter.perSecond };
      log('gateway vs direct vs bare proxy');
      const gw = await gateway(settings, gatehouse, upstream, bareProxy, pid);
      log('isolation');
      return { passwordGrant: password, gatewayComparison: gw, isolation: await isolation(settings, gatehouse) };
    },
  });
  log('isolation again, Gatehouse with UV_THREADPOOL_SIZE=1');
  results.isolationOneHashThread = await isolationOneHashThread(settings, upstream);
  log(`SQLite, ${settings.largeFamilies} live token families`);
  results.sqliteLarge = await storeRun(settings, { store: 'sqlite', families: settings.largeFamilies, upstream, coldSpread: true });

  if (settings.databaseUrl) {
    log(`PostgreSQL, ${settings.smallFamilies} live token families`);
    results.postgresSmall = await storeRun(settings, { store: 'postgres', families: settings.smallFamilies, upstream });
    log(`PostgreSQL, ${settings.postgresLargeFamilies} live token families`);
    results.postgresLarge = await storeRun(settings, { store: 'postgres', families: settings.postgresLargeFamilies, upstream, coldSpread: true });
  } else {
    log('DATABASE_URL not set: PostgreSQL scenarios skipped');
  }
} finally {
  await Promise.allSettled([bareProxy.stop(), upstream.stop()]);
}
results.loadAverage.end = loadAverage();
results.totalSeconds = Math.round((performance.now() - started) / 1000);

/** Every load run must have had 2xx answers: a scenario that only produced errors did not run. */
function emptyRuns(value, where = 'results') {
  if (value === null || typeof value !== 'object') return [];
  if ('ok' in value && 'perSecond' in value) return value.ok > 0 ? [] : [where];
  return Object.entries(value).flatMap(([key, child]) => emptyRuns(child, `${where}.${key}`));
}

const empty = emptyRuns(results);
if (empty.length > 0) {
  const file = path.join(os.tmpdir(), `gatehouse-bench-failed-${process.pid}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  console.error(`bench: no successful requests in ${empty.join(', ')} (results in ${file})`);
  process.exit(1);
}

if (smoke) {
  const file = path.join(os.tmpdir(), `gatehouse-bench-smoke-${process.pid}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  log(`smoke run complete: every scenario ran (${file})`);
} else {
  const dir = new URL('./results/', import.meta.url).pathname;
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  const report = writeReport(results, new URL('../BENCHMARKS.md', import.meta.url).pathname);
  for (const t of report.targets) log(`${t.met === null ? 'n/a ' : t.met ? 'MET ' : 'MISS'} ${t.name}: ${t.value} (target ${t.target})`);
  log('wrote bench/results/latest.json and BENCHMARKS.md');
}
process.exit(0);
