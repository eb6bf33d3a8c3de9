// Where a password grant's CPU goes, against raw argon2id's per verification (issue 12): rounds
// of raw argon2id (its own process, concurrency 2) and password grants over many accounts,
// interleaved R G R G …, each grant round split by thread of the Gatehouse process (the event
// loop, the hashing threads — told apart by their nice value —, the rest), the PostgreSQL backends
// serving Gatehouse's pool (found by their client ports) and this process (the load generator).
// CPU µs per operation does not move with the neighbours the way req/s does on a shared machine.
// Usage: [DATABASE_URL=…] password-cpu.mjs [rounds] [seconds] [--cpu-prof DIR] [--gatehouse-root DIR] [--nice N]
// (--nice: the hashing threads' passwordHashing.niceIncrement, else the config's default).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { parse, stringify } from 'yaml';
import { load, passwordGrantRequests } from './lib/load.mjs';
import { startChild, waitForOutput } from './lib/children.mjs';
import { prepareGatehouse, serve } from './lib/gatehouse.mjs';
import { startListener } from './scenarios.mjs';
import { median } from './lib/rounds.mjs';

const argv = process.argv.slice(2);
const option = (name) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const positional = argv.filter((a, i) => !a.startsWith('--') && !argv[i - 1]?.startsWith('--'));
const rounds = Number(positional[0] ?? 3);
const seconds = Number(positional[1] ?? 5);
const profileDir = option('--cpu-prof');
const root = path.resolve(option('--gatehouse-root') ?? new URL('../', import.meta.url).pathname);
const concurrency = Number(option('--connections') ?? 8);
const databaseUrl = process.env.DATABASE_URL || null;
const store = databaseUrl ? 'postgres' : 'sqlite';
const here = (file) => new URL(file, import.meta.url).pathname;

function ticks(file) {
  try {
    const stat = readFileSync(file, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // schedstat's first field: nanoseconds on a CPU (stat's user + sys are in 10 ms ticks).
    const ns = Number(readFileSync(file.replace(/stat$/, 'schedstat'), 'utf8').split(' ')[0]);
    return { cpu: ns / 1e9, nice: Number(f[16]) };
  } catch {
    return { cpu: 0, nice: 0 };
  }
}

/** CPU seconds by thread class of `pid`: main (the event loop: tid = pid), hashing (niced), other. */
function threadsOf(pid) {
  const out = { main: 0, hashing: 0, other: 0 };
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const t = ticks(`/proc/${pid}/task/${tid}/stat`);
    const kind = Number(tid) === pid ? 'main' : t.nice > 0 ? 'hashing' : 'other';
    out[kind] += t.cpu;
    if (kind === 'other') {
      const name = `other ${readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim()}`;
      out[name] = (out[name] ?? 0) + t.cpu;
    }
  }
  return out;
}

/** PIDs of the PostgreSQL backends connected to `pid`'s sockets (client ports of its connections to :5432). */
function backendsOf(pid) {
  if (!databaseUrl) return [];
  const lines = execFileSync('ss', ['-tnpH', 'state', 'established', 'dport = :5432'], { encoding: 'utf8' }).split('\n');
  const ports = lines.filter((l) => l.includes(`pid=${pid},`)).map((l) => l.trim().split(/\s+/)[2].split(':').pop());
  const servers = execFileSync('ss', ['-tnpH', 'state', 'established', 'sport = :5432'], { encoding: 'utf8' }).split('\n');
  return servers
    .filter((l) => ports.includes(l.trim().split(/\s+/)[3]?.split(':').pop()))
    .map((l) => Number(/pid=(\d+)/.exec(l)?.[1]))
    .filter(Boolean);
}

