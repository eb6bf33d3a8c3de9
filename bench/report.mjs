// Turns bench/results/latest.json into BENCHMARKS.md. Also runnable alone, to regenerate the
// page from the last results: node bench/report.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import { BOUNDS, FINDINGS, metricsCostOf, NOTES } from './bounds.mjs';

const fmt = (n) => (n === undefined || n === null || Number.isNaN(n) ? '–' : Number(n).toLocaleString('en-US', { maximumFractionDigits: 2 }));
const ratio = (a, b) => (a && b ? Math.round((a / b) * 100) / 100 : null);
const pct = (share) => (share === undefined || share === null ? null : Math.round(share * 1000) / 10);

const STORE_SUFFIX = /, (SQLite|PostgreSQL)$/;
const storeOf = (t) => (t.id.endsWith('postgres') ? ['PostgreSQL', 'postgresSmall'] : ['SQLite', 'sqliteSmall']);

/**
 * One bullet per bound: the stores that miss a target, and the targets of one scenario, share
 * theirs (each store's figures first, then what they have in common); the notes the bounds lean
 * on follow once, after the bullets.
 */
function boundLines(r, missed) {
  const groups = new Map();
  for (const t of missed) {
    const base = t.id.replace(/-(sqlite|postgres)$/, '');
    const id = BOUNDS[t.id] ? t.id : base;
    const key = BOUNDS[id]?.sameAs ?? id;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(t);
  }
  const lines = [];
  const notes = new Set();
  for (const [key, group] of groups) {
    const bound = BOUNDS[key];
    if (typeof bound !== 'object') {
      for (const t of group) lines.push(`- **${t.name}** (${fmt(t.value)}): ${bound ? bound(r, storeOf(t)[1]) : 'not analysed yet.'}`);
      continue;
    }
    const byName = new Map();
    for (const t of group) {
      const name = t.name.replace(STORE_SUFFIX, '');
      if (!byName.has(name)) byName.set(name, []);
      byName.get(name).push(`${storeOf(t)[0]} ${fmt(t.value)}`);
    }
    const title = [...byName].map(([name, figures]) => `**${name}** (${figures.join(', ')})`).join('; ');
    const stores = new Map(group.map((t) => [storeOf(t)[1], storeOf(t)[0]]));
    const perStore = [...stores].map(([storeKey, name]) => `${name}: ${bound.perStore(r, storeKey)}`).join(' ');
    lines.push(`- ${title}: ${perStore} ${bound.shared(r)}`);
    for (const note of bound.notes ?? []) notes.add(note);
  }
  for (const title of notes) lines.push('', `**${title}.** ${NOTES[title]}`);
  return lines;
}

