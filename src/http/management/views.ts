import type { ApiConfig } from '../../config/config.js';
import type { NamedAuditEvent } from '../../domain/management/audit-log.js';
import type { NamedConsent } from '../../domain/management/consents.js';
import { apiName, planName } from '../../domain/management/display-names.js';
import type { NamedLogin } from '../../domain/management/logins.js';
import type { Approval } from '../../domain/management/subscription-decisions.js';
import type { Application, Subscription, User } from '../../store/store.js';

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

/** `apis`: the configured APIs, whose names (and their plans') go next to the ids. */
export function subscriptionView(subscription: Subscription, apis: readonly ApiConfig[]) {
  const { clientSecretHash, ...rest } = subscription;
  return {
    ...rest,
    apiName: apiName(apis, subscription.apiId),
    planName: planName(apis, subscription.apiId, subscription.plan),
    hasClientSecret: clientSecretHash !== null,
    decidedAt: isoOrNull(subscription.decidedAt),
    createdAt: iso(subscription.createdAt),
    updatedAt: iso(subscription.updatedAt),
  };
}

export function loginView(login: NamedLogin) {
  const { revokedAt: _at, revokedReason: _reason, ...rest } = login;
  return { ...rest, createdAt: iso(login.createdAt), expiresAt: iso(login.expiresAt) };
}

export function consentView(consent: NamedConsent) {
  return { ...consent, grantedAt: iso(consent.grantedAt) };
}

export function auditEventView(event: NamedAuditEvent) {
  return { ...event, at: iso(event.at) };
}

export function approvalView(approval: Approval, apis: readonly ApiConfig[]) {
  return {
    ...subscriptionView(approval, apis),
    applicationName: approval.applicationName,
    clientType: approval.clientType,
    requestedBy: approval.requestedBy,
    requestedAt: iso(approval.requestedAt),
  };
}

export function pageView<T, V>(page: { readonly items: readonly T[]; readonly nextCursor: string | null }, view: (item: T) => V) {
  return { items: page.items.map(view), nextCursor: page.nextCursor };
}
