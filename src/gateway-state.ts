import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from './config/config.js';
import { AccessTokenVerifier } from './domain/access-token-verifier.js';
import { RateLimiter } from './domain/rate-limit.js';
import { InMemoryRevocationBus, withRevocationFanout, withTokenStore, type RevocationBus } from './domain/revocation-fanout.js';
import { FallbackRateCounter } from './shared-state/fallback-rate-counter.js';
import { MemoryRateCounter } from './shared-state/memory-rate-counter.js';
import type { RedisBreaker } from './shared-state/redis-breaker.js';
import { RedisRateCounter } from './shared-state/redis-rate-counter.js';
import { RedisRevocationBus } from './shared-state/redis-revocation-bus.js';
import type { Store } from './store/store.js';

// Part of the composition root (src/gatehouse.ts): the gateway's per-process state and the
// choice of where it is shared — Redis when configured, this process's memory otherwise.

export interface GatewayState {
  /** The store whose revokeFamilies also fans the revocation out to every process. */
  readonly store: Store;
  readonly accessTokens: AccessTokenVerifier;
  readonly rateLimiter: RateLimiter;
  /** Every revocation, from this process or any other: open WebSockets are closed on it. */
  readonly revocations: Pick<RevocationBus, 'subscribe'>;
  /** Where rate limits are counted right now, for /readyz. */
  rateLimitCounters(): 'memory' | 'redis' | 'local-fallback';
  /** Revocation messages since start-up: published, received (own ones included), failed to publish, possibly missed. */
  fanout(): Readonly<RevocationFanoutCounts>;
  close(): Promise<void>;
}

export interface RevocationFanoutCounts {
  readonly sent: number;
  readonly received: number;
  readonly failed: number;
  readonly missed: number;
}

export interface GatewayStateDependencies {
  readonly store: Store;
  readonly redis: Redis | null;
  /** Given with `redis`: decides, for every counter, whether Redis is used right now. */
  readonly breaker: RedisBreaker | null;
  readonly logger: Logger;
  readonly now: () => number;
}

export async function createGatewayState(config: Config, deps: GatewayStateDependencies): Promise<GatewayState> {
  const { redis, breaker, logger, now } = deps;
  let bus: RevocationBus;
  if (redis) {
    const redisBus = new RedisRevocationBus(redis, logger);
    await redisBus.start();
    bus = redisBus;
  } else {
    bus = new InMemoryRevocationBus();
  }
  const fanout = { sent: 0, received: 0, failed: 0, missed: 0 };
  const countedBus = {
    async publish(familyIds: readonly string[]) {
      await bus.publish(familyIds);
      fanout.sent += 1;
    },
  };
  const tokens = withRevocationFanout(deps.store.tokens, countedBus, (err, familyIds) => {
    fanout.failed += 1;
    logger.warn({ err, families: familyIds.length }, 'revocation not fanned out; other processes notice within the token cache TTL');
  });
  const store = withTokenStore(deps.store, tokens);
  const accessTokens = new AccessTokenVerifier({
    tokens: store.tokens,
    subscriptions: store.subscriptions,
    now,
    maxEntries: config.gateway.tokenCache.maxEntries,
    ttlMs: config.gateway.tokenCache.ttlMs,
  });
  bus.subscribe({
    familiesRevoked: (familyIds) => {
      fanout.received += 1;
      accessTokens.evictFamilies(familyIds);
    },
    messagesMissed: () => {
      fanout.missed += 1;
      accessTokens.evictAll();
    },
  });
  const counter = redis && breaker ? new FallbackRateCounter(breaker, new RedisRateCounter(redis)) : null;
  const rateLimiter = new RateLimiter(counter ?? new MemoryRateCounter(), now);
  return {
    store,
    accessTokens,
    rateLimiter,
    revocations: bus,
    rateLimitCounters: () => counter?.mode ?? 'memory',
    fanout: () => fanout,
    close: () => bus.close(),
  };
}