async function rawRound() {
  const child = startChild(process.execPath, [here('argon2-raw.mjs'), String(seconds), '2'], { env: { ...process.env, UV_THREADPOOL_SIZE: '2' } });
  const line = await waitForOutput(child, /^\{/, (seconds + 30) * 1000);
  await child.exited;
  const result = JSON.parse(line);
  return { perSecond: result.perSecond, cpuMicrosPerVerification: result.cpuMicrosPerVerification };
}

const upstream = await startListener('upstream.mjs');
const prepared = await prepareGatehouse({ store, databaseUrl, upstreamUrl: upstream.url, families: 10, floodAccounts: 200 });
const nodeArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=gatehouse-password-${store}.cpuprofile`] : [];
const nice = option('--nice');
if (nice !== undefined) {
  const file = prepared.file.replace(/\.yaml$/, `-nice${nice}.yaml`);
  writeFileSync(file, stringify({ ...parse(readFileSync(prepared.file, 'utf8')), passwordHashing: { niceIncrement: Number(nice) } }));
  prepared.file = file;
}
const instance = await serve(prepared, { root, nodeArgs });
const pid = instance.child.pid;
const c = prepared.credentials;
const grants = (s) =>
  load({
    ...passwordGrantRequests({ tokenUrl: prepared.tokenUrl, clientId: c.confidentialClientId, clientSecret: c.confidentialClientSecret, logins: prepared.floodLogins, password: c.password }),
    connections: concurrency,
    seconds: s,
  });

async function grantRound() {
  const atStart = new Map(backendsOf(pid).map((b) => [b, ticks(`/proc/${b}/stat`).cpu]));
  const before = threadsOf(pid);
  const own = process.cpuUsage();
  const result = await grants(seconds);
  const after = threadsOf(pid);
  const ownUsed = process.cpuUsage(own);
  // Backends of the round: those there at its start and those the pool opened during it (whole).
  const backends = new Set([...atStart.keys(), ...backendsOf(pid)]);
  const pgBefore = [...atStart.values()].reduce((n, v) => n + v, 0);
  const pgAfter = [...backends].reduce((n, b) => n + Math.max(ticks(`/proc/${b}/stat`).cpu, atStart.get(b) ?? 0), 0); // one that closed: its CPU at the start
  const per = (cpu) => Math.round((cpu * 1e6) / result.ok);
  return {
    perSecond: result.perSecond,
    ok: result.ok,
    non2xx: result.non2xx,
    p99: result.p99,
    micros: {
      ...Object.fromEntries(Object.keys(after).map((k) => [k, per(after[k] - (before[k] ?? 0))])),
      postgres: per(pgAfter - pgBefore),
      loadGenerator: per((ownUsed.user + ownUsed.system) / 1e6),
    },
    backends: backends.size,
  };
}

/** Scans and inserts per table of the bench's schema (PostgreSQL's statistics, flushed by the backends about once a second). */
async function tableCounts() {
  if (!databaseUrl) return null;
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const { rows } = await client.query('SELECT relname, coalesce(seq_scan, 0) + coalesce(idx_scan, 0) AS scans, n_tup_ins AS inserts FROM pg_stat_user_tables WHERE schemaname = $1', [prepared.schema]);
    return Object.fromEntries(rows.map((r) => [r.relname, { scans: Number(r.scans), inserts: Number(r.inserts) }]));
  } finally {
    await client.end();
  }
}

try {
  await grants(2); // warm-up: compiles the hot paths, opens the pool's connections
  const countsBefore = await tableCounts();
  const raw = [];
  const grant = [];
  for (let i = 0; i < rounds; i++) {
    raw.push(await rawRound());
    grant.push(await grantRound());
  }
  const countsAfter = await tableCounts();
  raw.push(await rawRound());
  const granted = grant.reduce((n, g) => n + g.ok, 0);
  const perGrant = countsBefore && Object.fromEntries(
    Object.entries(countsAfter)
      .map(([table, c]) => [table, { scans: Math.round(((c.scans - (countsBefore[table]?.scans ?? 0)) / granted) * 100) / 100, inserts: Math.round(((c.inserts - (countsBefore[table]?.inserts ?? 0)) / granted) * 100) / 100 }])
      .filter(([, c]) => c.scans > 0 || c.inserts > 0),
  );
  const keys = Object.keys(grant.at(-1).micros);
  const micros = Object.fromEntries(keys.map((k) => [k, median(grant.map((g) => g.micros[k] ?? 0))]));
  const summary = {
    store,
    nice: nice ?? 'default',
    loadAverage: os.loadavg().map((l) => l.toFixed(2)).join(' / '),
    raw: { perSecond: Math.round(median(raw.map((r) => r.perSecond))), cpuMicrosPerVerification: median(raw.map((r) => r.cpuMicrosPerVerification)) },
    grant: { perSecond: median(grant.map((g) => g.perSecond)), p99: median(grant.map((g) => g.p99)), cpuMicros: micros },
    tablesPerGrant: perGrant,
    ratio: Math.round((median(grant.map((g) => g.perSecond)) / median(raw.map((r) => r.perSecond))) * 100) / 100,
    rounds: { raw, grant },
  };
  console.log(JSON.stringify(summary, null, 1));
} finally {
  await instance.stop();
  await upstream.stop();
  await prepared.cleanup();
}
