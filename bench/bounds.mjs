// What bounds each target when it is missed, as found by profiling and by the extra runs of the
// bench; the figures are filled in from the run being reported. Keyed by target id (scale ids
// without their store suffix).
const fmt = (n) => (n === undefined || n === null ? '–' : Number(n).toLocaleString('en-US', { maximumFractionDigits: 1 }));

const SQLITE_REFRESH =
  'A refresh is two statements prepared once (src/store/sql/sqlite-hot-paths.ts): the client lookup, then the rotation, which ' +
  'consumes the token only for its holder and enabled user and inserts the new pair. Rotations asked for in the same event-loop ' +
  'turn commit in one better-sqlite3 transaction, each in a savepoint (a failing one is rolled back alone), and each is answered ' +
  'only after that COMMIT: about 10 rotations per commit at 16 connections. A COMMIT per refresh had appended about nine pages to ' +
  'the WAL (the token tables\' B-trees and their primary key, family_id and expires_at indexes) and every ~110 refreshes a ' +
  'checkpoint copied 1,000 pages back: 26 pwrites per refresh, 12 per rotation in batches of 16. The savepoints\' journal is kept ' +
  'in memory (temp_store = MEMORY; on file it cost a pwrite per page past 64 KiB). Since 2026-11-30 checkpoints run on a thread of their own ' +
  '(src/store/sqlite-checkpointer.ts), every 500 ms, each followed by an fsync of the database file, with a short finishing one on the event loop ' +
  'once the WAL holds 10,000 pages. ' +
  'Measured with synchronous = NORMAL in WAL mode, as before: an answered refresh survives a crash of the process; a power loss ' +
  'can lose those since the last checkpoint. What the profile shows now: the rotation (COMMIT, savepoints, statements: ~31% of ' +
  'the samples; 37% before, at twice the CPU per refresh), socket writes (writev, ~9%), the client lookup (~4%), Fastify (~4%). Tried and dropped: ' +
  'WITHOUT ROWID token tables (the store alone, 16 callers: 104 -> 145 µs per rotation; rows ordered by a random hash split more ' +
  'pages than the rowid tables\' appends), a larger cache_size (no gain at 60,000 families).';

// Paragraphs that several bounds lean on, printed once after them (report.mjs), each under its title.
// Measured 2026-11-30 with one-off scripts on this machine (SQLite store, paced load, /proc CPU).
export const NOTES = {
  'A request that arrives alone':
    'On this VM a request that arrives alone costs every process about three times what it costs in a stream (all figures of one hour, on the ' +
    'busy host of 2026-11-30 afternoon): at 500 gateway requests/s (paced, 8 connections) Gatehouse\'s event loop used 338–408 µs of CPU per ' +
    'request (user ~400, sys ~70) against 111–157 µs at 32 connections, and the bare proxy alone 498–815 µs at 500/s against 165 µs at 2,000/s ' +
    '(the upstream 173–290 against 53, the load generator 394–495 against 105). It is not Gatehouse\'s timers (6 ms of CPU per second when idle) nor, mostly, the hashing: raw argon2id on both vCPUs ' +
    'beside it (its own process, SCHED_IDLE) moved Gatehouse\'s figure from 380, 408, 338 to 465, 385, 410 µs in three interleaved pairs. A password ' +
    'grant is such a request, with more hops (the hashing thread, the store): 1,833 µs user and 361 µs sys on the event loop per grant in a SQLite ' +
    'flood of 108 grants/s.',
};
const seeNote = (title) => `(see "${title}" below) `;

/** A store's metrics cost: the --metrics-cost run's if it has one for the store, else the full run's. */
export function metricsCostOf(r, key) {
  const own = r.metricsCostRun;
  const store = key === 'sqliteSmall' ? 'sqlite' : 'postgres';
  // Before 2026-11-30 a --metrics-cost run was SQLite only, its figures at the top level.
  return own?.[store]?.metricsCost ?? (store === 'sqlite' ? own?.metricsCost : undefined) ?? r[key]?.metricsCost;
}

