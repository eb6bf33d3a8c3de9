import { DEFAULT_WEBSOCKET_LIMITS, type ApiConfig, type Config } from '../config/config.js';
import type { Store, Subscription } from '../store/store.js';
import { StoreConflictError } from '../store/store.js';

// How the management API is signed into: with Gatehouse's own password grant (RFC 6749 §4.3),
// through a built-in API and a built-in trusted public application. That is the one use the
// seed calls legitimate: a first-party client (the portal, the CLI) of the server that owns the
// passwords. The API is not in `config.apis`, so the gateway never routes it and nobody can
// subscribe to it; its token endpoint is served on the portal listener only.

export const PORTAL_API_ID = 'gatehouse-portal';
/** Well-known, like any public client's id (RFC 6749 §2.2: a client id is not a secret). */
export const PORTAL_CLIENT_ID = 'gatehouse-portal';
export const PORTAL_APPLICATION_NAME = 'Gatehouse portal and CLI';
export const PORTAL_API_NAME = 'Gatehouse management API';

const PORTAL_ACCESS_TOKEN_LIFETIME = 15 * 60; // 15 minutes: management rights should lapse quickly
const PORTAL_REFRESH_IDLE_LIFETIME = 7 * 24 * 3600; // 7 days unused and the CLI signs in again
const PORTAL_SESSION_LIFETIME = 30 * 24 * 3600; // 30 days at most per sign-in
// Two CLI processes (or a portal tab whose refresh answer was lost) may present the same refresh
// token within moments of each other; a short grace window lets the second one through instead
// of reuse detection ending the sign-in (refresh-token-grant.ts: only while the successor is unused).
export const PORTAL_REFRESH_GRACE_SECONDS = 10;

/** The built-in API: every configured auth method may sign in (both kinds serve the password grant). */
export function portalApi(config: Pick<Config, 'authMethods'>): ApiConfig {
  return {
    id: PORTAL_API_ID,
    name: PORTAL_API_NAME,
    description: 'Built in: the management API and the portal sign in through it.',
    pathPrefix: '/api/v1',
    upstreamUrl: 'http://127.0.0.1',
    stripPrefix: false,
    forwardAuthorization: false,
    authMethods: config.authMethods.map((method) => method.id),
    group: null,
    accessTokenLifetime: PORTAL_ACCESS_TOKEN_LIFETIME,
    refreshTokenIdleLifetime: PORTAL_REFRESH_IDLE_LIFETIME,
    sessionLifetime: PORTAL_SESSION_LIFETIME,
    refreshGraceSeconds: PORTAL_REFRESH_GRACE_SECONDS,
    scopes: [],
    plans: [{ id: 'built-in', name: 'Built in', description: '', requiresApproval: true, rateLimit: null }],
    // The management API acts for a user: a token without one (client credentials) has no place here.
    grants: ['password', 'refresh_token', 'authorization_code'],
    websocket: DEFAULT_WEBSOCKET_LIMITS,
  };
}

function isIntact(subscription: Subscription): boolean {
  return subscription.apiId === PORTAL_API_ID && subscription.trusted && subscription.status === 'approved';
}

/**
 * Creates the built-in application and its approved trusted subscription unless they exist, and
 * repairs the subscription if someone changed it in the database. Safe to run from several
 * processes at once: the client id is unique, so only one creation wins and the losers tidy up.
 */
export async function ensurePortalClient(store: Pick<Store, 'applications' | 'subscriptions'>, now: number): Promise<Subscription> {
  const existing = await store.subscriptions.findByClientId(PORTAL_CLIENT_ID);
  if (existing) {
    if (isIntact(existing)) return existing;
    const repaired = await store.subscriptions.update(existing.id, { trusted: true, status: 'approved', clientSecretHash: null }, now);
    return repaired ?? existing;
  }
  const application = await store.applications.create({ name: PORTAL_APPLICATION_NAME, clientType: 'public', ownerIds: [] }, now);
  try {
    return await store.subscriptions.create(
      { applicationId: application.id, apiId: PORTAL_API_ID, plan: 'built-in', trusted: true, status: 'approved', clientId: PORTAL_CLIENT_ID },
      now,
    );
  } catch (error) {
    await store.applications.delete(application.id);
    if (!(error instanceof StoreConflictError)) throw error;
    const winner = await store.subscriptions.findByClientId(PORTAL_CLIENT_ID);
    if (!winner) throw error;
    return winner;
  }
}

/** Whether a subscription or application is the built-in one, which the management API leaves alone. */
export async function isPortalApplication(store: Pick<Store, 'subscriptions'>, applicationId: string): Promise<boolean> {
  const portal = await store.subscriptions.findByClientId(PORTAL_CLIENT_ID);
  return portal?.applicationId === applicationId;
}
