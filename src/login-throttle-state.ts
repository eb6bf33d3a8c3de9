import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Config, LockoutConfig } from './config/config.js';
import type { LockoutPolicy } from './domain/brute-force/failure-counters.js';
import type { OperatorLog } from './domain/operator-log.js';
import { LoginThrottle } from './domain/brute-force/login-throttle.js';
import { FallbackFailureCounters } from './shared-state/fallback-failure-counters.js';
import { MemoryFailureCounters } from './shared-state/memory-failure-counters.js';
import type { RedisBreaker } from './shared-state/redis-breaker.js';
import { RedisFailureCounters } from './shared-state/redis-failure-counters.js';

// Part of the composition root (src/gatehouse.ts): where the brute-force counters live. Redis
// when configured (one count for every process, falling back to this process's memory while
// Redis is away), this process's memory otherwise.

/** What /readyz reports: `local-fallback` means Redis is configured but not being counted in. */
export type BruteForceCounterMode = 'memory' | 'redis' | 'local-fallback';

export interface LoginThrottleState {
  readonly loginThrottle: LoginThrottle;
  counterMode(): BruteForceCounterMode;
}

const SECOND = 1000; // ms

export function lockoutPolicy(config: LockoutConfig): LockoutPolicy {
  return {
    failuresAllowed: config.failuresAllowed,
    waitIncrementMs: config.waitIncrementSeconds * SECOND,
    maxWaitMs: config.maxWaitSeconds * SECOND,
    failureResetMs: config.failureResetSeconds * SECOND,
  };
}

/**
 * Counters belong to the accounts of one store, so their Redis keys are named after it (the
 * PostgreSQL database and schema without credentials, or the SQLite data directory): processes
 * of one deployment share counts, deployments that share a Redis do not.
 */
export function counterKeyPrefix(config: Pick<Config, 'database' | 'dataDir'>): string {
  let identity: string;
  if (config.database.url !== null) {
    const url = new URL(config.database.url);
    identity = `postgres://${url.host}${url.pathname}#${config.database.schema ?? 'public'}`;
  } else {
    identity = `sqlite:${config.dataDir}`;
  }
  const digest = createHash('sha256').update(identity).digest('hex').slice(0, 16);
  return `gatehouse:login-failures:${digest}:`;
}

export function createLoginThrottleState(
  config: Config,
  deps: { readonly redis: Redis | null; readonly breaker: RedisBreaker | null; readonly log: OperatorLog },
): LoginThrottleState {
  const policies = { accounts: lockoutPolicy(config.bruteForce.accounts), addresses: lockoutPolicy(config.bruteForce.addresses) };
  const { redis, breaker, log } = deps;
  if (redis === null || breaker === null) {
    return { loginThrottle: new LoginThrottle(new MemoryFailureCounters(), policies, log), counterMode: () => 'memory' };
  }
  const counters = new FallbackFailureCounters(breaker, new RedisFailureCounters(redis, counterKeyPrefix(config)));
  return { loginThrottle: new LoginThrottle(counters, policies, log), counterMode: () => counters.mode };
}
