import type { Store, TokenStore } from '../store/store.js';

// A revoked login must be refused at once by the gateway of every Gatehouse process, whatever
// revoked it: refresh-token reuse (RFC 9700 §4.14.2), RFC 7009 revocation, a withdrawn
// subscription, a disabled or deleted user. All of those end in TokenStore.revokeFamilies, so the
// composition root wraps that one method: whatever it revoked is published on a bus that reaches
// every process (in memory alone; Redis pub/sub when several processes share a store).

export interface RevocationListener {
  /** These families are revoked: drop anything cached about them. */
  familiesRevoked(familyIds: readonly string[]): void;
  /** Messages may have been lost (the bus reconnected): drop everything cached. */
  messagesMissed(): void;
}

export interface RevocationBus {
  /** Reaches every listener of every process, this one's synchronously before resolving. */
  publish(familyIds: readonly string[]): Promise<void>;
  subscribe(listener: RevocationListener): void;
  close(): Promise<void>;
}

/** One process: publishing is calling the listeners. */
export class InMemoryRevocationBus implements RevocationBus {
  readonly #listeners: RevocationListener[] = [];

  async publish(familyIds: readonly string[]): Promise<void> {
    this.deliver(familyIds);
  }

  subscribe(listener: RevocationListener): void {
    this.#listeners.push(listener);
  }

  deliver(familyIds: readonly string[]): void {
    for (const listener of this.#listeners) listener.familiesRevoked(familyIds);
  }

  reportGap(): void {
    for (const listener of this.#listeners) listener.messagesMissed();
  }

  async close(): Promise<void> {
    this.#listeners.length = 0;
  }
}

/**
 * The token store, but revokeFamilies also publishes what it revoked. A failed publish does not
 * undo or fail the revocation (it is committed): `onPublishError` reports it, and the gateway
 * caches' TTL bounds how long another process may still admit those tokens.
 */
export function withRevocationFanout(
  tokens: TokenStore,
  bus: Pick<RevocationBus, 'publish'>,
  onPublishError: (error: unknown, familyIds: readonly string[]) => void,
): TokenStore {
  return {
    createFamily: (family, pair, audit) => tokens.createFamily(family, pair, audit),
    findAccessToken: (hash) => tokens.findAccessToken(hash),
    findRefreshToken: (hash) => tokens.findRefreshToken(hash),
    rotateRefreshToken: (presented, next, now, holder) => tokens.rotateRefreshToken(presented, next, now, holder),
    addTokens: (familyId, pair, replacing, now) => tokens.addTokens(familyId, pair, replacing, now),
    async revokeFamilies(selector, reason, now) {
      const revoked = await tokens.revokeFamilies(selector, reason, now);
      if (revoked.length > 0) await bus.publish(revoked).catch((error: unknown) => onPublishError(error, revoked));
      return revoked;
    },
    findFamily: (id) => tokens.findFamily(id),
    listActiveFamilies: (filter, now, page) => tokens.listActiveFamilies(filter, now, page),
    deleteExpired: (now) => tokens.deleteExpired(now),
  };
}

/** The same store with its token store replaced (explicit, so that a new Store member fails to compile here). */
export function withTokenStore(store: Store, tokens: TokenStore): Store {
  return {
    kind: store.kind,
    users: store.users,
    applications: store.applications,
    subscriptions: store.subscriptions,
    tokens,
    audit: store.audit,
    authorizations: store.authorizations,
    migrate: () => store.migrate(),
    appliedMigrations: () => store.appliedMigrations(),
    ping: () => store.ping(),
    close: () => store.close(),
  };
}
