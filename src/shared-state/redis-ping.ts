import type { Redis } from 'ioredis';

// The readiness probe's check of Redis, apart from redis-client.ts so that a process without
// Redis never loads ioredis.
export async function pingRedis(redis: Redis): Promise<void> {
  const answer = await redis.ping();
  if (answer !== 'PONG') throw new Error(`unexpected PING answer ${answer}`);
}