/** Every target of issue 12 with the run's figure; met is null when the scenario did not run. */
export function evaluateTargets(r) {
  const targets = [];
  const add = (id, name, target, value, met) => targets.push({ id, name, target, value, met: value === null || value === undefined ? null : met });
  const stores = [['SQLite', 'sqlite', r.sqliteSmall, r.sqliteLarge], ['PostgreSQL', 'postgres', r.postgresSmall, r.postgresLarge]];
  add('refresh-sqlite', 'Refresh grants/s, SQLite, 16 connections', '≥ 4,000/s', r.sqliteSmall?.refresh?.perSecond, r.sqliteSmall?.refresh?.perSecond >= 4000);
  add('refresh-postgres', 'Refresh grants/s, PostgreSQL + Redis', '≥ 2,000/s', r.postgresSmall?.refresh?.perSecond, r.postgresSmall?.refresh?.perSecond >= 2000);
  for (const [name, id, small] of stores) {
    if (!small) continue;
    const pw = ratio(small.passwordGrant?.perSecond, small.argon2Raw?.perSecond);
    add(`password-${id}`, `Password grant / raw argon2id at its best concurrency, ${name}`, '≥ 0.95', pw, pw >= 0.95);
  }
  for (const [name, id, small] of stores) {
    const gw = small?.gatewayRounds?.warn;
    if (!gw) continue;
    add(`gateway-ratio-${id}`, `Gateway / bare proxy, req/s, 32 connections, interleaved rounds, ${name}`, '≥ 0.9', gw.ratioToBareProxy, gw.ratioToBareProxy >= 0.9);
  }
  for (const [name, id, small] of stores) {
    const iso = small?.isolation?.warn;
    if (!iso) continue;
    add(`isolation-${id}`, `Gateway p99 under password flood / idle, ${name}`, '≤ 2×', iso.p99Ratio, iso.p99Ratio <= 2);
    add(`isolation-delivered-${id}`, `Share of ${fmt(r.settings.isolationRate)} req/s delivered under the flood, ${name}`, '≥ 99%', pct(iso.deliveredShare), iso.deliveredShare >= 0.99);
  }
  for (const [name, id, , , cost] of metricsCosts(r)) {
    const figure = cost.cpuQuartileRatio ?? cost.cpuRatio;
    const what = cost.cpuQuartileRatio === undefined ? 'medians' : 'lower quartiles';
    add(`metrics-cost-${id}`, `Gateway with metrics on / off, CPU per request, ${what} of ${cost.pairCpuRatios.length} fresh processes each (req/s in the section), ${name}`, '≥ 0.97', figure, figure >= 0.97);
  }
  for (const [store, , small, large] of stores) {
    if (!small?.gateway || !large) continue;
    const n = fmt(large.families);
    // Interleaved rounds of both stores served at once (scaleRounds) when the run has them.
    const g = large.scale?.gatewayRatio ?? ratio(large.gateway.perSecond, small.gateway.perSecond);
    const f = large.scale?.refreshRatio ?? ratio(large.refresh.perSecond, small.refresh.perSecond);
    const how = large.scale ? ', interleaved rounds' : '';
    add(`scale-gateway-${store}`, `Gateway req/s, ${n} vs ${fmt(small.families)} families${how}, ${store}`, '≥ 0.9', g, g >= 0.9);
    add(`scale-refresh-${store}`, `Refresh/s, ${n} vs ${fmt(small.families)} families${how}, ${store}`, '≥ 0.9', f, f >= 0.9);
    add(`scale-rss-${store}`, `Gatehouse RSS with ${n} families, ${store}`, '≤ 250 MB', large.memory.rssMB, large.memory.rssMB <= 250);
  }
  return targets;
}

/**
 * Issue 15's metrics cost per store: [name, id, date, load average, figures]. The last
 * --metrics-cost run (results.metricsCostRun) has more pairs than a full run's, so it wins.
 */
function metricsCosts(r) {
  const own = r.metricsCostRun;
  return [
    ['SQLite', 'sqlite', 'sqliteSmall'],
    ['PostgreSQL', 'postgres', 'postgresSmall'],
  ].flatMap(([name, id, key]) => {
    const cost = metricsCostOf(r, key);
    if (!cost) return [];
    const run = cost === r[key]?.metricsCost ? r : own;
    return [[name, id, run.date, run.loadAverage, cost]];
  });
}

/** The lower-quartile figure and its interval, where the results have them (not before 2026-11-30). */
function quartileCell(cost) {
  if (cost.cpuQuartileRatio === undefined) return '';
  const [low, high] = cost.cpuQuartileRatioInterval;
  return `CPU lower quartiles **${fmt(cost.cpuQuartileRatio)}** (95%: ${fmt(low)}–${fmt(high)}); `;
}

