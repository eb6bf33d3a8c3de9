// What bounds each target when it is missed, as found by profiling and by the extra runs of the
// bench; the figures are filled in from the run being reported. Keyed by target id (scale ids
// without their store suffix).
const fmt = (n) => (n === undefined || n === null ? '–' : Number(n).toLocaleString('en-US', { maximumFractionDigits: 1 }));

const SUBQUERY =
  'rotateRefreshToken (src/store/sql/sql-token-store.ts) used to guard its UPDATE with an uncorrelated ' +
  '`family_id IN (SELECT id FROM token_families ...)`, which SQLite ran as a list of every live family, so one refresh cost ' +
  'O(live families) on the event loop (19 refreshes/s at 61,000 families). It is now a correlated EXISTS, one primary-key probe. ' +
  'What remains is the work of a refresh on the event loop, where better-sqlite3 runs every statement: the client, token and user ' +
  'lookups, then the rotation transaction (UPDATE, two INSERTs, SELECT); not yet profiled statement by statement.';

export const BOUNDS = {
  password: (r, key) => {
    const s = r[key];
    return (
      `raw argon2id: ${fmt(s.argon2Raw.before.perSecond)}/s before the grants and ${fmt(s.argon2Raw.after.perSecond)}/s after (best concurrencies ` +
      `${s.argon2Raw.before.concurrency} and ${s.argon2Raw.after.concurrency}). Gatehouse hashes on one worker thread per core at nice +10 ` +
      '(src/domain/hashing-pool.ts), so any process of normal priority that wants CPU — the load generator, and other work on this shared machine ' +
      `(load average in the header) — takes precedence over the grants' hashing; raw argon2id runs at normal priority. Gatehouse used ` +
      `${fmt(s.passwordGrant.serverCpuPercent)}% of a core in all (${fmt(s.passwordGrant.serverCpuMicrosPerRequest)} µs per grant, hashing included).`
    );
  },
  'refresh-sqlite': (r) =>
    `${SUBQUERY} Here ${fmt(r.sqliteSmall.families + r.sqliteSmall.refreshPool)} families: p50 ${fmt(r.sqliteSmall.refresh.p50)} ms; ` +
    `the requests still queued when the load stopped took ${fmt(r.sqliteSmall.refresh.drainSeconds)} s to drain.`,
  'refresh-postgres': (r) => {
    const p = r.postgresSmall.refresh;
    return (
      `Gatehouse used ${fmt(p.serverCpuPercent)}% of a core (${fmt(p.serverCpuMicrosPerRequest)} µs per refresh) during the run; ` +
      'a refresh is 8 round trips to PostgreSQL (client, token, user, then BEGIN, UPDATE, 2 INSERTs, SELECT, COMMIT with a WAL flush, ' +
      'synchronous_commit on) over a pool of 10 connections, and PostgreSQL runs on the same 2 vCPUs as Gatehouse, the load generator ' +
      'and the upstream. Fewer round trips (one statement per rotation, user and client checks folded into it) is where a gain would come from.'
    );
  },
  'gateway-ratio': (r, key) => {
    const g = r[key].gatewayRounds.warn;
    return (
      `CPU per proxied request: Gatehouse ${fmt(g.gatehouse.cpuMicrosPerRequest.server)} µs, the bare proxy ${fmt(g.bareProxy.cpuMicrosPerRequest.server)} µs ` +
      `(the upstream ${fmt(g.gatehouse.cpuMicrosPerRequest.upstream)} µs, the load generator ${fmt(g.gatehouse.cpuMicrosPerRequest.loadGenerator)} µs per request, on the same ` +
      `${r.machine.cores} cores). What Gatehouse adds per request is the bearer check (SHA-256 of the token, the cache lookup), the plan lookup, ` +
      "the upstream headers (hop-by-hop filtering, X-Forwarded-*, seven identity headers) and @fastify/http-proxy's route and hooks around reply-from; " +
      'see "Why the earlier gateway figures disagree" for the profile.'
    );
  },
  isolation: (r, key) => {
    const iso = r[key].isolation.warn;
    return (
      `idle p99 ${fmt(iso.idle.p99)} ms, under the flood ${fmt(iso.underFlood.p99)} ms, with ${fmt(iso.flood.perSecond)} grants/s in the flood. ` +
      'Hashing runs on worker threads at nice +10, so the event loop wins the CPU it asks for; what is left is the share of the kernel scheduler ' +
      "the threads still get (nice +10 weighs about a tenth of nice 0) and the grants' own work on the event loop (parsing, the client check, " +
      "brute-force counters, the login transaction, the audit row), which runs at the gateway's priority."
    );
  },
  'isolation-delivered': (r, key) => BOUNDS.isolation(r, key),
  'scale-refresh-SQLite': (r) => `${SUBQUERY} With ${fmt(r.sqliteLarge.families)} families a refresh takes ${fmt(r.sqliteLarge.refresh.p50)} ms (p50).`,
  'scale-refresh-PostgreSQL': () =>
    'PostgreSQL runs the same IN subquery as a nested loop through the primary key (EXPLAIN ANALYZE at 200,000 families: 0.1 ms), so N is not what ' +
    'differs; the PostgreSQL figures move between runs on this shared machine (an earlier full run had this ratio at 1.38).',
  'scale-gateway-SQLite': (r) =>
    `Gatehouse's CPU per request rose from ${fmt(r.sqliteSmall.gateway.serverCpuMicrosPerRequest)} to ${fmt(r.sqliteLarge.gateway.serverCpuMicrosPerRequest)} µs. ` +
    'The token cache trusts an entry for 1 s (gateway.tokenCache.ttlMs), so each of the 1,000 tokens is read from the store again every second ' +
    '(about a quarter of the requests here), and on SQLite those reads run on the event loop; with 1,000,000 families they walk deeper B-trees in ' +
    "a file far larger than SQLite's default 2 MB page cache (most likely the cost; not profiled). PostgreSQL, whose reads do not run on the event " +
    'loop, shows no drop. Not tried: a larger SQLite cache_size, a longer cache TTL.',
  'scale-gateway-PostgreSQL': () => 'the 1,000 tokens are served from the token cache in both cases; the difference is noise from the shared machine.',
  'scale-rss-SQLite': (r) => `RSS was ${fmt(r.sqliteSmall.memory.rssMB)} MB with ${fmt(r.sqliteSmall.families)} families: the process's own baseline, not the tokens (the cache is bounded).`,
  'scale-rss-PostgreSQL': (r) => `RSS was ${fmt(r.postgresSmall?.memory.rssMB)} MB with ${fmt(r.postgresSmall?.families)} families: the process's own baseline, not the tokens (the cache is bounded).`,
};

/** Why the gateway ratio of the previous session (0.88) and the (0.53 / 0.50) disagree; from the runs described. */
export const FINDINGS = [
  '### Why the earlier gateway figures disagree',
  '',
  'TO BE FILLED',
];
