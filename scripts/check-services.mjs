// CI runs the suites against real PostgreSQL and Redis; an unreachable server must fail the run,
// not let the PostgreSQL and Redis tests skip themselves into a green result.
import pg from 'pg';
import { Redis } from 'ioredis';

const { DATABASE_URL, REDIS_URL } = process.env;
const failures = [];

if (!DATABASE_URL) failures.push('DATABASE_URL is not set');
else {
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    const { rows } = await client.query('show server_version');
    console.log(`postgresql ${rows[0].server_version} reachable at ${new URL(DATABASE_URL).host}`);
  } catch (error) {
    failures.push(`PostgreSQL at ${DATABASE_URL} is unreachable: ${error.message}`);
  } finally {
    await client.end().catch(() => {});
  }
}

if (!REDIS_URL) failures.push('REDIS_URL is not set');
else {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 5000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await redis.connect();
    console.log(`redis ${await redis.ping()} at ${new URL(REDIS_URL).host}`);
  } catch (error) {
    failures.push(`Redis at ${REDIS_URL} is unreachable: ${error.message}`);
  } finally {
    redis.disconnect();
  }
}

for (const failure of failures) console.error(`check-services: ${failure}`);
process.exit(failures.length > 0 ? 1 : 0);
