import type { Page, PageRequest, TokenFamily } from '../../store/store.js';
import { findManagedApplication } from './applications.js';
import { MANAGEMENT_EVENT, recordManagementEvent } from './audit-log.js';
import { apiName, applicationNames } from './display-names.js';
import type { ManagementContext } from './management-context.js';
import { notFound } from './management-error.js';
import { isAdmin, requireSelfOrAdmin } from './permissions.js';

// Logins (token families): a user sees and ends their own, an application's owners see the
// logins made through it, admins see and end any. Ending goes through revokeFamilies, which the
// gateway's revocation fan-out listens on, so the access tokens stop working at once.

/** A login with the names of its application and API, as a person recognises it. */
export type NamedLogin = TokenFamily & { readonly applicationName: string | null; readonly apiName: string | null };

async function named(context: ManagementContext, page: Page<TokenFamily>): Promise<Page<NamedLogin>> {
  const names = await applicationNames(context.store, page.items.map((family) => family.applicationId));
  const items = page.items.map((family) => ({ ...family, applicationName: names.get(family.applicationId) ?? null, apiName: apiName(context.config.apis, family.apiId) }));
  return { ...page, items };
}

export async function listUserLogins(context: ManagementContext, userId: string, page: PageRequest): Promise<Page<NamedLogin>> {
  requireSelfOrAdmin(context.actor, userId, "list this user's logins");
  return named(context, await context.store.tokens.listActiveFamilies({ userId }, context.now, page));
}

export async function listApplicationLogins(context: ManagementContext, applicationId: string, page: PageRequest): Promise<Page<NamedLogin>> {
  const application = await findManagedApplication(context, applicationId);
  return named(context, await context.store.tokens.listActiveFamilies({ applicationId: application.id }, context.now, page));
}

/** Ends one login; a family the actor may not end is "not found", so ids cannot be probed. */
export async function revokeLogin(context: ManagementContext, familyId: string): Promise<void> {
  const family = await context.store.tokens.findFamily(familyId);
  if (!family || (family.userId !== context.actor.id && !isAdmin(context.actor))) throw notFound(`login ${familyId}`);
  const revoked = await context.store.tokens.revokeFamilies({ familyId }, 'revoked_by_management', context.now);
  await recordManagementEvent(
    context,
    MANAGEMENT_EVENT.tokensRevoked,
    { userId: family.userId, familyId, applicationId: family.applicationId, subscriptionId: family.subscriptionId, apiId: family.apiId },
    { count: revoked.length },
  );
}

/** Ends every login of a user ("sign out everywhere"); returns how many were live. */
export async function revokeUserLogins(context: ManagementContext, userId: string): Promise<number> {
  requireSelfOrAdmin(context.actor, userId, "end this user's logins");
  const revoked = await context.store.tokens.revokeFamilies({ userId }, 'revoked_by_management', context.now);
  await recordManagementEvent(context, MANAGEMENT_EVENT.tokensRevoked, { userId }, { count: revoked.length, all: true });
  return revoked.length;
}
