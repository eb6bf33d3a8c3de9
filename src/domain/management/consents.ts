import type { Consent, Page, PageRequest } from '../../store/store.js';
import { MANAGEMENT_EVENT } from './audit-log.js';
import { auditBase, type ManagementContext } from './management-context.js';
import { notFound } from './management-error.js';
import { requireSelfOrAdmin } from './permissions.js';

// The consents a user gave on the sign-in page's consent step (one per subscription). Revoking
// one means the next authorization asks again, and ends the logins it allowed: the user took back
// the application's right to act for them.

export function listConsents(context: ManagementContext, userId: string, page: PageRequest): Promise<Page<Consent>> {
  requireSelfOrAdmin(context.actor, userId, "list this user's consents");
  return context.store.authorizations.listConsents(userId, page);
}

export async function revokeConsent(context: ManagementContext, userId: string, subscriptionId: string): Promise<void> {
  requireSelfOrAdmin(context.actor, userId, "revoke this user's consents");
  const consent = await context.store.authorizations.findConsent(userId, subscriptionId);
  if (!consent) throw notFound('consent');
  const logins = await context.store.tokens.listActiveFamilies({ userId, subscriptionId }, context.now, { limit: 500 });
  const ended: string[] = [];
  for (const family of logins.items) ended.push(...(await context.store.tokens.revokeFamilies({ familyId: family.id }, 'consent_revoked', context.now)));
  const revoked = await context.store.authorizations.revokeConsent(userId, subscriptionId, {
    ...auditBase(context, MANAGEMENT_EVENT.consentRevoked),
    userId,
    subscriptionId,
    applicationId: consent.applicationId,
    apiId: consent.apiId,
    details: { loginsEnded: ended.length },
  });
  if (!revoked) throw notFound('consent');
}