function metricsSection(r) {
  const costs = metricsCosts(r);
  if (costs.length === 0) return [];
  const settings = r.metricsCostRun?.settings ?? r.settings;
  const lines = [
    '## Metrics cost (issue 15)',
    '',
    `Gatehouse with \`metrics.enabled: false\` (A) and with the default Prometheus metrics (C), same store, same upstream, one valid token,`,
    `${settings.gatewayConnections} connections: rounds of ${settings.roundSeconds} s interleaved A C C A A C … (${settings.metricsRounds} of each), each round in a fresh`,
    `process after an unrecorded warm-up (${settings.warmUpSeconds} s, and on until ${fmt(settings.warmUpRequests)} answers, at most 30 s), medians. Wanted: throughput with metrics ≥ 0.97× without. On a machine shared with`,
    'other work req/s moves with the neighbours, so the primary figure is the CPU Gatehouse spends per request (off / on: 1 means free). Other work only ever',
    "adds to a process's CPU per request, while what the metrics cost is there in every process: the figure compares the lower quartiles of the",
    'processes of each side (the least disturbed; Chen & Revels, "Robust benchmarking in noisy environments", 2016, take the minimum), with a 95%',
    'bootstrap interval (4,000 resamples of the processes of each side).',
    '',
    '| Store | Run (load average 1/5/15 min at start) | Metrics | req/s (median) | p99 | CPU µs/req: Gatehouse / upstream / load gen. | rounds (req/s) | on / off |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const [name, , date, load, cost] of costs) {
    const row = (label, x, last) =>
      `| ${name} | ${date} (${load?.start ?? '–'}) | ${label} | ${fmt(x.perSecond)} | ${fmt(x.p99)} | ${cpuCell(x.cpuMicrosPerRequest)} | ${x.rounds.map((k) => fmt(k.perSecond)).join(', ')} | ${last} |`;
    lines.push(row('off', cost.metricsOff, ''));
    lines.push(
      row('on', cost.metricsOn, `${quartileCell(cost)}CPU medians ${fmt(cost.cpuRatio)} (pairs ${cost.pairCpuRatios.map(fmt).join(', ')}); req/s ${fmt(cost.ratio)} (pairs ${cost.pairRatios.map(fmt).join(', ')})`),
    );
  }
  for (const [name, , , , cost] of costs) {
    if (cost.hotPathNanosPerRequest === undefined) continue;
    const share = (cost.hotPathNanosPerRequest / 1000 / cost.metricsOff.cpuMicrosPerRequest.server) * 100;
    lines.push(
      '',
      `${name}: what the metrics do per gateway request (the onResponse hook's status-class counter and latency histogram, pre-bound to the API), ` +
        `timed alone in the bench's process: **${fmt(cost.hotPathNanosPerRequest)} ns** of CPU, ${fmt(Math.round(share * 100) / 100)}% of the ${fmt(cost.metricsOff.cpuMicrosPerRequest.server)} µs ` +
        'a request costs with metrics off.',
    );
  }
  lines.push('');
  return lines;
}

const LOAD_HEADER = ['| {what} | req/s (2xx) | p50 | p99 | connections | non-2xx + errors | server CPU % (µs/req) |', '| --- | --- | --- | --- | --- | --- | --- |'];
const loadHeader = (what) => [LOAD_HEADER[0].replace('{what}', what), LOAD_HEADER[1]];

function loadRow(label, l) {
  if (!l) return `| ${label} | – | – | – | – | – | – |`;
  const cpu = l.serverCpuPercent === undefined ? '–' : `${fmt(l.serverCpuPercent)} (${fmt(l.serverCpuMicrosPerRequest)})`;
  const failed = l.non2xx + l.errors;
  const codes = l.statusCodes ? ` (${Object.entries(l.statusCodes).filter(([c]) => !c.startsWith('2')).map(([c, n]) => `${n}× ${c}`).join(', ')})` : '';
  return `| ${label} | ${fmt(l.perSecond)} | ${fmt(l.p50)} | ${fmt(l.p99)} | ${l.connections}${l.offeredRate ? ` @ ${fmt(l.offeredRate)}/s` : ''} | ${fmt(failed)}${failed ? codes : ''} | ${cpu} |`;
}

const STORES = [['SQLite', 'sqliteSmall'], ['PostgreSQL', 'postgresSmall']];

function cpuCell(cpu) {
  if (!cpu) return '–';
  return `${fmt(cpu.server)} / ${fmt(cpu.upstream)} / ${fmt(cpu.loadGenerator)}`;
}

/**
 * How fast the machine's CPU was in this run: raw argon2id alone (concurrency 1, its own process)
 * is pure computation in a fixed library, so its CPU per verification tells a slow run (a busy
 * host, which the guest's load average and steal time do not show) from a slow build.
 */
