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
  password: (r) => {
    const s = r.sqliteSmall;
    const one = r.isolationOneHashThread?.flood;
    return (
      `raw argon2id drifted within the run (${fmt(r.argon2Raw.before)}/s before the grants, ${fmt(r.argon2Raw.after)}/s after; ` +
      'the ratio uses the mean). The grants hash on libuv\'s 4 threads, on 2 vCPUs that they share with Gatehouse\'s event loop ' +
      `(${fmt(s.passwordGrant.serverCpuPercent)}% of a core in all, hashing included), SQLite writes (a family and an audit row per login) and the load generator; ` +
      'raw argon2id has the cores to itself.' +
      (one && one.perSecond > s.isolation.flood.perSecond
        ? ` 4 argon2id threads on 2 vCPUs also hash slower than fewer: with UV_THREADPOOL_SIZE=1 the isolation run's password flood got ${fmt(one.perSecond)} grants/s against ${fmt(s.isolation.flood.perSecond)}/s with 4 threads.`
        : '') +
      ' Other work on this shared machine (load average in the header) moves both figures from run to run.'
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
  'gateway-ratio': (r) => {
    const g = r.sqliteSmall.gatewayComparison.max;
    return (
      `Gatehouse spends ${fmt(g.gatehouse.serverCpuMicrosPerRequest)} µs of CPU per proxied request, the bare proxy ${fmt(g.bareProxy.serverCpuMicrosPerRequest)} µs ` +
      `(${fmt(g.gatehouse.serverCpuPercent)}% and ${fmt(g.bareProxy.serverCpuPercent)}% of a core, GC and undici threads included; the 2 vCPUs are shared with ` +
      'the upstream and autocannon, and socket syscalls (writev, writeLatin1String) are about a third of the samples of both on this VM). ' +
      "A CPU profile of each (node --cpu-prof, taken apart from this run) puts Gatehouse's own code (admission, token SHA-256 and cache, identity " +
      "and X-Forwarded headers) at about 5% of its samples and its GC at twice the bare proxy's (4.5% against 2.1%); no single item dominates the rest " +
      "(Fastify hooks, the per-request logger, reply-from's header hooks, undici)."
    );
  },
  'gateway-p99': (r) => {
    const m = r.sqliteSmall.gatewayComparison.moderate;
    return (
      `at ${fmt(m.rate)} req/s the p50s are ${fmt(m.bareProxy.p50)} ms (bare proxy) and ${fmt(m.gatehouse.p50)} ms (Gatehouse) but the p99s ` +
      `${fmt(m.bareProxy.p99)} and ${fmt(m.gatehouse.p99)} ms: the tail is that of processes waiting for one of 2 vCPUs shared with the upstream, ` +
      'the load generator and whatever else runs on this machine, and it moves between runs by more than the difference.'
    );
  },
  isolation: (r) => {
    const one = r.isolationOneHashThread;
    return (
      "the event loop is not blocked (hashing runs on libuv's pool), but the pool's 4 CPU-bound threads outnumber the 2 vCPUs, and the " +
      `kernel shares the cores between them and the event loop (the gateway served ${fmt(r.sqliteSmall.isolation.underFlood.perSecond)} of the ` +
      `${fmt(r.settings.moderateRate)} req/s offered). Tried: the same run with UV_THREADPOOL_SIZE=1 kept ${fmt(one?.underFlood.perSecond)} req/s, ` +
      `p99 ${fmt(one?.idle.p99)} → ${fmt(one?.underFlood.p99)} ms (×${fmt(one?.p99Ratio)}), with ${fmt(one?.flood.perSecond)} grants/s in the flood. Capping concurrent hashes below the ` +
      'number of cores (a semaphore in passwords.ts, or the pool size) is the fix to make. ' +
      `Of the flood's requests, ${fmt(r.sqliteSmall.isolation.flood.non2xx)} were refused (400 and 429) by the brute-force protection: the flood ` +
      'signs in one account from one address, and attempts are counted before the hash, so more concurrent attempts than failuresAllowed lock it ' +
      'even with the right password; those cost no hash, so the flood was lighter than intended (the bench should flood with many accounts).'
    );
  },
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