/** On a machine every process shares, throughput follows the CPU all of them spend per request. */
function sumOfProcesses(g, cores) {
  const partsOf = (side) => ['server', 'upstream', 'loadGenerator'].map((k) => side.cpuMicrosPerRequest[k]);
  const [bare, gate] = [partsOf(g.bareProxy), partsOf(g.gatehouse)];
  const [bareTotal, gateTotal] = [bare, gate].map((parts) => parts.reduce((a, b) => a + b, 0));
  return (
    `On ${cores} cores that all the processes share, throughput follows the CPU they spend per request together (proxy, upstream, load generator): ` +
    `${bare.map(fmt).join(' + ')} = ${fmt(bareTotal)} µs for the bare proxy against ${gate.map(fmt).join(' + ')} = ${fmt(gateTotal)} µs for Gatehouse, ` +
    `a ratio of ${(bareTotal / gateTotal).toFixed(2)} against the ${g.ratioToBareProxy.toFixed(2)} measured.`
  );
}

/** This run's interleaved refresh rounds, large over small: req/s and Gatehouse's CPU per refresh. */
function scaleRounds(scale) {
  const small = scale?.small?.refresh;
  const large = scale?.large?.refresh;
  if (!small?.rounds || !large?.rounds) return '';
  const pairs = (of) => large.rounds.map((k, i) => of(k, small.rounds[i]).toFixed(2)).join(', ');
  return (
    `This run's rounds, large / small: ${pairs((l, s) => l.perSecond / s.perSecond)} in refreshes/s; Gatehouse's CPU per refresh, small / large, ` +
    `${pairs((l, s) => s.serverCpuMicrosPerRequest / l.serverCpuMicrosPerRequest)} (${large.rounds.map((k) => fmt(k.serverCpuMicrosPerRequest)).join(', ')} µs ` +
    `with the large store): a rate ratio below the CPU ratio is time the large store's process did not compute (waiting for the store, the disk, ` +
    'or a CPU the machine gave elsewhere). '
  );
}

