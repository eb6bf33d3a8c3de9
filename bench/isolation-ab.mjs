// Issue 12's isolation scenario (gateway at 500 req/s, idle and under a password flood of 16
// connections over many accounts) for variants side by side, interleaved by round, each variant
// in a Gatehouse process of its own per round: the generator (autocannon's overallRate, per-second
// bursts, or bench/lib/paced.mjs, steady), the hashing threads' nice level, the build.
// Usage: [DATABASE_URL=…] isolation-ab.mjs [rounds] [seconds] --variants gen:nice:root[,…]
//   e.g. --variants paced:10:.,paced:19:.,autocannon:10:.; a nice level ending in "i" (10i) also
//   puts the hashing threads under SCHED_IDLE (passwordHashing.idleScheduling); a fourth field sets
//   passwordHashing.threads (0, the default: one per core). --cpu-prof DIR
//   profiles each Gatehouse process (bench/profile-summary.mjs FILE --stalls lists its long tasks).
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { startChild, stopChild } from './lib/children.mjs';
import { prepareGatehouse, serve } from './lib/gatehouse.mjs';
import { gatewayLoad, pacedGatewayLoad, startListener, withCpuOf } from './scenarios.mjs';
import { inTurn, median } from './lib/rounds.mjs';

const argv = process.argv.slice(2);
const option = (name) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const positional = argv.filter((a, i) => !a.startsWith('--') && !argv[i - 1]?.startsWith('--'));
const rounds = Number(positional[0] ?? 2);
const seconds = Number(positional[1] ?? 5);
const variants = (option('--variants') ?? 'autocannon:10:.,paced:10:.').split(',').map((v) => {
  const [generator, nice, root, threads] = v.split(':');
  return {
    name: v,
    generator,
    nice: Number.parseInt(nice, 10),
    idleScheduling: nice.endsWith('i'),
    root: path.resolve(root ?? '.'),
    threads: Number(threads ?? 0),
  };
});
const profileDir = option('--cpu-prof');
const databaseUrl = process.env.DATABASE_URL || null;
const store = databaseUrl ? 'postgres' : 'sqlite';
const settings = { seconds, gatewayConnections: 8 };
const rate = 500;
const connections = 8;

const upstream = await startListener('upstream.mjs');
const prepared = await prepareGatehouse({ store, databaseUrl, upstreamUrl: upstream.url, families: 10, floodAccounts: 400 });
const raw = parse(readFileSync(prepared.file, 'utf8'));
const configFor = ({ nice, idleScheduling, threads }) => {
  const file = prepared.file.replace(/\.yaml$/, `-nice${nice}${idleScheduling ? 'i' : ''}-t${threads}.yaml`);
  writeFileSync(file, stringify({ ...raw, passwordHashing: { niceIncrement: nice, idleScheduling, threads } }));
  return file;
};
const generators = {
  autocannon: () => gatewayLoad(settings, prepared, { rate, connections }),
  paced: () => pacedGatewayLoad(settings, prepared, { rate, connections }),
};
const summary = (r) => ({
  delivered: Math.round((r.ok / (r.offered ?? rate * r.seconds)) * 1000) / 10,
  p50: r.p50,
  p99: r.p99,
  lagMs: r.lagMs,
  cpuMicros: r.cpu?.server.microsPerRequest,
  bad: r.non2xx + r.errors,
});
const out = { store, loadAverage: { start: os.loadavg().map((l) => l.toFixed(2)).join(' / ') }, variants: {} };
let floodAccount = 0;
try {
  for (let i = 0; i < rounds; i++) {
    for (const v of inTurn(variants, i)) {
      const nodeArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=isolation-${i}-${v.name.replaceAll(/[:/.]/g, '_')}.cpuprofile`] : [];
      const instance = await serve({ ...prepared, file: configFor(v) }, { root: v.root, nodeArgs });
      try {
        const pid = instance.child.pid;
        const run = generators[v.generator];
        await generators.paced(); // warm-up
        const idle = summary(await withCpuOf({ server: pid }, run));
        // Each round floods accounts of its own: five sign-ins per account per round stay under the lockout.
        const logins = prepared.floodLogins.slice((floodAccount * 100) % 400, ((floodAccount * 100) % 400) + 100);
        floodAccount += 1;
        const c = prepared.credentials;
        const floodOptions = { tokenUrl: prepared.tokenUrl, clientId: c.confidentialClientId, clientSecret: c.confidentialClientSecret, logins, password: c.password, connections: 16, seconds: seconds + 2 };
        const flood = startChild(process.execPath, [new URL('./flood.mjs', import.meta.url).pathname, JSON.stringify(floodOptions)]);
        let underFlood;
        try {
          await new Promise((resolve) => setTimeout(resolve, 1000));
          underFlood = summary(await withCpuOf({ server: pid }, run));
        } finally {
          await stopChild(flood, 1000);
        }
        (out.variants[v.name] ??= []).push({ idle, underFlood, p99Ratio: Math.round((underFlood.p99 / idle.p99) * 10) / 10 });
        console.error(`round ${i} ${v.name}: ${JSON.stringify(out.variants[v.name].at(-1))}`);
      } finally {
        await instance.stop();
      }
    }
  }
  out.loadAverage.end = os.loadavg().map((l) => l.toFixed(2)).join(' / ');
  out.medians = Object.fromEntries(
    Object.entries(out.variants).map(([name, runs]) => [
      name,
      {
        idleP99: median(runs.map((r) => r.idle.p99)),
        floodP99: median(runs.map((r) => r.underFlood.p99)),
        p99Ratio: median(runs.map((r) => r.p99Ratio)),
        idleDelivered: median(runs.map((r) => r.idle.delivered)),
        floodDelivered: median(runs.map((r) => r.underFlood.delivered)),
      },
    ]),
  );
  console.log(JSON.stringify(out.medians, null, 1), out.loadAverage);
} finally {
  await upstream.stop();
  await prepared.cleanup();
}
