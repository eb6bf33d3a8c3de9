import type { Application, AuditEvent, Consent, Subscription, TokenFamily, User } from '../../store/store.js';

// Store records as the management API shows them: times as RFC 3339 strings, and only the
// fields the response schemas list. A hash is never copied into a view, so it cannot leak even
// if a schema were loosened.

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

export function userView(user: User) {
  const { passwordHash: _hash, externalSub: _sub, ...rest } = user;
  return { ...rest, createdAt: iso(user.createdAt), updatedAt: iso(user.updatedAt), passwordChangedAt: isoOrNull(user.passwordChangedAt) };
}

export function applicationView(application: Application) {
  return { ...application, createdAt: iso(application.createdAt), updatedAt: iso(application.updatedAt) };
}

export function subscriptionView(subscription: Subscription) {
  const { clientSecretHash, ...rest } = subscription;
  return {
    ...rest,
    hasClientSecret: clientSecretHash !== null,
    decidedAt: isoOrNull(subscription.decidedAt),
    createdAt: iso(subscription.createdAt),
    updatedAt: iso(subscription.updatedAt),
  };
}

export function loginView(family: TokenFamily) {
  const { revokedAt: _at, revokedReason: _reason, ...rest } = family;
  return { ...rest, createdAt: iso(family.createdAt), expiresAt: iso(family.expiresAt) };
}

export function consentView(consent: Consent) {
  return { ...consent, grantedAt: iso(consent.grantedAt) };
}

export function auditEventView(event: AuditEvent) {
  return { ...event, at: iso(event.at) };
}

export function approvalView(approval: Subscription & { readonly applicationName: string | null; readonly clientType: Application['clientType'] | null }) {
  return { ...subscriptionView(approval), applicationName: approval.applicationName, clientType: approval.clientType };
}

export function pageView<T, V>(page: { readonly items: readonly T[]; readonly nextCursor: string | null }, view: (item: T) => V) {
  return { items: page.items.map(view), nextCursor: page.nextCursor };
}
