// A/B of Gatehouse builds by CPU per request, the figure a shared machine does not distort much:
// each build serves the same store in a process of its own per round, gets a warm-up and then a
// fixed number of requests; its user+sys CPU time (from /proc) over the 2xx answers is its µs per
// request. Rounds interleave the builds (A B B A A B …); medians.
// `bare` among the roots: the bare Fastify + reply-from proxy of the gateway scenario;
// `bare-identity`: the same, adding the headers Gatehouse sends the upstream (bare-proxy.mjs).
// The gateway scenario also reports the upstream's CPU per request (what the headers cost it).
// `gateway-spread`: the gateway over --tokens N access tokens in turn (20,000), so that nearly every
// request misses the token cache and reads the token and its subscription from the store.
// Usage: node bench/ab.mjs --roots DIR|bare|bare-identity[,…] [--scenario gateway|gateway-spread|refresh]
//        [--rounds 5] [--requests 20000] [--warm-up N] [--tokens N] [--level warn|info] [--cpu-prof DIR]
// Store: PostgreSQL + Redis when DATABASE_URL is set, else SQLite.
import path from 'node:path';
import { cpuSecondsOf, postgresCpuSeconds } from './lib/children.mjs';
import { prepareGatehouse, serve } from './lib/gatehouse.mjs';
import { basic, FORM, load } from './lib/load.mjs';
import { gatewayLoad, startListener } from './scenarios.mjs';
import { inTurn, median } from './lib/rounds.mjs';

const argv = process.argv.slice(2);
const option = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
const BARE = { bare: 'reply-from', 'bare-identity': 'reply-from-identity' };
const roots = option('--roots', '.').split(',').map((r) => (BARE[r] ? r : path.resolve(r)));
const scenario = option('--scenario', 'gateway');
const rounds = Number(option('--rounds', '5'));
const requests = Number(option('--requests', '20000'));
const level = option('--level', 'warn');
const profileDir = option('--cpu-prof');
const store = process.env.DATABASE_URL ? 'postgres' : 'sqlite';
const connections = scenario === 'refresh' ? 16 : 32;
const gateway = scenario.startsWith('gateway');
const tokens = scenario === 'gateway-spread' ? Number(option('--tokens', '20000')) : 1;
// The bare proxy needs the gateway rounds' long warm-up (run.mjs: 20,000 answers): after 3,000 it
// still spent 149 µs per request over the next 40,000, against 95 after 20,000.
const warmUp = Number(option('--warm-up', gateway ? 20_000 : Math.min(3_000, Math.round(requests / 5))));

const upstream = await startListener('upstream.mjs');
const pool = scenario === 'refresh' ? (warmUp + requests) * rounds * roots.length + 1_000 : 0;
const prepared = await prepareGatehouse({ store, databaseUrl: process.env.DATABASE_URL, upstreamUrl: upstream.url, families: Math.max(tokens, 1 + pool) });
let nextRefresh = 1;

function run(amount, base = prepared.base) {
  if (gateway) return gatewayLoad({ gatewayConnections: connections }, { ...prepared, base }, { distinct: tokens, amount });
  const c = prepared.credentials;
  return load({
    url: prepared.base,
    connections,
    amount,
    requests: [
      {
        method: 'POST',
        path: new URL(prepared.tokenUrl).pathname,
        headers: { 'content-type': FORM, authorization: basic(c.confidentialClientId, c.confidentialClientSecret) },
        setupRequest: (request) => ({ ...request, body: `grant_type=refresh_token&refresh_token=${prepared.refresh(nextRefresh++)}` }),
      },
    ],
  });
}

const figures = new Map(roots.map((root) => [root, []]));
try {
  for (let i = 0; i < rounds; i++) {
    const order = inTurn(roots, i);
    for (const root of order) {
      const name = `${path.basename(root)}-${scenario}-${i}`;
      const nodeArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${name}.cpuprofile`] : [];
      const instance =
        BARE[root]
          ? await startListener('bare-proxy.mjs', [upstream.url, BARE[root], level], { stdoutFile: '/dev/null', nodeArgs })
          : await serve(prepared, { root, logLevel: level, nodeArgs, stdoutFile: '/dev/null' });
      const base = instance.url ?? prepared.base;
      try {
        await run(warmUp, base);
        const [before, upstreamBefore, databaseBefore] = [
          await cpuSecondsOf(instance.child.pid),
          await cpuSecondsOf(upstream.child.pid),
          store === 'postgres' ? await postgresCpuSeconds() : 0,
        ];
        const result = await run(requests, base);
        const cpu = (await cpuSecondsOf(instance.child.pid)) - before;
        const figure = { microsPerRequest: Math.round((cpu * 1e6) / result.ok), perSecond: result.perSecond, p99: result.p99, bad: result.non2xx + result.errors };
        if (gateway) figure.upstreamMicrosPerRequest = Math.round((((await cpuSecondsOf(upstream.child.pid)) - upstreamBefore) * 1e6) / result.ok);
        // PostgreSQL's processes serve every build alike; their CPU per request is the other half of a store's cost.
        if (store === 'postgres') figure.postgresMicrosPerRequest = Math.round((((await postgresCpuSeconds()) - databaseBefore) * 1e6) / result.ok);
        figures.get(root).push(figure);
        console.log(`round ${i} ${root}: ${JSON.stringify(figure)}`);
      } finally {
        await instance.stop();
      }
    }
  }
} finally {
  await upstream.stop();
  await prepared.cleanup();
}
for (const [root, runs] of figures) {
  console.log(
    `${root} (${store}, ${scenario}, ${level}): median ${median(runs.map((r) => r.microsPerRequest))} µs/req` +
      (store === 'postgres' ? ` (PostgreSQL ${median(runs.map((r) => r.postgresMicrosPerRequest))})` : '') +
      (gateway ? ` (upstream ${median(runs.map((r) => r.upstreamMicrosPerRequest))})` : '') +
      `, ${median(runs.map((r) => r.perSecond))} req/s; rounds µs ${runs.map((r) => r.microsPerRequest).join(', ')}`,
  );
}
