// The scenarios of `npm run bench`. Each takes the run's settings and returns plain figures;
// run.mjs puts them together and report.mjs turns them into BENCHMARKS.md.
import { readFileSync, writeFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { basic, FORM, load, passwordGrantRequests } from './lib/load.mjs';
import { pacedLoad } from './lib/paced.mjs';
import { cpuSecondsOf, memoryOf, startChild, stopChild, waitForOutput, waitIdle } from './lib/children.mjs';
import { API_PREFIX, pollHealth, prepareGatehouse, serve } from './lib/gatehouse.mjs';
import { inTurn, median } from './lib/rounds.mjs';

const here = (file) => new URL(file, import.meta.url).pathname;
const round = (value, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

/**
 * Runs `run` and adds the share of one core that process `pid` (Gatehouse, or the bare proxy)
 * used meanwhile (100 = one full core), and its CPU time per successful request.
 */
export async function withCpu(pid, run) {
  const [cpuBefore, started] = [await cpuSecondsOf(pid), performance.now()];
  const result = await run();
  const cpuSeconds = (await cpuSecondsOf(pid)) - cpuBefore;
  result.serverCpuPercent = Math.round((cpuSeconds / ((performance.now() - started) / 1000)) * 100);
  result.serverCpuMicrosPerRequest = result.ok > 0 ? Math.round((cpuSeconds * 1e6) / result.ok) : null;
  return result;
}

/** A helper process that prints "listening <port>" (upstream.mjs, bare-proxy.mjs). */
export async function startListener(script, args = [], { stdoutFile, nodeArgs = [] } = {}) {
  const child = startChild(process.execPath, [...nodeArgs, here(script), ...args], stdoutFile ? { stdoutFile } : {});
  const line = await waitForOutput(child, /^listening \d+/, 15_000);
  return { child, url: `http://127.0.0.1:${line.split(' ')[1]}`, stop: () => stopChild(child) };
}

/** 1. The physical limit: argon2id verifications per second, `concurrency` at once, in a process of its own. */
export async function rawArgon2(settings, concurrency) {
  const child = startChild(process.execPath, [here('argon2-raw.mjs'), String(settings.argon2Seconds), String(concurrency)], {
    env: { ...process.env, UV_THREADPOOL_SIZE: String(concurrency) },
  });
  const line = await waitForOutput(child, /^\{/, (settings.argon2Seconds + 30) * 1000);
  await child.exited;
  return JSON.parse(line);
}

/** 1. Raw argon2id at each concurrency of the settings; the best is the password grant's yardstick. */
export async function rawArgon2Best(settings) {
  const runs = [];
  for (const concurrency of settings.argon2Concurrencies) runs.push(await rawArgon2(settings, concurrency));
  const best = runs.reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
  return {
    perSecond: best.perSecond,
    concurrency: best.concurrency,
    best,
    runs: runs.map((r) => ({ concurrency: r.concurrency, perSecond: round(r.perSecond, 1), cpuMicrosPerVerification: r.cpuMicrosPerVerification })),
  };
}

function floodAccounts(gatehouse) {
  const c = gatehouse.credentials;
  return { tokenUrl: gatehouse.tokenUrl, clientId: c.confidentialClientId, clientSecret: c.confidentialClientSecret, logins: gatehouse.floodLogins, password: c.password };
}

/** 1. Password grants over many accounts, `passwordConnections` at once. */
export function passwordGrant(settings, gatehouse) {
  return load({ ...passwordGrantRequests(floodAccounts(gatehouse)), connections: settings.passwordConnections, seconds: settings.seconds });
}

/**
 * 1. The password grant against raw argon2id. A sweep of raw argon2id's concurrencies picks the
 * best; then rounds of password grants (`passwordRoundSeconds` each) and of raw argon2id at that
 * concurrency alternate, R G R G R G R, and the ratio is of the medians. On a shared machine
 * either figure moves with the neighbours: one raw measurement before and one after the grants
 * (as this bench did until 2026-11-29) gave 78 and 58/s around grants that got 85/s, a ratio of
 * 1.25 that said more about the neighbours than about Gatehouse. CPU µs per grant (Gatehouse's
 * process, hashing threads included) against CPU µs per raw verification is given beside it.
 */
export async function passwordGrantRounds(settings, gatehouse, pid) {
  const sweep = await rawArgon2Best(settings);
  const raw = [sweep.best];
  const grants = [];
  for (let i = 0; i < settings.passwordRounds; i++) {
    grants.push(await withCpu(pid, () => passwordGrant({ ...settings, seconds: settings.passwordRoundSeconds }, gatehouse)));
    raw.push(await rawArgon2(settings, sweep.concurrency));
  }
  const med = (runs, pick) => median(runs.map(pick).filter((v) => v !== null && v !== undefined));
  const first = grants[0];
  const passwordGrantResult = {
    ...first,
    perSecond: med(grants, (g) => g.perSecond),
    p50: med(grants, (g) => g.p50),
    p90: med(grants, (g) => g.p90),
    p99: med(grants, (g) => g.p99),
    max: Math.max(...grants.map((g) => g.max ?? 0)),
    ok: grants.reduce((n, g) => n + g.ok, 0),
    non2xx: grants.reduce((n, g) => n + g.non2xx, 0),
    errors: grants.reduce((n, g) => n + g.errors, 0),
    seconds: round(grants.reduce((n, g) => n + g.seconds, 0), 1),
    loadGeneratorCpuPercent: med(grants, (g) => g.loadGeneratorCpuPercent),
    serverCpuPercent: med(grants, (g) => g.serverCpuPercent),
    serverCpuMicrosPerRequest: med(grants, (g) => g.serverCpuMicrosPerRequest),
    rounds: grants.map((g) => ({ perSecond: g.perSecond, p99: g.p99, serverCpuMicrosPerRequest: g.serverCpuMicrosPerRequest })),
    ...statusCodesOf(grants),
  };
  const rawPerSecond = med(raw, (r) => r.perSecond);
  const rawCpu = med(raw, (r) => r.cpuMicrosPerVerification);
  return {
    passwordGrant: passwordGrantResult,
    argon2Raw: {
      perSecond: rawPerSecond,
      concurrency: sweep.concurrency,
      cpuMicrosPerVerification: rawCpu,
      sweep: sweep.runs,
      rounds: raw.map((r) => ({ perSecond: round(r.perSecond, 1), cpuMicrosPerVerification: r.cpuMicrosPerVerification })),
    },
    ratio: round(passwordGrantResult.perSecond / rawPerSecond),
    cpuRatio: round(rawCpu / passwordGrantResult.serverCpuMicrosPerRequest),
  };
}

/** 2 and 5. Refresh grants; every request takes a fresh token from the pre-minted pool. */
export function refreshGrant(settings, gatehouse, pool) {
  const c = gatehouse.credentials;
  let next = pool.first;
  const end = pool.first + pool.size;
  return load({
    url: gatehouse.base,
    connections: settings.refreshConnections,
    seconds: settings.seconds,
    requests: [
      {
        method: 'POST',
        path: new URL(gatehouse.tokenUrl).pathname,
        headers: { 'content-type': FORM, authorization: basic(c.confidentialClientId, c.confidentialClientSecret) },
        // Past the end of the pool the same token comes back: a non-2xx answer, counted as such.
        setupRequest: (request) => ({ ...request, body: `grant_type=refresh_token&refresh_token=${gatehouse.refresh(Math.min(next++, end - 1))}` }),
      },
    ],
  });
}

/** 3 and 5. Gateway requests, round-robin over `distinct` live access tokens. */
export function gatewayLoad(settings, gatehouse, { distinct = 1, offset = 0, rate, connections, amount } = {}) {
  let next = 0;
  return load({
    url: gatehouse.base,
    connections: connections ?? settings.gatewayConnections,
    seconds: settings.seconds,
    amount,
    rate,
    requests: [
      {
        method: 'GET',
        path: `${API_PREFIX}/items/1`,
        setupRequest: (request) => ({
          ...request,
          headers: { ...request.headers, authorization: `Bearer ${gatehouse.access(offset + (next++ % distinct))}` },
        }),
      },
    ],
  });
}

/**
 * Runs `run` and adds, for each named process, its share of one core meanwhile and its CPU µs
 * per successful request; the load generator (this process) is `loadGenerator`.
 */
export async function withCpuOf(pids, run) {
  const names = Object.keys(pids);
  const before = await Promise.all(names.map((name) => cpuSecondsOf(pids[name])));
  const [cpuBefore, started] = [process.cpuUsage(), performance.now()];
  const result = await run();
  const elapsed = (performance.now() - started) / 1000;
  const after = await Promise.all(names.map((name) => cpuSecondsOf(pids[name])));
  const own = process.cpuUsage(cpuBefore);
  const seconds = Object.fromEntries(names.map((name, i) => [name, after[i] - before[i]]));
  seconds.loadGenerator = (own.user + own.system) / 1e6;
  result.cpu = Object.fromEntries(
    Object.entries(seconds).map(([name, cpu]) => [
      name,
      { percent: Math.round((cpu / elapsed) * 100), microsPerRequest: result.ok > 0 ? Math.round((cpu * 1e6) / result.ok) : null },
    ]),
  );
  return result;
}

/** The rounds' non-2xx answers by status code, summed; nothing when every answer was 2xx. */
function statusCodesOf(runs) {
  const codes = {};
  for (const run of runs) for (const [code, count] of Object.entries(run.statusCodes ?? {})) codes[code] = (codes[code] ?? 0) + count;
  return Object.keys(codes).length > 0 ? { statusCodes: codes } : {};
}

function summariseRounds(runs) {
  const med = (pick) => median(runs.map(pick).filter((v) => v !== null && v !== undefined));
  const cpu = runs[0].cpu ? Object.fromEntries(Object.keys(runs[0].cpu).map((name) => [name, med((r) => r.cpu[name].microsPerRequest)])) : undefined;
  const paced = runs[0].offered !== undefined; // bench/lib/paced.mjs: an offered rate, and how late the generator sent
  return {
    perSecond: med((r) => r.perSecond),
    p50: med((r) => r.p50),
    p99: med((r) => r.p99),
    non2xx: runs.reduce((n, r) => n + r.non2xx, 0),
    ...statusCodesOf(runs),
    errors: runs.reduce((n, r) => n + r.errors, 0),
    ok: runs.reduce((n, r) => n + r.ok, 0),
    connections: runs[0].connections,
    ...(paced ? { offered: runs.reduce((n, r) => n + r.offered, 0), offeredRate: runs[0].offeredRate, lagMs: { p99: med((r) => r.lagMs.p99), max: Math.max(...runs.map((r) => r.lagMs.max)) } } : {}),
    ...(cpu ? { cpuMicrosPerRequest: cpu } : {}),
    rounds: runs.map((r) => ({
      perSecond: r.perSecond,
      p99: r.p99,
      ...(paced ? { lagP99: r.lagMs.p99 } : {}),
      ...(r.cpu ? { cpu: Object.fromEntries(Object.entries(r.cpu).map(([n, c]) => [n, c.microsPerRequest])) } : {}),
    })),
  };
}

/**
 * 3. Gatehouse (C) against the bare proxy (A), same upstream, `gatewayConnections` connections,
 * one valid token (cached after its first use), in interleaved rounds A C, C A, A C … of
 * `roundSeconds`, each round in a fresh process after an unrecorded warm-up; medians.
 * Interleaving spreads the machine's drift (other work, CPU frequency) over both instead of
 * charging it to one; fresh processes, because identical processes differ by ±10% in CPU per
 * request on this machine, and one process a side made the ratio one draw of that spread (0.90
 * and 1.02 in two full runs of one build).
 */
export async function gatewayRounds(settings, { prepared, upstream, level, logDir }) {
  const authorization = `Bearer ${prepared.access(0)}`;
  const path = `${API_PREFIX}/items/1`;
  const runOn = (base) => (seconds) => load({ url: `${base}${path}`, headers: { authorization }, connections: settings.gatewayConnections, seconds });
  const sides = {
    bareProxy: async (i) => {
      const proxy = await startListener('bare-proxy.mjs', [upstream.url, settings.bareProxyKind, level], {
        stdoutFile: `${logDir}/bare-proxy-${level}.log`,
        nodeArgs: settings.nodeArgs?.(`bare-proxy-${level}-${i}`) ?? [],
      });
      return { pid: proxy.child.pid, run: runOn(proxy.url), stop: proxy.stop };
    },
    gatehouse: async (i) => {
      const instance = await serve(prepared, {
        logLevel: level,
        root: settings.gatehouseRoot,
        stdoutFile: `${logDir}/gatehouse-${prepared.store}-${level}.log`,
        nodeArgs: settings.nodeArgs?.(`gatehouse-${prepared.store}-${level}-${i}`) ?? [],
      });
      return { pid: instance.child.pid, run: runOn(prepared.base), stop: instance.stop };
    },
  };
  const runs = { bareProxy: [], gatehouse: [] };
  for (let i = 0; i < settings.gatewayPairs; i++) {
    const order = inTurn(Object.entries(sides), i);
    for (const [name, start] of order) {
      const side = await start(i);
      try {
        await warmUp(settings, side.run);
        runs[name].push(await withCpuOf({ server: side.pid, upstream: upstream.child.pid }, () => side.run(settings.roundSeconds)));
      } finally {
        await side.stop();
      }
    }
  }
  const bare = summariseRounds(runs.bareProxy);
  const gate = summariseRounds(runs.gatehouse);
  return {
    bareProxy: bare,
    gatehouse: gate,
    ratioToBareProxy: round(gate.perSecond / bare.perSecond),
    pairRatios: runs.gatehouse.map((g, i) => round(g.perSecond / runs.bareProxy[i].perSecond)),
    cpuRatio: round(bare.cpuMicrosPerRequest.server / gate.cpuMicrosPerRequest.server),
    ...cpuQuartileRatioOf(runs.bareProxy, runs.gatehouse),
  };
}

/**
 * Process CPU per request of `a`'s rounds over `b`'s, as the ratio of their lower quartiles, with
 * a 95% bootstrap interval. Other work on a shared machine only ever adds to a process's CPU per
 * request (a cost of the code is there in every process), so the lower quartile of each side is
 * its least disturbed figure (Chen & Revels, "Robust benchmarking in noisy environments", 2016,
 * take the minimum; a quartile leans less on one process).
 */
function cpuQuartileRatioOf(a, b) {
  const cpuOf = (list) => list.map((r) => r.cpu.server.microsPerRequest);
  const lowerQuartileRatio = (x, y) => quantile(x, 0.25) / quantile(y, 0.25);
  return {
    cpuQuartileRatio: round(lowerQuartileRatio(cpuOf(a), cpuOf(b)), 3),
    cpuQuartileRatioInterval: bootstrapInterval(cpuOf(a), cpuOf(b), lowerQuartileRatio).map((r) => round(r, 3)),
  };
}

/** The prepared store's config with the Prometheus metrics switched off, beside it. */
function metricsOffConfig(prepared) {
  const raw = parse(readFileSync(prepared.file, 'utf8'));
  const file = prepared.file.replace(/\.yaml$/, '-metrics-off.yaml');
  writeFileSync(file, stringify({ ...raw, metrics: { enabled: false } }));
  return file;
}

/**
 * A fresh process's first requests pay for compiling its hot paths: its warm-up lasts
 * `warmUpSeconds`, and on a busy machine (few requests a second) on until `warmUpRequests` have
 * been answered, up to 30 s.
 */
async function warmUp(settings, run) {
  const deadline = performance.now() + 30_000;
  let answered = 0;
  do {
    answered += (await run(settings.warmUpSeconds)).ok;
  } while (answered < settings.warmUpRequests && performance.now() < deadline);
}

/**
 * The metrics' own share of a gateway request, alone in this process: what the gateway's
 * onResponse hook does per request (bench API's pre-bound children: a status-class counter and the
 * latency histogram), CPU ns per request, best of three runs of `count`.
 */
export async function metricsHotPathNanos(root, count = 1_000_000) {
  const { GatehouseMetrics, statusClass } = await import(`${root}/dist/observability/metrics.js`);
  const metrics = new GatehouseMetrics({ apis: [{ id: 'bench' }], authMethods: [] });
  const seconds = metrics.gatewaySeconds.labels('bench');
  const byClass = new Map(['1xx', '2xx', '3xx', '4xx', '5xx'].map((name) => [name, metrics.gatewayRequests.labels('bench', name)]));
  let best = Infinity;
  for (let run = 0; run < 3; run++) {
    const before = process.cpuUsage();
    for (let i = 0; i < count; i++) {
      byClass.get(statusClass(200 + (i % 2) * 100))?.inc();
      seconds.observe(0.0003 + (i % 7) * 0.0001);
    }
    const used = process.cpuUsage(before);
    best = Math.min(best, ((used.user + used.system) * 1000) / count);
  }
  return Math.round(best);
}

/**
 * Issue 15: what the Prometheus metrics cost the gateway. Gatehouse with metrics off (A) and on
 * (C) on the same store and upstream, one valid token, `gatewayConnections` connections, in
 * interleaved rounds A C C A A C … of `roundSeconds`, each round in a fresh process (the embedded
 * store admits one process at a time) after an unrecorded warm-up; medians. On a shared machine
 * req/s moves with the neighbours, so the primary figure is Gatehouse's CPU µs per request.
 */
export async function metricsCost(settings, { prepared, upstream, rounds = settings.metricsRounds }) {
  const files = { metricsOff: metricsOffConfig(prepared), metricsOn: prepared.file };
  const authorization = `Bearer ${prepared.access(0)}`;
  const url = `${prepared.base}${API_PREFIX}/items/1`;
  const run = (seconds) => load({ url, headers: { authorization }, connections: settings.gatewayConnections, seconds });
  const runs = { metricsOff: [], metricsOn: [] };
  for (let i = 0; i < rounds; i++) {
    const order = inTurn(Object.entries(files), i);
    for (const [name, file] of order) {
      const instance = await serve({ ...prepared, file }, { root: settings.gatehouseRoot });
      try {
        await warmUp(settings, run);
        runs[name].push(await withCpuOf({ server: instance.child.pid, upstream: upstream.child.pid }, () => run(settings.roundSeconds)));
      } finally {
        await instance.stop();
      }
    }
  }
  const off = summariseRounds(runs.metricsOff);
  const on = summariseRounds(runs.metricsOn);
  return {
    hotPathNanosPerRequest: await metricsHotPathNanos(settings.gatehouseRoot),
    metricsOff: off,
    metricsOn: on,
    ratio: round(on.perSecond / off.perSecond),
    pairRatios: runs.metricsOn.map((r, i) => round(r.perSecond / runs.metricsOff[i].perSecond)),
    cpuRatio: round(off.cpuMicrosPerRequest.server / on.cpuMicrosPerRequest.server, 3),
    pairCpuRatios: runs.metricsOn.map((r, i) => round(runs.metricsOff[i].cpu.server.microsPerRequest / r.cpu.server.microsPerRequest, 3)),
    ...cpuQuartileRatioOf(runs.metricsOff, runs.metricsOn),
  };
}

/** The `p` quantile of `values`, interpolated between the two nearest ranks. */
function quantile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * p;
  const below = Math.floor(at);
  return sorted[below] + (sorted[Math.ceil(at)] - sorted[below]) * (at - below);
}

/**
 * A 95% percentile-bootstrap interval of `statistic(a, b)`, each sample resampled on its own;
 * drawn with a fixed seed (mulberry32), so that one results file always reports one interval.
 */
function bootstrapInterval(a, b, statistic, resamples = 4_000) {
  let seed = 0x9e3779b9;
  const random = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const draw = (values) => values.map(() => values[Math.floor(random() * values.length)]);
  const figures = [];
  for (let i = 0; i < resamples; i++) figures.push(statistic(draw(a), draw(b)));
  figures.sort((x, y) => x - y);
  return [figures[Math.floor(resamples * 0.025)], figures[Math.ceil(resamples * 0.975) - 1]];
}

/** 4. Gateway requests at a steady `rate` (bench/lib/paced.mjs: open loop, not autocannon's per-second bursts). */
export function pacedGatewayLoad(settings, gatehouse, { rate, connections }) {
  const headers = { authorization: `Bearer ${gatehouse.access(0)}` };
  return pacedLoad({ url: `${gatehouse.base}${API_PREFIX}/items/1`, rate, seconds: settings.seconds, connections, headers: () => headers });
}

/**
 * 4. Gateway at `isolationRate` req/s, idle and while `floodConnections` connections send password
 * grants for many accounts to the same process (from a process of their own), in interleaved
 * rounds idle, flood, idle, flood … of `roundSeconds` (`isolationPairs` of each); medians. One
 * window of each (as until 2026-11-30) put a p99 from one moment of a shared machine over another's:
 * the same code measured 0.78, 1.32 and 2.52 on SQLite in three runs.
 */
export async function isolation(settings, gatehouse, gatehousePid) {
  const rate = settings.isolationRate;
  const connections = settings.moderateConnections;
  const measure = () =>
    withCpuOf({ server: gatehousePid }, () => pacedGatewayLoad({ ...settings, seconds: settings.roundSeconds }, gatehouse, { rate, connections }));
  const floodOptions = { ...floodAccounts(gatehouse), connections: settings.floodConnections, seconds: settings.roundSeconds + settings.floodLeadSeconds + 1 };
  const runs = { idle: [], underFlood: [], flood: [] };
  // Unrecorded: a first idle round that warms the paced generator and (at info, a fresh process)
  // compiles the gateway's path flatters the ratio (p99 22–105 ms, mostly 9–19 ms in the next).
  await pacedGatewayLoad({ ...settings, seconds: settings.warmUpSeconds }, gatehouse, { rate, connections });
  for (let i = 0; i < settings.isolationPairs; i++) {
    // The grants of the last flood still hashing must not fall into the next idle round.
    await waitIdle(gatehousePid, 120_000);
    runs.idle.push(await measure());
    const flood = startChild(process.execPath, [here('flood.mjs'), JSON.stringify(floodOptions)]);
    try {
      await new Promise((resolve) => setTimeout(resolve, settings.floodLeadSeconds * 1000)); // the flood is under way
      runs.underFlood.push(await measure());
      // The smoke run does not wait for the grants still hashing when the flood stops (up to
      // autocannon's 10 s timeout each on a busy machine): it only checks that the scenario runs.
      if (settings.mode !== 'smoke') runs.flood.push(JSON.parse(await waitForOutput(flood, /^\{/, (floodOptions.seconds + 30) * 1000)));
    } finally {
      await stopChild(flood, 1_000);
    }
  }
  const idle = summariseRounds(runs.idle);
  const underFlood = summariseRounds(runs.underFlood);
  return {
    idle,
    underFlood,
    flood: runs.flood.length > 0 ? summariseRounds(runs.flood) : null,
    p99Ratio: round(underFlood.p99 / idle.p99),
    pairP99Ratios: runs.underFlood.map((r, i) => round(r.p99 / runs.idle[i].p99)),
    // Of the requests offered (rate × seconds), the share answered 2xx.
    deliveredShare: round(underFlood.ok / underFlood.offered, 3),
  };
}

/** 6. Spawn to the "gatehouse ready" log line (log level info), median of `runs` restarts. */
export async function startup(settings, prepared) {
  const times = [];
  for (let i = 0; i < settings.startupRuns; i++) {
    const instance = await serve(prepared, { logLevel: 'info', root: settings.gatehouseRoot });
    times.push(instance.readyMs);
    await instance.stop();
  }
  return { medianMs: Math.round(median(times)), runsMs: times.map((t) => Math.round(t)), families: prepared.families };
}

/** The median of the rounds' figure `pick`, and of Gatehouse's CPU µs per request. */
function mediansOf(runs) {
  const med = (pick) => median(runs.map(pick).filter((v) => v !== null && v !== undefined));
  return {
    perSecond: med((r) => r.perSecond),
    p50: med((r) => r.p50),
    p99: med((r) => r.p99),
    serverCpuMicrosPerRequest: med((r) => r.serverCpuMicrosPerRequest),
    non2xx: runs.reduce((n, r) => n + r.non2xx, 0),
    ...statusCodesOf(runs),
    rounds: runs.map((r) => ({ perSecond: r.perSecond, p99: r.p99, serverCpuMicrosPerRequest: r.serverCpuMicrosPerRequest })),
  };
}

/**
 * 6, interleaved: the `large` store (already served) against a fresh one with the small number of
 * families, both served at once, rounds alternating small, large: the gateway over the same 1,000
 * tokens, then refresh grants, each round on fresh tokens. Two store runs minutes apart on this
 * shared machine differed by more than the effect (a PostgreSQL gateway "ratio" of 1.65).
 */
export async function scaleRounds(settings, { store, upstream, large, largePid, largePoolFirst }) {
  const smallFamilies = settings.smallFamilies;
  const small = await prepareGatehouse({ store, databaseUrl: settings.databaseUrl, upstreamUrl: upstream.url, families: smallFamilies + settings.scalePool });
  try {
    const smallInstance = await serve(small, { root: settings.gatehouseRoot });
    try {
      const sides = [
        { name: 'small', prepared: small, pid: smallInstance.child.pid, poolFirst: smallFamilies },
        { name: 'large', prepared: large, pid: largePid, poolFirst: largePoolFirst },
      ];
      const runs = { small: { gateway: [], refresh: [] }, large: { gateway: [], refresh: [] } };
      const roundSettings = { ...settings, seconds: settings.roundSeconds };
      const distinct = Math.min(1_000, smallFamilies);
      const slice = Math.floor(settings.scalePool / settings.rounds);
      for (const side of sides) await gatewayLoad({ ...settings, seconds: settings.warmUpSeconds }, side.prepared, { distinct });
      // Both processes are up throughout: a round starts only when both are idle, so that one's
      // work left over from its last round (its WAL checkpoint after refreshes, on SQLite) is not
      // charged to the other; and the order alternates, small large, large small, …
      const measured = async (side, run) => {
        for (const s of sides) await waitIdle(s.pid, 120_000);
        return withCpu(side.pid, run);
      };
      for (let round = 0; round < settings.rounds; round++) {
        const order = inTurn(sides, round);
        for (const side of order) runs[side.name].gateway.push(await measured(side, () => gatewayLoad(roundSettings, side.prepared, { distinct })));
        for (const side of order) {
          const pool = { first: side.poolFirst + round * slice, size: slice };
          runs[side.name].refresh.push(await measured(side, () => refreshGrant(roundSettings, side.prepared, pool)));
        }
      }
      const figures = Object.fromEntries(Object.entries(runs).map(([name, r]) => [name, { gateway: mediansOf(r.gateway), refresh: mediansOf(r.refresh) }]));
      return {
        smallFamilies,
        ...figures,
        gatewayRatio: round(figures.large.gateway.perSecond / figures.small.gateway.perSecond),
        refreshRatio: round(figures.large.refresh.perSecond / figures.small.refresh.perSecond),
      };
    } finally {
      await smallInstance.stop();
    }
  } finally {
    await small.cleanup();
  }
}

async function gatewayAndRefresh(settings, { prepared, instance, pool, families, coldSpread }) {
  const result = {};
  if (settings.warmUpSeconds > 0) await gatewayLoad({ ...settings, seconds: settings.warmUpSeconds }, prepared);
  const pid = instance.child.pid;
  result.gateway = await withCpu(pid, () => gatewayLoad(settings, prepared, { distinct: Math.min(1_000, families) }));
  result.refresh = await withCpu(pid, () => refreshGrant(settings, prepared, pool));
  // Requests still queued in Gatehouse when the load stopped (or timed out) must not spill into the next run.
  const drainStarted = performance.now();
  await pollHealth(`${prepared.base}/healthz`, instance.child, 120_000);
  await waitIdle(pid, 120_000);
  result.refresh.drainSeconds = round((performance.now() - drainStarted) / 1000, 1);
  result.memory = await memoryOf(instance.child.pid);
  if (coldSpread) result.gatewayColdSpread = await withCpu(pid, () => gatewayLoad(settings, prepared, { distinct: families }));
  return result;
}

/**
 * 2, 5 and 6 on one store: `families` live token families plus the refresh pool. Gateway over the
 * same 1,000 tokens whatever the store holds (so the cache behaves alike), then refresh, then RSS.
 * With `coldSpread`, one more gateway run spreads over every live token (nearly every request
 * misses the token cache and reads the store).
 */
export async function storeRun(settings, { store, families, upstream, coldSpread = false, extra, afterStop }) {
  const pool = { first: families, size: settings.refreshPool };
  const prepared = await prepareGatehouse({
    store,
    databaseUrl: settings.databaseUrl,
    upstreamUrl: upstream.url,
    // A large run also serves the interleaved scale rounds, from the tokens after the pool.
    families: families + pool.size + (coldSpread ? settings.scalePool : 0),
    floodAccounts: extra || afterStop ? settings.floodAccounts : 0,
  });
  try {
    const instance = await serve(prepared, { root: settings.gatehouseRoot, nodeArgs: settings.nodeArgs?.(`gatehouse-${store}-warn`) ?? [] });
    const result = { store, families, refreshPool: pool.size, insertSeconds: round(prepared.insertSeconds, 1) };
    try {
      const pid = instance.child.pid;
      if (!settings.focus) Object.assign(result, await gatewayAndRefresh(settings, { prepared, instance, pool, families, coldSpread }));
      if (coldSpread) result.scale = await scaleRounds(settings, { store, upstream, large: prepared, largePid: pid, largePoolFirst: families + pool.size });
      if (extra) Object.assign(result, await extra(prepared, pid));
      result.memoryAtEnd = await memoryOf(instance.child.pid);
    } finally {
      // Warnings and errors Gatehouse logged (log level warn), if any: the last few lines.
      const logged = instance.child.output.trim().split('\n').filter(Boolean).slice(-5);
      if (logged.length > 0) result.gatehouseLog = logged;
      await instance.stop();
    }
    if (afterStop) Object.assign(result, await afterStop(prepared));
    if (settings.startupRuns > 0) result.startup = await startup(settings, prepared);
    return result;
  } finally {
    await prepared.cleanup();
  }
}
