import type { ApiConfig } from '../../config/config.js';
import type { Page, PageRequest, Subscription } from '../../store/store.js';
import { PORTAL_API_ID } from '../portal-sign-in.js';
import { MANAGEMENT_EVENT, recordManagementEvent } from './audit-log.js';
import type { ManagementContext } from './management-context.js';
import { conflict, forbidden } from './management-error.js';
import { decidableApis, isAdmin, ownsApplication, requireDecider, requireSomeDecider } from './permissions.js';
import { findApi, findSubscription } from './subscriptions.js';

// Deciding subscriptions: admins, and approvers of the API's group. The right to decide is
// checked when the decision is made, against the actor and the API as they are now, whatever
// the queue showed earlier. Owners never decide their own subscriptions, unless they are admins.

/** The subscription and its API, if the actor may decide it now. */
async function findDecidable(context: ManagementContext, subscriptionId: string): Promise<{ subscription: Subscription; api: ApiConfig }> {
  const subscription = await findSubscription(context, subscriptionId);
  if (subscription.apiId === PORTAL_API_ID) throw conflict('the built-in subscription is always approved');
  const api = findApi(context, subscription.apiId);
  requireDecider(context.actor, api);
  // Four eyes: an approver who also owns the application does not approve it for themself.
  const application = await context.store.applications.findById(subscription.applicationId);
  if (application && !isAdmin(context.actor) && ownsApplication(context.actor, application)) {
    throw forbidden('an approver does not decide the subscriptions of their own applications; ask another approver or an admin');
  }
  return { subscription, api };
}

/** A pending subscription with its application's name: approvers may not read applications themselves. */
export type Approval = Subscription & { readonly applicationName: string | null };

/** The pending subscriptions the actor may decide, oldest first. */
export async function listApprovals(context: ManagementContext, filter: { readonly apiId?: string }, page: PageRequest): Promise<Page<Approval>> {
  requireSomeDecider(context.actor);
  const apiIds = decidableApis(context.actor, context.config.apis)
    .map((api) => api.id)
    .filter((id) => filter.apiId === undefined || id === filter.apiId);
  const pending = await context.store.subscriptions.list({ status: 'pending', apiIds }, page);
  // The name is what an approver recognises an application by; null if it went meanwhile.
  const items = await Promise.all(
    pending.items.map(async (subscription) => ({ ...subscription, applicationName: (await context.store.applications.findById(subscription.applicationId))?.name ?? null })),
  );
  return { ...pending, items };
}

async function decide(context: ManagementContext, subscriptionId: string, decision: 'approved' | 'declined'): Promise<Subscription> {
  const { subscription, api } = await findDecidable(context, subscriptionId);
  if (subscription.status === decision) throw conflict(`the subscription is already ${decision}`);
  // Declining also takes back an approval given earlier: its logins end at once.
  if (decision === 'declined') await context.store.tokens.revokeFamilies({ subscriptionId }, 'subscription_declined', context.now);
  const updated = await context.store.subscriptions.update(
    subscriptionId,
    { status: decision, decidedBy: context.actor.id, decidedAt: context.now },
    context.now,
  );
  if (!updated) throw conflict('the subscription was revoked meanwhile');
  await recordManagementEvent(
    context,
    decision === 'approved' ? MANAGEMENT_EVENT.subscriptionApproved : MANAGEMENT_EVENT.subscriptionDeclined,
    { applicationId: subscription.applicationId, subscriptionId, apiId: api.id },
    {
      plan: subscription.plan,
      trusted: subscription.trusted,
      ...(decision === 'declined' ? { wasApproved: subscription.status === 'approved' } : {}),
    },
  );
  return updated;
}

export function approveSubscription(context: ManagementContext, subscriptionId: string): Promise<Subscription> {
  return decide(context, subscriptionId, 'approved');
}

export function declineSubscription(context: ManagementContext, subscriptionId: string): Promise<Subscription> {
  return decide(context, subscriptionId, 'declined');
}
