import { once } from 'node:events';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';

// One Redis connection per process, for state shared between Gatehouse processes (brute-force
// counters, rate limits, revocation fan-out). It serves requests, so it fails fast: no offline
// queue (a command while disconnected fails at once), and a command in flight when the
// connection drops is failed rather than sent again (a counter would count twice). Requests'
// counters add a deadline of tens of ms (redis-breaker.ts, which then counts locally and logs
// the outage once); COMMAND_TIMEOUT_MS only bounds the rest (probes, publishes, admin scans).

const CONNECT_TIMEOUT_MS = 2_000;
const COMMAND_TIMEOUT_MS = 1_000;

export function connectRedis(url: string, logger: Logger): Redis {
  const redis = new Redis(url, {
    lazyConnect: false,
    enableOfflineQueue: false,
    commandTimeout: COMMAND_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    connectTimeout: CONNECT_TIMEOUT_MS,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1_000), // ms between reconnects
  });
  // The breaker logs the outage and the recovery; an 'error' listener must exist all the same
  // (an unhandled 'error' event would end the process).
  redis.on('error', (error: Error) => logger.debug({ err: error }, 'redis connection error'));
  return redis;
}

/** Resolves once the connection is ready, or has failed once, or after the connect timeout. */
export async function settleRedisConnection(redis: Redis): Promise<void> {
  if (redis.status === 'ready') return;
  const signal = AbortSignal.timeout(CONNECT_TIMEOUT_MS);
  await Promise.race([once(redis, 'ready', { signal }), once(redis, 'error', { signal })]).catch(() => undefined);
}
