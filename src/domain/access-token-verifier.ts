import { LRUCache } from 'lru-cache';
import type { SubscriptionStore, TokenStore } from '../store/store.js';
import { hashTokenValue, MAX_TOKEN_LENGTH } from './token-values.js';

// Is this access token good for this API, right now? The gateway asks on every request, so the
// answer comes from a bounded in-process cache of store lookups (keyed by the token's SHA-256,
// like the store). A cached "yes" is trusted for at most `ttlMs` and never past the token's own
// expiry; revocations evict at once through evictFamilies (revocation-fanout.ts), the TTL being
// the bound when such a message is lost. A "no" for a token that is unknown, revoked or expired
// can never turn into a "yes" (values are stored before they are handed out; revocation and
// expiry are final), so it is kept longer: a client retrying a dead token costs no lookup.

/** What the gateway knows about an admitted access token. Times are ms since the epoch. */
export interface VerifiedAccessToken {
  readonly familyId: string;
  readonly apiId: string;
  /** null: a client-credentials token, the client acting for itself (RFC 6749 §4.4). */
  readonly userId: string | null;
  readonly authMethod: string;
  /** Space-separated (RFC 6749 §3.3). */
  readonly scope: string;
  readonly subscriptionId: string;
  readonly applicationId: string;
  readonly clientId: string;
  readonly plan: string;
  readonly issuedAt: number;
  /** The earlier of the token's expiry and its login's absolute end. */
  readonly expiresAt: number;
}

export type AccessTokenRejection = 'unknown' | 'expired' | 'revoked' | 'other_api';

export type AccessTokenCheck =
  | { readonly active: true; readonly token: VerifiedAccessToken }
  | { readonly active: false; readonly reason: AccessTokenRejection };

export interface AccessTokenVerifierOptions {
  readonly tokens: Pick<TokenStore, 'findAccessToken'>;
  readonly subscriptions: Pick<SubscriptionStore, 'findById'>;
  readonly now: () => number;
  readonly maxEntries: number;
  /** Milliseconds a live entry is trusted without asking the store again. */
  readonly ttlMs: number;
}

// Past this many revocations during one stretch of lookups, every lookup of it counts as stale.
const MAX_REVOCATIONS_REMEMBERED = 10_000;

/** How long a dead token's "no" is remembered: it cannot come back to life, only be evicted. */
export const DEAD_TOKEN_TTL_MS = 60_000; // 1 minute

type Lookup =
  | { readonly kind: 'live'; readonly token: VerifiedAccessToken }
  | { readonly kind: 'dead'; readonly reason: Exclude<AccessTokenRejection, 'other_api'> };

export class AccessTokenVerifier {
  readonly #options: AccessTokenVerifierOptions;
  readonly #live: LRUCache<string, Lookup & { kind: 'live' }>;
  // Separate, so that a flood of garbage tokens cannot push the valid ones out.
  readonly #dead: LRUCache<string, Lookup & { kind: 'dead' }>;
  readonly #inFlight = new Map<string, Promise<Lookup>>();
  // A lookup that started before a revocation may have read its family as live: its answer is
  // used once but not cached. Only the families revoked while lookups were in flight count, so
  // that revocations elsewhere (other processes' logins, on a shared Redis) do not turn the
  // cache's hits into store lookups. Forgotten whenever no lookup is in flight.
  #epoch = 0;
  #revokedAtEpoch = new Map<string, number>();
  #allEvictedAtEpoch = 0;
  // Plain counts, read by the metrics at scrape time: nothing on the hot path but an increment.
  #cacheHits = 0;
  #cacheMisses = 0;

  constructor(options: AccessTokenVerifierOptions) {
    this.#options = options;
    // ttlResolution 0: read the clock on each check. lru-cache's default keeps it for 1 ms with a
    // timer per millisecond, which showed under the gateway's load (timers < get in a profile).
    this.#live = new LRUCache({ max: options.maxEntries, ttlResolution: 0 });
    this.#dead = new LRUCache({ max: options.maxEntries, ttl: DEAD_TOKEN_TTL_MS, ttlResolution: 0 });
  }

  async verify(tokenValue: string, apiId: string): Promise<AccessTokenCheck> {
    return this.check(tokenValue, apiId);
  }

  /**
   * The answer, at once when the cache has it, else a promise of the store's; the token is hashed
   * once either way. The gateway asks this on every request: a hit costs no promise and no turn
   * of the microtask queue, which the async `verify` spends even when nothing is awaited.
   */
  check(tokenValue: string, apiId: string): AccessTokenCheck | Promise<AccessTokenCheck> {
    if (tokenValue.length > MAX_TOKEN_LENGTH) return { active: false, reason: 'unknown' };
    const hash = hashTokenValue(tokenValue);
    const cached = this.#cached(hash, apiId);
    if (cached) return cached;
    this.#cacheMisses += 1;
    return this.#lookUp(hash).then((lookup) => this.#check(lookup, apiId));
  }

