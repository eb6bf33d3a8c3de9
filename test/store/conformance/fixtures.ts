import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type {
  Application,
  NewTokenFamily,
  RefreshTokenHolder,
  Store,
  Subscription,
  TokenFamily,
  TokenPair,
  User,
} from '../../../src/store/store.js';

// Fixed clock values: the store takes `now` from its caller, so no test sleeps or reads the clock.
export const T0 = 1_700_000_000_000;
export const SECOND = 1_000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** A SHA-256 hex digest of a fresh random token value, as the domain would hand to the store. */
export function tokenHash(): string {
  return createHash('sha256').update(randomBytes(32)).digest('hex');
}

export function tokenPair(accessExpiresAt: number, refreshExpiresAt: number): TokenPair {
  return {
    accessToken: { hash: tokenHash(), expiresAt: accessExpiresAt },
    refreshToken: { hash: tokenHash(), expiresAt: refreshExpiresAt },
  };
}

/** A pair issued at `now` with the default lifetimes (1 h access, 1 day refresh). */
export const pairAt = (now: number): TokenPair => tokenPair(now + HOUR, now + DAY);

const unique = (): string => randomBytes(4).toString('hex');

export function createLocalUser(store: Store, now = T0, extra: Partial<Parameters<Store['users']['create']>[0]> = {}): Promise<User> {
  const tag = unique();
  return store.users.create({ authMethod: 'local', email: `user-${tag}@example.com`, username: `user_${tag}`, ...extra }, now);
}

export interface Seed {
  readonly user: User;
  readonly application: Application;
  readonly subscription: Subscription;
}

/** A user owning an application with one approved trusted subscription to `apiId`. */
export async function seedSubscription(store: Store, apiId = 'orders', now = T0): Promise<Seed> {
  const user = await createLocalUser(store, now);
  const application = await store.applications.create({ name: `app ${unique()}`, clientType: 'confidential', ownerIds: [user.id] }, now);
  const subscription = await store.subscriptions.create(
    { applicationId: application.id, apiId, plan: 'default', trusted: true, status: 'approved', clientId: `client-${unique()}` },
    now,
  );
  return { user, application, subscription };
}

export function newFamily(
  seed: { readonly subscription: Subscription; readonly user: User },
  overrides: Partial<NewTokenFamily> = {},
): NewTokenFamily {
  return {
    id: randomUUID(),
    subscriptionId: seed.subscription.id,
    applicationId: seed.subscription.applicationId,
    apiId: seed.subscription.apiId,
    authMethod: seed.user.authMethod,
    userId: seed.user.id,
    scope: 'orders:read orders:write',
    createdAt: T0,
    expiresAt: T0 + 30 * DAY,
    ...overrides,
  };
}

export interface SeededFamily {
  readonly family: TokenFamily;
  readonly tokens: TokenPair;
}

/** Starts a login: a family with its first pair, issued at the family's `createdAt`. */
export async function seedFamily(
  store: Store,
  seed: { readonly subscription: Subscription; readonly user: User },
  overrides: Partial<NewTokenFamily> = {},
): Promise<SeededFamily> {
  const input = newFamily(seed, overrides);
  const tokens = pairAt(input.createdAt);
  const family = await store.tokens.createFamily(input, tokens);
  return { family, tokens };
}

/** Who may present the tokens of `seed`'s families: its subscription, API and user's auth method. */
export function holderOf(seed: { readonly subscription: Subscription; readonly user: User }): RefreshTokenHolder {
  return { subscriptionId: seed.subscription.id, apiId: seed.subscription.apiId, authMethod: seed.user.authMethod };
}
