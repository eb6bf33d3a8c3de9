import type { AuditStore, Store, TokenStore } from '../store/store.js';
import type { GatehouseMetrics } from './metrics.js';

// The store as the rest of Gatehouse sees it when metrics are on: every call of every sub-store
// timed by operation (`tokens.rotateRefreshToken`), and every audited event counted by type —
// the audit log is where the domain already records what an operator alerts on (refresh-token
// reuse, refused logins), so counting there needs no second report from the domain.

function timed<T extends object>(name: string, target: T, metrics: GatehouseMetrics): T {
  // One wrapper per method, made on first use and remade if the method is replaced (tests patch
  // store methods to inject failures): the histogram's children are resolved once, not per call.
  const wrapped = new Map<string, { readonly method: unknown; readonly wrapper: unknown }>();
  return new Proxy(target, {
    get(object, property, receiver) {
      const value: unknown = Reflect.get(object, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      const cached = wrapped.get(property);
      if (cached?.method === value) return cached.wrapper;
      const ok = metrics.storeSeconds.labels(`${name}.${property}`, 'ok');
      const failed = metrics.storeSeconds.labels(`${name}.${property}`, 'error');
      const method = value as (...args: unknown[]) => unknown;
      const wrapper = function (...args: unknown[]) {
        const started = performance.now();
        const result = method.apply(object, args);
        if (!(result instanceof Promise)) return result;
        return result.then(
          (resolved: unknown) => {
            ok.observe((performance.now() - started) / 1000);
            return resolved;
          },
          (error: unknown) => {
            failed.observe((performance.now() - started) / 1000);
            throw error;
          },
        );
      };
      wrapped.set(property, { method: value, wrapper });
      return wrapper;
    },
  });
}

function countedAudit(audit: AuditStore, metrics: GatehouseMetrics): AuditStore {
  return {
    async record(event) {
      const recorded = await audit.record(event);
      metrics.securityEvents.inc({ type: event.type });
      return recorded;
    },
    list: (filter, page) => audit.list(filter, page),
    latestForSubscriptions: (subscriptionIds, types) => audit.latestForSubscriptions(subscriptionIds, types),
  };
}

/** A login's audit row is written with the login itself (TokenStore.createFamily): counted here, as record's are. */
function countedLogins(tokens: TokenStore, metrics: GatehouseMetrics): TokenStore {
  const createFamily: TokenStore['createFamily'] = async (family, pair, audit) => {
    const created = await tokens.createFamily(family, pair, audit);
    if (audit) metrics.securityEvents.inc({ type: audit.type });
    return created;
  };
  // Its other methods are the timed store's, through the prototype: no second trap on every call.
  return Object.assign(Object.create(tokens) as TokenStore, { createFamily });
}

/** Explicit, so that a new Store member fails to compile here instead of escaping the timing. */
export function withStoreMetrics(store: Store, metrics: GatehouseMetrics): Store {
  return {
    kind: store.kind,
    users: timed('users', store.users, metrics),
    applications: timed('applications', store.applications, metrics),
    subscriptions: timed('subscriptions', store.subscriptions, metrics),
    tokens: countedLogins(timed('tokens', store.tokens, metrics), metrics),
    audit: countedAudit(timed('audit', store.audit, metrics), metrics),
    authorizations: timed('authorizations', store.authorizations, metrics),
    migrate: () => store.migrate(),
    appliedMigrations: () => store.appliedMigrations(),
    ping: () => store.ping(),
    close: () => store.close(),
  };
}
