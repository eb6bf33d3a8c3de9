import type { AccessTokenVerifier } from '../domain/access-token-verifier.js';
import type { LoginThrottle } from '../domain/brute-force/login-throttle.js';
import type { HashingPoolStats } from '../domain/hashing-pool.js';
import type { RevocationFanoutCounts } from '../gateway-state.js';
import type { BreakerState } from '../shared-state/redis-breaker.js';
import type { GatehouseMetrics } from './metrics.js';

// State read at scrape time rather than counted as it changes: who is locked out now, and how
// the gateway's token cache has answered. Reading it costs the scrape, never a request.

// Listing locked subjects is a scan (of Redis keys, or the in-process map): bounded per scrape.
// A gauge at this value means "at least".
const LOCKOUT_SCAN_LIMIT = 10_000;

export interface ObservedState {
  readonly accessTokens: Pick<AccessTokenVerifier, 'cacheHits' | 'cacheMisses'>;
  readonly loginThrottle: Pick<LoginThrottle, 'lockedAccounts' | 'throttledAddresses'>;
  readonly now: () => number;
  /** null: hashing on the event loop's own pool (an injected hasher, tests). */
  readonly hashing: () => HashingPoolStats | null;
  /** null: no Redis configured. */
  readonly redis: () => BreakerState | null;
  readonly fanout: () => Readonly<RevocationFanoutCounts>;
}

export function observeState(metrics: GatehouseMetrics, state: ObservedState): void {
  metrics.gauge('gatehouse_locked_accounts', 'Accounts locked out by failed sign-ins right now.', async () =>
    (await state.loginThrottle.lockedAccounts(state.now(), LOCKOUT_SCAN_LIMIT)).length,
  );
  metrics.gauge('gatehouse_throttled_addresses', 'Client addresses throttled by failed sign-ins right now.', async () =>
    (await state.loginThrottle.throttledAddresses(state.now(), LOCKOUT_SCAN_LIMIT)).length,
  );
  metrics.gauge('gatehouse_password_hash_queue_length', 'Password checks waiting for a hashing thread.', () => state.hashing()?.queued ?? 0);
  metrics.gauge('gatehouse_password_hash_running', 'Password checks being hashed right now.', () => state.hashing()?.running ?? 0);
  metrics.counterFrom(
    'gatehouse_password_hash_refusals_total',
    'Password checks refused with 503 because the hashing queue was full.',
    { busy: () => state.hashing()?.refused ?? 0 },
    'reason',
  );
  metrics.gauge('gatehouse_redis_available', '0 while Redis is given up on and each process counts locally (fallback); 1 otherwise, and without Redis.', () =>
    state.redis()?.mode === 'local-fallback' ? 0 : 1,
  );
  metrics.counterFrom(
    'gatehouse_redis_fallbacks_total',
    'Times the counters gave up on Redis and fell back to local counting.',
    { breaker: () => state.redis()?.trips ?? 0 },
    'cause',
  );
  const fanout = (key: keyof RevocationFanoutCounts) => () => state.fanout()[key];
  metrics.counterFrom(
    'gatehouse_revocation_fanout_messages_total',
    'Revocation fan-out messages: sent, received (own included), failed to send (other processes learn within the token cache TTL), missed (caches flushed).',
    { sent: fanout('sent'), received: fanout('received'), failed: fanout('failed'), missed: fanout('missed') },
    'event',
  );
  metrics.counterFrom(
    'gatehouse_gateway_token_lookups_total',
    'Access-token checks of the gateway by where the answer came from: the process cache (hit) or the store (miss).',
    { hit: () => state.accessTokens.cacheHits, miss: () => state.accessTokens.cacheMisses },
    'result',
  );
}