function machineSpeed(r) {
  const alone = [r.sqliteSmall, r.postgresSmall].map((s) => s?.argon2Raw?.sweep?.find((k) => k.concurrency === 1)?.cpuMicrosPerVerification).filter(Boolean);
  if (alone.length === 0) return [];
  return [
    `Machine speed: one raw argon2id verification alone took ${alone.map(fmt).join(' and ')} µs of CPU in this run (SQLite's and PostgreSQL's sweeps);`,
    'on an AMD EPYC host 9,105–9,610 µs in the run of 2026-11-30 12:31 (quiet), 10,967–17,041 µs that afternoon (bench/results/2026-11-30T13-42.json',
    'and T14-31.json, busy); on an Intel Xeon host 11,295–13,922 µs that evening (T16-18.json and T17-21.json); on an AMD EPYC host again',
    '13,947–18,211 µs at 18:55 (T18-55.json). Absolute rates (refreshes/s) move with it; ratios less, though a busy host also widens their',
    'spread, and a kind of CPU has ratios of its own (the gateway against the bare proxy: 0.88–0.95 on the AMD host at midday and 0.92–1.01',
    'at 18:55; 0.78–0.79 at 16:18 and 0.86–0.90 at 17:21 on the Intel one).',
  ];
}

function gatewaySection(r) {
  const lines = [
    '## Gateway against a bare proxy',
    '',
    `The same upstream (node:http, its own process), through a bare Fastify + \`@fastify/reply-from\` proxy (${r.settings.bareProxyKind}; no token`,
    `check, its own process, Fastify's default logger at the same level) and through Gatehouse with one valid token (cached after`,
    ...(r.settings.gatewayPairs
      ? [
          `its first use), ${r.settings.gatewayConnections} connections: rounds of ${r.settings.roundSeconds} s interleaved A C, C A, A C … (${r.settings.gatewayPairs} of each),`,
          `each round in a fresh process after ${r.settings.warmUpSeconds} s (and at least ${fmt(r.settings.warmUpRequests)} answers) of unrecorded load; medians.`,
        ]
      : [
          // Runs before 2026-11-30 afternoon: one process a side for all its rounds.
          `its first use), ${r.settings.gatewayConnections} connections, after ${r.settings.warmUpSeconds} s of unrecorded load on each: rounds of ${r.settings.roundSeconds} s interleaved`,
          `A C A C … (${r.settings.rounds} of each, one process a side), medians.`,
        ]),
    "CPU: µs per request of the proxy / the upstream / the load generator (autocannon, the bench's own process).",
    '',
    '| Store | Log level | Path | req/s (median) | p50 | p99 | CPU µs/req: proxy / upstream / load gen. | rounds (req/s) | Gatehouse / bare |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const [name, key] of STORES) {
    for (const [level, g] of Object.entries(r[key]?.gatewayRounds ?? {})) {
      const row = (label, x, last) =>
        `| ${name} | ${level} | ${label} | ${fmt(x.perSecond)} | ${fmt(x.p50)} | ${fmt(x.p99)} | ${cpuCell(x.cpuMicrosPerRequest)} | ${x.rounds.map((k) => fmt(k.perSecond)).join(', ')} | ${last} |`;
      lines.push(row('bare proxy', g.bareProxy, ''));
      const quartiles = g.cpuQuartileRatio ? `; CPU, lower quartiles ${fmt(g.cpuQuartileRatio)} (95% ${g.cpuQuartileRatioInterval.map(fmt).join('–')})` : '';
      lines.push(row('Gatehouse', g.gatehouse, `**${fmt(g.ratioToBareProxy)}** (pairs ${g.pairRatios.map(fmt).join(', ')}; CPU, medians ${fmt(g.cpuRatio)}${quartiles})`));
    }
  }
  lines.push(
    '',
    '"CPU" in the last column: the bare proxy\'s CPU per request over Gatehouse\'s, the ratio the two would reach if the proxy process alone bounded',
    'them; as medians, and as the ratio of the lower quartiles of the fresh processes with a 95% bootstrap interval (see the metrics section).',
    '',
  );
  return lines;
}

