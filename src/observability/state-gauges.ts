import type { AccessTokenVerifier } from '../domain/access-token-verifier.js';
import type { LoginThrottle } from '../domain/brute-force/login-throttle.js';
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
}

export function observeState(metrics: GatehouseMetrics, state: ObservedState): void {
  metrics.gauge('gatehouse_locked_accounts', 'Accounts locked out by failed sign-ins right now.', async () =>
    (await state.loginThrottle.lockedAccounts(state.now(), LOCKOUT_SCAN_LIMIT)).length,
  );
  metrics.gauge('gatehouse_throttled_addresses', 'Client addresses throttled by failed sign-ins right now.', async () =>
    (await state.loginThrottle.throttledAddresses(state.now(), LOCKOUT_SCAN_LIMIT)).length,
  );
  metrics.counterFrom(
    'gatehouse_gateway_token_lookups_total',
    'Access-token checks of the gateway by where the answer came from: the process cache (hit) or the store (miss).',
    { hit: () => state.accessTokens.cacheHits, miss: () => state.accessTokens.cacheMisses },
    'result',
  );
}