  #cached(hash: string, apiId: string): AccessTokenCheck | undefined {
    const cached = this.#live.get(hash) ?? this.#dead.get(hash);
    if (!cached) return undefined;
    this.#cacheHits += 1;
    return this.#check(cached, apiId);
  }

  #check(lookup: Lookup, apiId: string): AccessTokenCheck {
    if (lookup.kind === 'dead') return { active: false, reason: lookup.reason };
    // RFC 6750 §3.1 invalid_token covers "expired" and "issued for another resource" alike.
    if (lookup.token.expiresAt <= this.#options.now()) return { active: false, reason: 'expired' };
    if (lookup.token.apiId !== apiId) return { active: false, reason: 'other_api' };
    return { active: true, token: lookup.token };
  }

  /** How many checks the cache answered, and how many went to the store, since start-up. */
  get cacheHits(): number {
    return this.#cacheHits;
  }

  get cacheMisses(): number {
    return this.#cacheMisses;
  }

  /** Forgets every cached token of these families: they were revoked, here or elsewhere. */
  evictFamilies(familyIds: readonly string[]): void {
    this.#epoch += 1;
    if (this.#inFlight.size > 0) {
      if (this.#revokedAtEpoch.size + familyIds.length > MAX_REVOCATIONS_REMEMBERED) this.#allEvictedAtEpoch = this.#epoch;
      else for (const familyId of familyIds) this.#revokedAtEpoch.set(familyId, this.#epoch);
    }
    const revoked = new Set(familyIds);
    const stale: string[] = [];
    for (const [hash, lookup] of this.#live.entries()) {
      if (revoked.has(lookup.token.familyId)) stale.push(hash);
    }
    for (const hash of stale) this.#live.delete(hash);
  }

  /** Forgets every live entry, e.g. when revocation messages may have been missed. */
  evictAll(): void {
    this.#epoch += 1;
    this.#allEvictedAtEpoch = this.#epoch;
    this.#live.clear();
  }

  #lookUp(hash: string): Promise<Lookup> {
    // Concurrent requests with the same uncached token share one store lookup.
    let pending = this.#inFlight.get(hash);
    if (!pending) {
      pending = this.#load(hash).finally(() => {
        this.#inFlight.delete(hash);
        if (this.#inFlight.size === 0) this.#revokedAtEpoch.clear();
      });
      this.#inFlight.set(hash, pending);
    }
    return pending;
  }

  async #load(hash: string): Promise<Lookup> {
    const epoch = this.#epoch;
    const lookup = await this.#read(hash);
    if (lookup.kind === 'dead') {
      this.#dead.set(hash, lookup);
    } else if (!this.#revokedSince(epoch, lookup.token.familyId)) {
      const ttl = Math.min(this.#options.ttlMs, lookup.token.expiresAt - this.#options.now());
      if (ttl > 0) this.#live.set(hash, lookup, { ttl });
    }
    return lookup;
  }

  #revokedSince(epoch: number, familyId: string): boolean {
    return this.#allEvictedAtEpoch > epoch || (this.#revokedAtEpoch.get(familyId) ?? 0) > epoch;
  }

  async #read(hash: string): Promise<Lookup> {
    const record = await this.#options.tokens.findAccessToken(hash);
    if (!record) return { kind: 'dead', reason: 'unknown' };
    const { family } = record;
    if (family.revokedAt !== null) return { kind: 'dead', reason: 'revoked' };
    const expiresAt = Math.min(record.expiresAt, family.expiresAt);
    if (expiresAt <= this.#options.now()) return { kind: 'dead', reason: 'expired' };
    const subscription = await this.#options.subscriptions.findById(family.subscriptionId);
    // Withdrawing a subscription revokes its families; this only closes the gap if that failed.
    if (!subscription || subscription.status !== 'approved' || subscription.clientId === null) {
      return { kind: 'dead', reason: 'revoked' };
    }
    return {
      kind: 'live',
      token: {
        familyId: family.id,
        apiId: family.apiId,
        userId: family.userId,
        authMethod: family.authMethod,
        scope: family.scope,
        subscriptionId: subscription.id,
        applicationId: family.applicationId,
        clientId: subscription.clientId,
        plan: subscription.plan,
        issuedAt: record.createdAt,
        expiresAt,
      },
    };
  }
}