function isolationSection(r) {
  const lines = [
    '## Isolation',
    '',
    `Gateway at ${fmt(r.settings.isolationRate)} req/s (${r.settings.moderateConnections} connections), idle and while ${r.settings.floodConnections} connections send password grants for ` +
      `${fmt(r.settings.floodAccounts)} accounts (round robin, so that brute-force protection refuses none) to the same process. The gateway's requests are sent at a ` +
      'steady rate, one every 2 ms whether or not earlier ones were answered (bench/lib/paced.mjs; until 2026-11-29 autocannon\'s overallRate, which sends each ' +
      "connection's share of a second back to back and drops what it has not sent by the next tick); \"share delivered\" is of the requests offered, answered 2xx." +
      (r.settings.isolationPairs
        ? ` Rounds of ${r.settings.roundSeconds} s interleaved idle, flood, idle, flood … (${r.settings.isolationPairs} of each; the flood starts ${r.settings.floodLeadSeconds} s before its round and ` +
          'the next idle round waits until Gatehouse is idle); medians, and the p99 ratio of each pair in brackets.'
        : ''),
    '',
    ...loadHeader('Store, log level: gateway'),
  ];
  for (const [name, key] of STORES) {
    for (const [level, iso] of Object.entries(r[key]?.isolation ?? {})) {
      lines.push(loadRow(`${name}, ${level}: idle`, iso.idle));
      lines.push(loadRow(`${name}, ${level}: under password flood`, iso.underFlood));
      lines.push(loadRow(`${name}, ${level}: (the flood: password grants)`, iso.flood));
      const pairs = iso.pairP99Ratios ? ` (${iso.pairP99Ratios.map(fmt).join(', ')})` : '';
      lines.push(`| ${name}, ${level}: p99 under flood / idle${pairs}, share delivered | **${fmt(iso.p99Ratio)}×** | **${fmt(pct(iso.deliveredShare))}%** | | | | |`);
    }
  }
  lines.push('');
  return lines;
}

function passwordSection(r) {
  const lines = ['## Password grant (argon2id m=19 MiB, t=2, p=1)', ''];
  for (const [name, key] of STORES) {
    const s = r[key];
    if (!s?.argon2Raw) continue;
    const a = s.argon2Raw;
    const list = (xs, pick) => xs.map(pick).join(', ');
    if (!a.sweep) {
      // Results written before the rounds were interleaved (2026-11-29): one sweep before the grants, one after.
      const runs = (x) => list(x.runs, (k) => `${k.concurrency}: ${fmt(k.perSecond)}`);
      lines.push(
        `${name}: raw argon2id right before the password grants — ${runs(a.before)} /s — and right after — ${runs(a.after)} /s; best of each, mean: ` +
          `**${fmt(a.perSecond)}/s**. Password grants: ${fmt(s.passwordGrant.perSecond)}/s (ratio **${fmt(ratio(s.passwordGrant.perSecond, a.perSecond))}**).`,
        '',
      );
      continue;
    }
    lines.push(
      `${name}: raw argon2id (its own process, libuv's pool sized to the concurrency), by concurrency — ` +
        `${list(a.sweep, (k) => `${k.concurrency}: ${fmt(k.perSecond)}`)} /s; then rounds of password grants and of raw argon2id at ` +
        `concurrency ${a.concurrency}, interleaved: raw ${list(a.rounds, (k) => fmt(k.perSecond))} /s (median **${fmt(a.perSecond)}/s**), ` +
        `grants ${list(s.passwordGrant.rounds, (k) => fmt(k.perSecond))} /s (median **${fmt(s.passwordGrant.perSecond)}/s**): ratio ` +
        `**${fmt(ratio(s.passwordGrant.perSecond, a.perSecond))}**. CPU: ${fmt(a.cpuMicrosPerVerification)} µs per raw verification, ` +
        `${fmt(s.passwordGrant.serverCpuMicrosPerRequest)} µs of Gatehouse's per grant (hashing included; PostgreSQL's own not counted).`,
      '',
    );
  }
  lines.push(...loadHeader('Store'));
  for (const [name, key] of STORES) if (r[key]?.passwordGrant) lines.push(loadRow(`${name}: password grant, ${fmt(r.settings.floodAccounts)} accounts`, r[key].passwordGrant));
  lines.push('');
  return lines;
}

