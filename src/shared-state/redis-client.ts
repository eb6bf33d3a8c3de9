import { Redis } from 'ioredis';
import type { Logger } from 'pino';

// One Redis connection per process, for state shared between Gatehouse processes (brute-force
// counters, rate limits, revocation fan-out). Commands fail fast while Redis is away instead of
// queueing, so a Redis outage degrades a request rather than hanging it.

export function connectRedis(url: string, logger: Logger): Redis {
  const redis = new Redis(url, {
    lazyConnect: false,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    connectTimeout: 2_000, // ms
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000), // ms between reconnects
  });
  let lastReported = 0;
  redis.on('error', (error: Error) => {
    // A down Redis raises an error per reconnect attempt; one line per 10 s is enough.
    const now = Date.now();
    if (now - lastReported < 10_000) return;
    lastReported = now;
    logger.warn({ err: error }, 'redis connection error');
  });
  return redis;
}

export async function pingRedis(redis: Redis): Promise<void> {
  const answer = await redis.ping();
  if (answer !== 'PONG') throw new Error(`unexpected PING answer ${answer}`);
}
