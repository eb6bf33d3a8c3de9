import type { Page, PageRequest, TokenFamily } from '../../store/store.js';
import { findManagedApplication } from './applications.js';
import { MANAGEMENT_EVENT, recordManagementEvent } from './audit-log.js';
import type { ManagementContext } from './management-context.js';
import { notFound } from './management-error.js';
import { isAdmin, requireSelfOrAdmin } from './permissions.js';

// Logins (token families): a user sees and ends their own, an application's owners see the
// logins made through it, admins see and end any. Ending goes through revokeFamilies, which the
// gateway's revocation fan-out listens on, so the access tokens stop working at once.

export function listUserLogins(context: ManagementContext, userId: string, page: PageRequest): Promise<Page<TokenFamily>> {
  requireSelfOrAdmin(context.actor, userId, "list this user's logins");
  return context.store.tokens.listActiveFamilies({ userId }, context.now, page);
}

export async function listApplicationLogins(context: ManagementContext, applicationId: string, page: PageRequest): Promise<Page<TokenFamily>> {
  const application = await findManagedApplication(context, applicationId);
  return context.store.tokens.listActiveFamilies({ applicationId: application.id }, context.now, page);
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