export function renderReport(r) {
  const targets = evaluateTargets(r);
  const m = r.machine;
  const lines = [
    '# Benchmarks',
    '',
    '<!-- Generated by `npm run bench` (bench/report.mjs) from bench/results/latest.json; do not edit by hand. -->',
    '',
    `Run of ${r.date} (${r.totalSeconds} s in all), on ${m.cpu}, ${m.cores} cores, ${m.memoryGB} GB memory, ${m.os}, Node ${m.node}.`,
    `Everything on loopback on this one machine: Gatehouse (\`node dist/cli/main.js serve\`, log level warn unless a table says info), the upstream (node:http),`,
    `the bare proxy, the load generator (autocannon) and PostgreSQL share its ${m.cores} cores. ${r.settings.seconds} s per measurement unless said otherwise. Latencies in ms.`,
    `Load average ${r.loadAverage?.start ?? '–'} at the start, ${r.loadAverage?.end ?? '–'} at the end (1, 5, 15 min): other work shares the machine,`,
    'hence every limit is measured in the same run, next to what it is compared with, and figures move between runs.',
    ...machineSpeed(r),
    ...(Number.parseFloat(r.loadAverage?.start) > 2 * m.cores
      ? ['', `**The machine was overloaded during this run (load average above ${2 * m.cores} on ${m.cores} cores): absolute figures are a fraction of its capacity, ratios are noisy; CPU µs per request is the steadiest figure.**`]
      : []),
    '',
    '## Targets (issues 12 and 15)',
    '',
    '| Target | Figure | Wanted | Met |',
    '| --- | --- | --- | --- |',
    ...targets.map((t) => `| ${t.name} | ${fmt(t.value)} | ${t.target} | ${t.met === null ? 'not run' : t.met ? 'yes' : '**no**'} |`),
    '',
  ];
  const missed = targets.filter((t) => t.met === false);
  if (missed.length > 0) lines.push('### What bounds the missed ones', '', ...boundLines(r, missed), '');
  lines.push(...gatewaySection(r), ...FINDINGS(r), '', ...metricsSection(r), ...passwordSection(r), ...isolationSection(r));
  const scaleRuns = [r.sqliteSmall, r.sqliteLarge, r.postgresSmall, r.postgresLarge].filter((run) => run?.refresh);
  if (scaleRuns.length > 0) {
    lines.push(
      '## Refresh grant and scale',
      '',
      `Each store holds N live token families (one access and one refresh token each) plus ${fmt(r.settings.refreshPool)} pre-minted refresh tokens that the`,
      'refresh run hands out, one per request. The gateway run cycles over the same 1,000 access tokens whatever N is (the token cache',
      'behaves alike); the "spread" run cycles over all N, so that nearly every request misses the cache and reads the store.',
      'RSS is that of the Gatehouse process after the gateway and refresh runs (peak in brackets).',
      '',
      '| Store | N families | insert (s) | gateway req/s | gateway p99 | spread req/s | spread p99 | refresh/s | refresh p50 | refresh p99 | refresh CPU % | RSS MB | start-up ms |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    );
    for (const run of scaleRuns) {
      lines.push(
        `| ${run.store} | ${fmt(run.families)} | ${fmt(run.insertSeconds)} | ${fmt(run.gateway.perSecond)} | ${fmt(run.gateway.p99)} | ` +
          `${fmt(run.gatewayColdSpread?.perSecond)} | ${fmt(run.gatewayColdSpread?.p99)} | ${fmt(run.refresh.perSecond)} | ${fmt(run.refresh.p50)} | ` +
          `${fmt(run.refresh.p99)} | ${fmt(run.refresh.serverCpuPercent)} | ${fmt(run.memory.rssMB)} (${fmt(run.memoryAtEnd.peakRssMB)}) | ${fmt(run.startup?.medianMs)} |`,
      );
    }
    lines.push('', 'Start-up: from spawning `gatehouse serve` to its "gatehouse ready" log line, on an existing store (median of the restarts).', '');
    const interleaved = [r.sqliteLarge, r.postgresLarge].filter((run) => run?.scale);
    if (interleaved.length > 0) {
      lines.push(
        'The targets on N compare interleaved rounds: a second Gatehouse with the small N served beside the large one, rounds alternating',
        `small, large (${r.settings.rounds} of each, ${r.settings.roundSeconds} s): the gateway over the same 1,000 tokens, then refresh grants on fresh tokens; medians.`,
        'Since 2026-11-30 the order turns each round (small large, large small, …) and a round starts only once both processes are idle: before, the small',
        "store's checkpoint after its refresh round ran during the large one's.",
        '',
        '| Store | N families | gateway req/s | gateway CPU µs/req | refresh/s | refresh CPU µs/req |',
        '| --- | --- | --- | --- | --- | --- |',
      );
      for (const run of interleaved) {
        for (const [n, side] of [[run.scale.smallFamilies, run.scale.small], [run.families, run.scale.large]]) {
          lines.push(
            `| ${run.store} | ${fmt(n)} | ${fmt(side.gateway.perSecond)} | ${fmt(side.gateway.serverCpuMicrosPerRequest)} | ` +
              `${fmt(side.refresh.perSecond)} | ${fmt(side.refresh.serverCpuMicrosPerRequest)} |`,
          );
        }
      }
      lines.push('');
    }
  }
  if (!r.postgresSmall) lines.push('PostgreSQL: not run (DATABASE_URL was not set).', '');
  lines.push(
    '## How to run',
    '',
    '`npm run bench` (builds first; about 35 minutes; PostgreSQL scenarios when `DATABASE_URL` is set, each in a schema of its own,',
    'dropped afterwards). `npm run bench:smoke` runs every scenario for a second on tiny data and checks only that they ran.',
    '`node bench/run.mjs --focus [--gatehouse-root DIR] [--out FILE] [--bare reply-from|reply-from-identity|http-proxy|off] [--cpu-prof DIR] [--gateway-pairs N]`:',
    'only the gateway, password-grant and isolation scenarios, of the build in DIR (a before/after), into FILE, against another bare proxy,',
    'with CPU profiles, with N gateway / bare proxy pairs of fresh processes (5); `--gateway-only` leaves out the password grant and isolation.',
    '`node bench/ab.mjs --roots DIR,DIR,bare,bare-identity [--scenario gateway|refresh] [--rounds N] [--requests N] [--warm-up N] [--level warn|info] [--cpu-prof DIR]`:',
    'builds (and the bare proxy) compared by CPU µs per request, each in its own process per round, interleaved, medians: the figure',
    'that a shared machine distorts least.',
    '`node bench/run.mjs --metrics-cost [--pairs N]`: only the metrics cost, 24 pairs on SQLite and (with `DATABASE_URL`) PostgreSQL (about 16',
    'minutes), merged into the last results and this page; a full run keeps the last one.',
    '`node bench/store-rotation.mjs --roots DIR,DIR [--count N] [--families N] [--rounds N]`: the SQLite store alone, refresh rotations per',
    "build: CPU µs per rotation, rotations/s and the event loop's longest stall.",
    '`DATABASE_URL=… node bench/postgres-wal.mjs [--families 1000,1000000]`: refresh grants against PostgreSQL with few and many families:',
    'WAL records, full-page images, WAL bytes and shared-buffer misses per refresh.',
    '',
  );
  return { markdown: lines.join('\n'), targets };
}

export function writeReport(results, file) {
  const report = renderReport(results);
  writeFileSync(file, report.markdown);
  return report;
}

// `node bench/report.mjs [RESULTS.json [OUT.md]]`: BENCHMARKS.md again from bench/results/latest.json,
// or the report of another run's results (e.g. one kept in bench/results/) into OUT.md.
if (import.meta.url === `file://${process.argv[1]}`) {
  const [input, output] = process.argv.slice(2);
  const results = JSON.parse(readFileSync(input ?? new URL('./results/latest.json', import.meta.url), 'utf8'));
  writeReport(results, output ?? new URL('../BENCHMARKS.md', import.meta.url).pathname);
}
