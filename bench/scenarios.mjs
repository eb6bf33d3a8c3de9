// The scenarios of `npm run bench`. Each takes the run's settings and returns plain figures;
// run.mjs puts them together and report.mjs turns them into BENCHMARKS.md.
import { basic, FORM, load } from './lib/load.mjs';
import { cpuSecondsOf, memoryOf, startChild, stopChild, waitForOutput, waitIdle } from './lib/children.mjs';
import { API_PREFIX, pollHealth, prepareGatehouse, serve } from './lib/gatehouse.mjs';

const here = (file) => new URL(file, import.meta.url).pathname;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
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
export async function startListener(script, args = []) {
  const child = startChild(process.execPath, [here(script), ...args]);
  const line = await waitForOutput(child, /^listening \d+/, 15_000);
  return { child, url: `http://127.0.0.1:${line.split(' ')[1]}`, stop: () => stopChild(child) };
}

/** 1. The physical limit: argon2id verifications per second, in a process of its own. */
export async function rawArgon2(settings) {
  const child = startChild(process.execPath, [here('argon2-raw.mjs'), String(settings.argon2Seconds)]);
  const line = await waitForOutput(child, /^\{/, (settings.seconds + 30) * 1000);
  await child.exited;
  return JSON.parse(line);
}

function passwordGrantRequest(gatehouse) {
  const c = gatehouse.credentials;
  return {
    url: gatehouse.tokenUrl,
    method: 'POST',
    headers: { 'content-type': FORM, authorization: basic(c.confidentialClientId, c.confidentialClientSecret) },
    body: new URLSearchParams({ grant_type: 'password', username: c.username, password: c.password }).toString(),
  };
}

/** 1. Password grants with the OWASP parameters, as many at once as the thread pool hashes. */
export function passwordGrant(settings, gatehouse) {
  return load({ ...passwordGrantRequest(gatehouse), connections: settings.threadpool, seconds: settings.seconds });
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
export function gatewayLoad(settings, gatehouse, { distinct = 1, offset = 0, rate, connections } = {}) {
  let next = 0;
  return load({
    url: gatehouse.base,
    connections: connections ?? settings.gatewayConnections,
    seconds: settings.seconds,
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

/** 3. The same upstream: direct, through the bare proxy, through Gatehouse; flat out, then at a moderate fixed rate. */
export async function gateway(settings, gatehouse, upstream, bareProxy, pid) {
  const plain = (url, rate) =>
    load({ url: `${url}/items/1`, connections: rate ? settings.moderateConnections : settings.gatewayConnections, seconds: settings.seconds, rate });
  if (settings.warmUpSeconds > 0) {
    await load({ url: `${bareProxy.url}${API_PREFIX}/items/1`, connections: settings.gatewayConnections, seconds: settings.warmUpSeconds });
  }
  const max = {
    direct: await plain(upstream.url),
    bareProxy: await withCpu(bareProxy.child.pid, () => plain(`${bareProxy.url}${API_PREFIX}`)),
    gatehouse: await withCpu(pid, () => gatewayLoad(settings, gatehouse)),
  };
  const rate = settings.moderateRate;
  const moderate = {
    rate,
    direct: await plain(upstream.url, rate),
    bareProxy: await plain(`${bareProxy.url}${API_PREFIX}`, rate),
    gatehouse: await gatewayLoad(settings, gatehouse, { rate, connections: settings.moderateConnections }),
  };
  return {
    max,
    moderate,
    ratioToBareProxy: round(max.gatehouse.perSecond / max.bareProxy.perSecond),
    addedP99Ms: round(moderate.gatehouse.p99 - moderate.bareProxy.p99),
  };
}

/** 4. Gateway p99 at the moderate rate, idle and then while password grants flood the same process. */
export async function isolation(settings, gatehouse) {
  const rate = settings.moderateRate;
  const connections = settings.moderateConnections;
  const idle = await gatewayLoad(settings, gatehouse, { rate, connections });
  const floodOptions = { ...passwordGrantRequest(gatehouse), connections: settings.threadpool * 2, seconds: settings.seconds + 2 };
  const flood = startChild(process.execPath, [here('flood.mjs'), JSON.stringify(floodOptions)]);
  try {
    await new Promise((resolve) => setTimeout(resolve, settings.floodLeadSeconds * 1000)); // the flood is under way
    const underFlood = await gatewayLoad(settings, gatehouse, { rate, connections });
    const floodResult = JSON.parse(await waitForOutput(flood, /^\{/, (settings.seconds + 30) * 1000));
    return { idle, underFlood, flood: floodResult, p99Ratio: round(underFlood.p99 / idle.p99) };
  } finally {
    await stopChild(flood, 1_000);
  }
}

/** 6. Spawn to the "gatehouse ready" log line (log level info), median of `runs` restarts. */
export async function startup(settings, prepared) {
  const times = [];
  for (let i = 0; i < settings.startupRuns; i++) {
    const instance = await serve(prepared, { logLevel: 'info' });
    times.push(instance.readyMs);
    await instance.stop();
  }
  return { medianMs: Math.round(median(times)), runsMs: times.map((t) => Math.round(t)), families: prepared.families };
}

/**
 * 2, 5 and 6 on one store: `families` live token families plus the refresh pool. Gateway over the
 * same 1,000 tokens whatever the store holds (so the cache behaves alike), then refresh, then RSS.
 * With `coldSpread`, one more gateway run spreads over every live token (nearly every request
 * misses the token cache and reads the store).
 */
export async function storeRun(settings, { store, families, upstream, coldSpread = false, extra }) {
  const pool = { first: families, size: settings.refreshPool };
  const prepared = await prepareGatehouse({ store, databaseUrl: settings.databaseUrl, upstreamUrl: upstream.url, families: families + pool.size });
  try {
    const instance = await serve(prepared);
    const result = { store, families, refreshPool: pool.size, insertSeconds: round(prepared.insertSeconds, 1) };
    try {
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
      if (extra) Object.assign(result, await extra(prepared, pid));
      result.memoryAtEnd = await memoryOf(instance.child.pid);
    } finally {
      // Warnings and errors Gatehouse logged (log level warn), if any: the last few lines.
      const logged = instance.child.output.trim().split('\n').filter(Boolean).slice(-5);
      if (logged.length > 0) result.gatehouseLog = logged;
      await instance.stop();
    }
    result.startup = await startup(settings, prepared);
    return result;
  } finally {
    await prepared.cleanup();
  }
}

/**
 * 4, what was tried: the isolation run again on a Gatehouse whose libuv pool has one thread
 * (UV_THREADPOOL_SIZE=1), so that hashing can take at most one of the cores.
 */
export async function isolationOneHashThread(settings, upstream) {
  const prepared = await prepareGatehouse({ store: 'sqlite', databaseUrl: null, upstreamUrl: upstream.url, families: 10 });
  try {
    const instance = await serve(prepared, { env: { UV_THREADPOOL_SIZE: '1' } });
    try {
      if (settings.warmUpSeconds > 0) await gatewayLoad({ ...settings, seconds: settings.warmUpSeconds }, prepared);
      return { uvThreadpoolSize: 1, ...(await isolation(settings, prepared)) };
    } finally {
      await instance.stop();
    }
  } finally {
    await prepared.cleanup();
  }
}
