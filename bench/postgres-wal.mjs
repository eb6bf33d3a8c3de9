// What a refresh costs PostgreSQL's WAL with few and with many live token families: refresh
// grants through a served Gatehouse, rounds of `--seconds`, the first right after a CHECKPOINT
// (every page's first change then writes a full-page image), the next one on; per refresh: WAL
// records, full-page images, WAL bytes, and shared-buffer misses (blocks read from the OS).
// Usage: DATABASE_URL=… node bench/postgres-wal.mjs [--families 1000,1000000] [--seconds 5] [--rounds 2]
import pg from 'pg';
import { prepareGatehouse, serve } from './lib/gatehouse.mjs';
import { refreshGrant, startListener } from './scenarios.mjs';

const argv = process.argv.slice(2);
const option = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
const sizes = option('--families', '1000,1000000').split(',').map(Number);
const seconds = Number(option('--seconds', '5'));
const rounds = Number(option('--rounds', '2'));
const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) throw new Error('DATABASE_URL is required');
const POOL_PER_ROUND = 40_000; // more than a round can consume at ~5,000/s

const client = new pg.Client(databaseUrl);
await client.connect();
const counters = async () => {
  const wal = (await client.query('SELECT wal_records, wal_fpi, wal_bytes FROM pg_stat_wal')).rows[0];
  const db = (await client.query('SELECT blks_read, blks_hit FROM pg_stat_database WHERE datname = current_database()')).rows[0];
  return Object.fromEntries(Object.entries({ ...wal, ...db }).map(([k, v]) => [k, Number(v)]));
};
const upstream = await startListener('upstream.mjs');
try {
  for (const families of sizes) {
    const prepared = await prepareGatehouse({ store: 'postgres', databaseUrl, upstreamUrl: upstream.url, families: families + POOL_PER_ROUND * rounds });
    const instance = await serve(prepared);
    try {
      await client.query('CHECKPOINT');
      for (let round = 0; round < rounds; round++) {
        const before = await counters();
        const run = await refreshGrant({ refreshConnections: 16, seconds }, prepared, { first: families + round * POOL_PER_ROUND, size: POOL_PER_ROUND });
        const after = await counters();
        const per = (key) => ((after[key] - before[key]) / run.ok).toFixed(key === 'wal_bytes' ? 0 : 2);
        console.log(
          `${families} families, round ${round}${round === 0 ? ' (after a CHECKPOINT)' : ''}: ${run.perSecond}/s; per refresh ` +
            `${per('wal_records')} WAL records, ${per('wal_fpi')} full-page images, ${per('wal_bytes')} WAL bytes, ${per('blks_read')} blocks read, ${per('blks_hit')} hits`,
        );
      }
    } finally {
      await instance.stop();
      await prepared.cleanup();
    }
  }
} finally {
  await upstream.stop();
  await client.end();
}