export const BOUNDS = {
  // A target missed on both stores is one bullet: each store's figures, then what they share.
  password: {
    perStore: (r, key) => {
      const s = r[key];
      const a = s.argon2Raw;
      const raw = a.sweep
        ? `raw argon2id at concurrency ${a.concurrency} (its best in the sweep), in rounds interleaved with the grants': ${a.rounds.map((k) => fmt(k.perSecond)).join(', ')}/s; `
        : `raw argon2id: ${fmt(a.before.perSecond)}/s before the grants and ${fmt(a.after.perSecond)}/s after; `;
      return raw + `${fmt(a.cpuMicrosPerVerification)} µs of CPU per raw verification against ${fmt(s.passwordGrant.serverCpuMicrosPerRequest)} µs of Gatehouse's per grant (hashing threads included).`;
    },
    shared: () =>
      'The grant cannot beat raw argon2id by more than the hashing is all of its work, and on these 2 vCPUs it is not: ' +
      'bench/password-cpu.mjs splits each grant\'s CPU by thread and process (PostgreSQL, 3 rounds of 5 s, 2026-11-30, after the login start took its ' +
      'audit row into its own statement): the event loop 2,776 µs, the hashing threads 15,705 µs (raw argon2id 15,131 µs per verification in the rounds ' +
      'between), Gatehouse\'s other threads 667 µs, PostgreSQL\'s backends 1,507 µs (2,093 µs with the audit row apart), the load generator 1,005 µs: ' +
      '21.7 ms of the machine\'s CPU per grant against 15.1 ms per raw verification, so with both vCPUs saturated the grant can reach 15.1 / 21.7 = 0.70 of ' +
      'raw argon2id, and did (0.67 in that run). On SQLite the event loop took 2,554 µs per grant. A grant is three statements on PostgreSQL (the client, ' +
      'the user, the login start with its audit row, one round trip each); in a profile of the event loop during a flood, pg\'s query path was ~21% of ' +
      'its busy samples, nearly all of it the socket writev to the backends (~185 µs per writev on this VM, where a write wakes a sleeping backend), ' +
      'Fastify\'s request and reply ~8%, Piscina\'s messages ~4%. Each grant is a request that arrives alone, at about three times the CPU it would cost ' +
      `in a stream ${seeNote('A request that arrives alone')}, and so is the load generator's ~1 ms per grant (its ~40 µs per request at gateway rates). ` +
      'Raw argon2id has none of this, so the target cannot be met while the load generator and PostgreSQL share the two vCPUs.',
    notes: ['A request that arrives alone'],
  },
  'refresh-sqlite': (r) =>
    `${SQLITE_REFRESH} Here ${fmt(r.sqliteSmall.families + r.sqliteSmall.refreshPool)} families: p50 ${fmt(r.sqliteSmall.refresh.p50)} ms; ` +
    `the requests still queued when the load stopped took ${fmt(r.sqliteSmall.refresh.drainSeconds)} s to drain. ` +
    `Gatehouse spent ${fmt(r.sqliteSmall.refresh.serverCpuMicrosPerRequest)} µs of CPU per refresh here. The same build measured 5,450 and 5,994/s in ` +
    'two full runs on a quiet machine (2026-11-30 midday), 4,183/s at 18:55 that day on a slower host (raw argon2id 13,947 µs per verification ' +
    'against 9,105–9,610), and 2,719/s the day before on a busy one: the figure follows the machine\'s speed and load.',
  'refresh-postgres': (r) => {
    const p = r.postgresSmall.refresh;
    return (
      `Gatehouse used ${fmt(p.serverCpuPercent)}% of a core (${fmt(p.serverCpuMicrosPerRequest)} µs per refresh) during the run; ` +
      'the refreshes asked for in one event-loop turn share their round trips (src/store/sql/turn-batch.ts): one client lookup for identical ones, and one ' +
      'execution of a named prepared statement for the rotations (a data-modifying CTE over arrays, one row per caller: it consumes each token, inserts the ' +
      'pairs and reads the families), so one commit and one WAL flush per batch with synchronous_commit on. In an A/B of the same store, interleaved rounds, ' +
      'this cut Gatehouse\'s CPU per refresh from 572 to 346 µs and PostgreSQL\'s from 980 to 508 µs. What remains: PostgreSQL runs on the same 2 vCPUs as ' +
      'Gatehouse, the load generator and the upstream; the event loop\'s profile is socket writes first.'
    );
  },
  'gateway-ratio': {
    perStore: (r, key) => {
      const g = r[key].gatewayRounds.warn;
      return (
        `CPU per proxied request: Gatehouse ${fmt(g.gatehouse.cpuMicrosPerRequest.server)} µs, the bare proxy ${fmt(g.bareProxy.cpuMicrosPerRequest.server)} µs ` +
        `(the upstream ${fmt(g.gatehouse.cpuMicrosPerRequest.upstream)} µs, the load generator ${fmt(g.gatehouse.cpuMicrosPerRequest.loadGenerator)} µs per request, on the same ` +
        `${r.machine.cores} cores). ${sumOfProcesses(g, r.machine.cores)} ` +
        (g.cpuQuartileRatio ? `Each round in fresh processes (${g.pairRatios.length} pairs)` : `This run's rounds (${g.pairRatios.length} pairs)`) +
        `: pairs ${g.pairRatios.map(fmt).join(', ')}` +
        (g.cpuQuartileRatio
          ? `; CPU per request, the bare proxy's over Gatehouse's, ${fmt(g.cpuRatio)} as medians and ${fmt(g.cpuQuartileRatio)} as lower quartiles ` +
            `(95% interval ${g.cpuQuartileRatioInterval.map(fmt).join('–')}).`
          : '.')
      );
    },
    shared: () =>
      'Most of the difference is not Gatehouse\'s code but the ten headers it must send the upstream (X-Forwarded-For, -Proto, -Host and the seven ' +
      'identity headers, src/http/gateway/upstream-headers.ts), which the bare proxy does not: with a bare proxy that adds the same ten headers ' +
      '(`node bench/ab.mjs --roots bare,bare-identity,. --scenario gateway`, SQLite, 12 interleaved rounds of 40,000 requests after 20,000 of ' +
      'warm-up, each in fresh processes, 2026-11-30 on the Intel host) the proxy\'s CPU per request went from 89 to 113 µs (medians; lower quartiles ' +
      '82 to 99) and the upstream\'s from 28 to 35 µs (node:http parsing ten more header lines: 28 against 38 µs per request with autocannon ' +
      'sending them straight to it), while Gatehouse used 115 µs (lower quartile 97) and its upstream 35: the same as the bare proxy with the headers, ' +
      'within the rounds\' spread. The headers are Gatehouse\'s contract with the upstream (who the caller is, as Kong-based gateways send it), so they stay. ' +
      'Beyond them, what Gatehouse adds per request is the bearer check (SHA-256 of the token, the cache lookup), the plan lookup, ' +
      "the client's headers filtered (hop-by-hop and reserved names) and the proxy route's path check around reply-from; " +
      'see "Why the earlier gateway figures disagree" for the profile. Fresh processes of one build differ by ±10% in CPU per request on this ' +
      'machine; until 2026-11-30 each side of the gateway rounds was one process, one draw from that spread (the same code measured 1.02 and 0.90 in ' +
      'two full runs that day).',
  },
  isolation: {
    perStore: (r, key) => {
      const iso = r[key].isolation.warn;
      const lag = iso.underFlood.lagMs ? ` (the load generator itself sent up to ${fmt(iso.underFlood.lagMs.p99)} ms late at p99 under the flood: it shares the machine)` : '';
      return (
        `idle p99 ${fmt(iso.idle.p99)} ms, under the flood ${fmt(iso.underFlood.p99)} ms${lag}, with ${fmt(iso.flood.perSecond)} grants/s in the flood, ` +
        `${fmt(Math.round(iso.deliveredShare * 1000) / 10)}% of the offered rate delivered` +
        (iso.pairP99Ratios
          ? ` (medians of ${iso.pairP99Ratios.length} interleaved rounds each: idle ${iso.idle.rounds.map((k) => fmt(k.p99)).join(', ')} ms, flood ` +
            `${iso.underFlood.rounds.map((k) => fmt(k.p99)).join(', ')} ms).`
          : '.')
      );
    },
    shared: (r) =>
      'Hashing runs on worker threads at nice +10 and, since 2026-11-30, under SCHED_IDLE (passwordHashing.idleScheduling): a request-path thread that ' +
      'wakes preempts a hashing thread at once instead of waiting for the end of its slice. In bench/isolation-ab.mjs on PostgreSQL, 4 interleaved ' +
      'rounds on a quiet machine, the gateway\'s p99 under the flood was 33.1, 10.8, 11.3, 15.9 ms at nice +10 alone and 19.9, 10.2, 11.7, 9.3 ms with ' +
      'SCHED_IDLE (idle p99 3.7–6.6 ms). What still delays the gateway is the work a password grant does at the gateway\'s own priority: on the event loop ' +
      "(HTTP parsing, the client check, the brute-force counters, pg's query path, the answer: ~2.8 ms of CPU per grant, bench/password-cpu.mjs), in " +
      "PostgreSQL's backends (~1.5 ms per grant, three statements) and in the flood's load generator (~1 ms per grant), all on the same 2 vCPUs as the " +
      `gateway, its upstream and its load generator, and each of those requests costs more for arriving alone ${seeNote('A request that arrives alone')}. ` +
      'On SQLite the login\'s commit runs on the event loop too, and until 2026-11-30 so did the WAL ' +
      'checkpoint that some commits started: a CPU profile of one round then (bench/isolation-ab.mjs --cpu-prof, bench/profile-summary.mjs --stalls, ' +
      'p99 2.5 ms idle, 7.1 ms under the flood) had, in 9 s of flood, about 15 stretches of 10 ms or more in which the event loop never went idle, ' +
      'two of them with 25 and 37 ms between samples inside better-sqlite3: the checkpoint\'s fsyncs (strace of the same scenario: 27 ms for the ' +
      'WAL\'s). Checkpoints now run on a thread of their own (src/store/sqlite-checkpointer.ts): in bench/isolation-ab.mjs, 4 interleaved rounds ' +
      'each, the flood\'s p99 went from 10.4 to 6.0 ms (medians; ratio to idle 6.9 -> 3.6). ' +
      'On PostgreSQL the ratio has a long tail from round to round: in bench/isolation-ab.mjs with CPU profiles (4 interleaved rounds, ' +
      '2026-11-30 evening, AMD host) it was 1.5, 1.5, 2.6 and 32.1. The profile of the last (p99 142.6 ms, bench/profile-summary.mjs --stalls) ' +
      'has no long task: for 0.7 s the event loop never went idle while running what it runs in the other rounds (proxying, Fastify, socket ' +
      'writes): 212 samples in the gateway\'s code and 70 in the grant\'s against 99 and 36 in the 0.7 s before, at the same 500 requests/s and ' +
      'a steady flood, so the same work took twice the time: the machine slowed the thread, nothing in Gatehouse waited. Fewer hashing threads do ' +
      'not help: passwordHashing.threads 1 against the default (one per core), 5 interleaved rounds each, median ratios 2.3 against 2.1 (flood ' +
      'p99 8.8 against 7.1 ms; `--variants paced:10i:.,paced:10i:.:1`). ' +
      ((r.sqliteSmall ?? r.postgresSmall)?.isolation?.warn?.underFlood?.lagMs
        ? "The gateway's requests arrive at a steady rate (bench/lib/paced.mjs)."
        : "This run's gateway requests came from autocannon's overallRate."),
    notes: ['A request that arrives alone'],
  },
  // The same rounds as the p99's: one bullet for both.
  'isolation-delivered': { sameAs: 'isolation' },
  // Issue 15.
  'metrics-cost': (r, key) => {
    const cost = metricsCostOf(r, key);
    const interval = cost.cpuQuartileRatioInterval ? ` (95% interval ${cost.cpuQuartileRatioInterval.map((v) => v.toFixed(2)).join('–')})` : '';
    return (
      `over ${cost.pairCpuRatios.length} processes of each side the lower quartiles' ratio is ${(cost.cpuQuartileRatio ?? cost.cpuRatio).toFixed(2)}${interval} and the ` +
      `medians' ${cost.cpuRatio.toFixed(2)} (Gatehouse ${fmt(cost.metricsOff.cpuMicrosPerRequest.server)} µs per request off, ${fmt(cost.metricsOn.cpuMicrosPerRequest.server)} on), ` +
      `but the metrics' own code does not account for a difference of that size: timed alone it is ${fmt(cost.hotPathNanosPerRequest)} ns per request. ` +
      "A CPU profile before 2026-11-30 put prom-client at 1.0% of the samples (most of it the histogram's observe, which hashes its label values on " +
      "every call even for a pre-bound child); since then the gateway's counts and latency histogram are plain numbers on the hot path " +
      "(src/observability/plain-histogram.ts: a bucket search and three additions), copied into prom-client's exposition when Prometheus scrapes. " +
      'Fresh processes of one build differ by ±10% in CPU per request on this shared machine (75 to 122 µs in one run of 24), so a full run\'s 9 ' +
      'pairs cannot tell a 3% cost apart; `node bench/run.mjs --metrics-cost` runs 24 per store (on 2026-11-30, lower quartiles and medians: ' +
      'SQLite 1.01 and 0.975, then 1.00 and 0.99; PostgreSQL 1.01 and 1.01; with 8 pairs earlier that day, SQLite 0.97 and 0.96). Pinning Gatehouse to one CPU and the load ' +
      'generator and upstream to the other (taskset) made the spread worse (74 to 126 µs in 16 processes).'
    );
  },
  'scale-refresh-SQLite': (r) =>
    `${SQLITE_REFRESH} With ${fmt(r.sqliteLarge.families)} families a refresh takes ${fmt(r.sqliteLarge.refresh.p50)} ms (p50). ` +
    `${scaleRounds(r.sqliteLarge.scale)}` +
    'Where the extra time goes, the store alone (bench/store-rotation.mjs, 20,000 rotations spread over 1,000,000 families against 20,000 families, ' +
    '16 callers, perf record -g of the event loop\'s thread, 2026-11-30): writing WAL frames 30% of its samples against 27% (a third of it the kernel ' +
    'zeroing new blocks of a WAL that grows longer before it starts over), reading database pages back from the OS 11–14% against under 1% (the ' +
    'token tables\' indexes on random keys, token_hash and family_id, outgrow SQLite\'s 2 MB page cache), B-tree searches 16% against 8%, and the ' +
    'checkpoint that finishes each WAL cycle on the event loop 9.5% against 1.8%. That last one was also the longest stall of the event loop: a ' +
    'PASSIVE checkpoint that does not reach the end of the WAL does not sync the database file, so the finishing checkpoint\'s fsync (strace: ' +
    'ftruncate and fsync of the 950 MB file, 66–98 ms) wrote back every page the checkpoint thread had copied in the cycle. Since 2026-11-30 that ' +
    'thread syncs the database file after each of its checkpoints and catches up with a few more before asking the event loop to finish ' +
    '(src/store/sqlite-checkpoint-worker.ts): the longest event-loop stall in a run of 40,000 rotations went from 355–444 ms to 59–132 ms at ' +
    '1,000,000 families (4 interleaved rounds each; 9,885 against 8,802 rotations/s) and from 40–61 ms to 15–34 ms at 40,000 (6 rounds; ' +
    '16,614 against 17,719/s, the fsyncs\' writing now counted in the process instead of the kernel\'s flusher threads). Tried: mmap_size ' +
    '1 GiB (84–86 against 85–97 µs per rotation, but every page it touches counts in the RSS, and the spread gateway run touches them all), ' +
    'cache_size 32 MiB with it (92–98 µs: worse); not tried: 32-byte BLOB token hashes instead of 64-character hex (smaller index leaves, ' +
    'though a rotation would touch as many of them), which needs a migration on both stores.',
  'scale-refresh-PostgreSQL': (r) =>
    `${scaleRounds(r.postgresLarge.scale)}PostgreSQL runs the rotation's lookups as nested loops through the primary keys (EXPLAIN ANALYZE ` +
      'at 200,000 families: 0.1 ms), so the plan does not change with N. What does (bench/postgres-wal.mjs, 2026-11-30, rounds of 5 s): at ' +
      '1,000,000 families a refresh reads 1.7–2.0 blocks from the OS against 0.1–0.16 (the token tables\' index leaves outgrow 128 MB of shared ' +
      'buffers) and, in the first rounds after a checkpoint, writes 1.44 then 0.52 then 0.22 full-page images into the WAL (9.9, 4.5, 2.8 KB of ' +
      'WAL per refresh against 3.2, 1.8, 1.8 KB). Until 2026-11-30 the bench measured right after loading the million families, while autovacuum ' +
      'went over every new page and the load\'s checkpoint ran: 0.77 then (and 1.38, 1.05, 0.68 in earlier runs); the bench now vacuums and ' +
      'checkpoints after the load, as a store that has lived with its families would have been.',
  'scale-gateway-SQLite': (r) =>
    `Gatehouse's CPU per request rose from ${fmt((r.sqliteLarge.scale?.small ?? r.sqliteSmall).gateway.serverCpuMicrosPerRequest)} to ${fmt((r.sqliteLarge.scale?.large ?? r.sqliteLarge).gateway.serverCpuMicrosPerRequest)} µs. ` +
    'The token cache trusts an entry for 1 s (gateway.tokenCache.ttlMs), so each of the 1,000 tokens is read from the store again every second ' +
    '(about a quarter of the requests here), and on SQLite those reads run on the event loop; with 1,000,000 families they walk deeper B-trees in ' +
    "a file far larger than SQLite's default 2 MB page cache. PostgreSQL, whose reads do not run on the event " +
    'loop, shows no drop. Tried: cache_size 64 MiB (RSS +50 MB, no gain beyond the spread of three runs each); not tried: a longer cache TTL. ' +
    'CPU profiles of this scenario (2026-11-30, 1,000 against 1,000,000 families, two rounds each) found each miss building, compiling and ' +
    "preparing the token's subscription lookup in Kysely (6.4% of Gatehouse's samples); since then it is a statement prepared once " +
    '(src/store/sql/hot-paths.ts; over 1,000 tokens, 6 interleaved rounds: 168 -> 145 µs per request on SQLite, 243 -> 177 on PostgreSQL). ' +
    'Beyond that the two stores\' profiles differed only in garbage collection (4.5% against 2.5% of the samples) and the first round on the ' +
    'large store cost 319 µs per request against 226, its second 229 against 249: the rounds\' spread is as wide as the difference.',
  'scale-gateway-PostgreSQL': () => 'the 1,000 tokens are served from the token cache in both cases; the difference is noise from the shared machine.',
  'scale-rss-SQLite': (r) => `RSS was ${fmt(r.sqliteSmall.memory.rssMB)} MB with ${fmt(r.sqliteSmall.families)} families: the process's own baseline, not the tokens (the cache is bounded).`,
  'scale-rss-PostgreSQL': (r) => `RSS was ${fmt(r.postgresSmall?.memory.rssMB)} MB with ${fmt(r.postgresSmall?.families)} families: the process's own baseline, not the tokens (the cache is bounded).`,
};

