import type { Consent, Page, PageRequest } from '../../store/store.js';
import { MANAGEMENT_EVENT } from './audit-log.js';
import { apiName, applicationNames } from './display-names.js';
import { auditBase, type ManagementContext } from './management-context.js';
import { notFound } from './management-error.js';
import { requireSelfOrAdmin } from './permissions.js';

// The consents a user gave on the sign-in page's consent step (one per subscription). Revoking
// one means the next authorization asks again, and ends the logins it allowed: the user took back
// the application's right to act for them.

/** A consent with the names of its application and API, as the person who gave it recognises it. */
export type NamedConsent = Consent & { readonly applicationName: string | null; readonly apiName: string | null };

export async function listConsents(context: ManagementContext, userId: string, page: PageRequest): Promise<Page<NamedConsent>> {
  requireSelfOrAdmin(context.actor, userId, "list this user's consents");
  const consents = await context.store.authorizations.listConsents(userId, page);
  const names = await applicationNames(context.store, consents.items.map((consent) => consent.applicationId));
  const items = consents.items.map((consent) => ({ ...consent, applicationName: names.get(consent.applicationId) ?? null, apiName: apiName(context.config.apis, consent.apiId) }));
  return { ...consents, items };
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