/**
 * Why the gateway ratio of the previous session (0.88) and the (0.53 / 0.50) disagree.
 * The first part is read off the previous run's own results (bench/results/latest.json at
 * a317cf4); the profile figures are from `node bench/run.mjs --gateway-only --cpu-prof DIR`
 * (bench/profile-summary.mjs), taken apart from this run; the last paragraph is this run's.
 */
export function FINDINGS(r) {
  const rounds = (key) => r[key]?.gatewayRounds ?? {};
  const thisRun = Object.entries({ SQLite: rounds('sqliteSmall'), PostgreSQL: rounds('postgresSmall') })
    .flatMap(([store, byLevel]) =>
      Object.entries(byLevel).map(
        ([level, g]) =>
          `${store} at ${level}: req/s ${fmt(g.ratioToBareProxy)} (pairs ${g.pairRatios.map(fmt).join(', ')}), CPU per request ${fmt(g.cpuRatio)} ` +
          `(${fmt(g.bareProxy.cpuMicrosPerRequest.server)} against ${fmt(g.gatehouse.cpuMicrosPerRequest.server)} µs)`,
      ),
    )
    .join('; ');
  return [
    '### Why the earlier gateway figures disagree',
    '',
    "The issue's figure holds, not the previous session's 0.88. That run measured the bare proxy for 10 s and then Gatehouse for 10 s,",
    'once each, on a machine with load average 5–8 from other work, and its own figures show the two runs did not get the same CPU:',
    'the bare proxy used 66% of a core at 72 µs per request, Gatehouse 97% at 119 µs. Throughput is CPU share over CPU per request',
    '(0.66 / 72 µs ≈ 9,200/s and 0.97 / 119 µs ≈ 8,150/s, the figures measured), so 0.88 is mostly the difference in share between two',
    'moments of a shared machine. With equal shares the ratio is that of CPU per request, 72 / 119 = 0.61, which agrees with 0.53 / 0.50',
    'within the noise of such a machine. The other hypotheses do not explain it: both old runs were at log level warn, used one token (cached),',
    '32 connections, and had been warmed up. The old bare proxy did differ (@fastify/http-proxy, `logger: false`, no Authorization header);',
    "the bench now uses a reply-from route with Fastify's logger at Gatehouse's level, sends both the same header, and interleaves rounds",
    '(A C A C A C, medians) so that drift falls on both; it also reports CPU per request of each process, the figure that does not depend',
    'on the share a process happened to get.',
    '',
    "What Gatehouse adds (CPU profiles of the gateway rounds, share of Gatehouse's busy samples, log level warn): the bearer check's SHA-256",
    "~2%, @fastify/http-proxy's route layer over reply-from ~2% (URL checks per request), the upstream headers ~1.6% (4% before this",
    'session: a Set and an object spread per request, now neither for a plain `Connection: keep-alive`), the token LRU ~1%, admission ~0.6%;',
    "about 7% in all. Since then the route layer is Gatehouse's own (proxy-route.ts: one scan of a plain path instead of three URL parses,",
    'the library\'s full checks for any other), and admission finishes synchronously on a cached token (no promise, no microtask turn).',
    "No timer or hook of Gatehouse's own shows. The rest is what the bare proxy runs too: socket writes (writev and string",
    "writes, about a third of the busy samples of both), undici, Fastify and reply-from. At info, pino's line building and redaction add",
    "~6% (two lines per request before this session, one now). Both processes sit idle part of the time on this machine because the",
    'others (upstream, load generator, other work) hold the 2 cores: which process is the bottleneck moves from round to round.',
    '',
    `This run: ${thisRun || 'not run'}.`,
  ];
}
