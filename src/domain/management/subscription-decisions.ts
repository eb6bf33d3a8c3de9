import type { ApiConfig } from '../../config/config.js';
import type { Application, ClientType, Page, PageRequest, Subscription } from '../../store/store.js';
import { PORTAL_API_ID } from '../portal-sign-in.js';
import { MANAGEMENT_EVENT, recordManagementEvent } from './audit-log.js';
import type { ManagementContext } from './management-context.js';
import { conflict, forbidden } from './management-error.js';
import { decidableApis, isAdmin, ownsApplication, requireDecider, requireSomeDecider } from './permissions.js';
import { findApi, findSubscription } from './subscriptions.js';

// Deciding subscriptions: admins, and approvers of the API's group. The right to decide is
// checked when the decision is made, against the actor and the API as they are now, whatever
// the queue showed earlier. Owners never decide their own subscriptions, unless they are admins.
//
// A decision also carries what the approver decided on — the trust and plan they read, and the
// application's client type if they saw it — and is refused with a conflict when the
// subscription is no longer that (its owner made it trusted meanwhile, say): an approval is
// given to what the approver saw, never to whatever the record has become.

/** What the approver read when they decided. */
export interface DecisionBasis {
  readonly trusted: boolean;
  readonly plan: string;
  readonly clientType?: ClientType;
}

/** The subscription and its API, if the actor may decide it now. */
async function findDecidable(
  context: ManagementContext,
  subscriptionId: string,
): Promise<{ subscription: Subscription; api: ApiConfig; application: Application | null }> {
  const subscription = await findSubscription(context, subscriptionId);
  if (subscription.apiId === PORTAL_API_ID) throw conflict('the built-in subscription is always approved');
  const api = findApi(context, subscription.apiId);
  requireDecider(context.actor, api);
  // Four eyes: an approver who also owns the application does not approve it for themself.
  const application = await context.store.applications.findById(subscription.applicationId);
  if (application && !isAdmin(context.actor) && ownsApplication(context.actor, application)) {
    throw forbidden('an approver does not decide the subscriptions of their own applications; ask another approver or an admin');
  }
  return { subscription, api, application };
}

function describeBasis(basis: DecisionBasis): string {
  return `${basis.trusted ? 'trusted' : 'not trusted'}, plan "${basis.plan}"${basis.clientType ? `, ${basis.clientType} client` : ''}`;
}

/** Throws a conflict when the subscription is not what the approver decided on. */
function requireUnchanged(subscription: Subscription, application: Application | null, basis: DecisionBasis): void {
  const now: DecisionBasis = {
    trusted: subscription.trusted,
    plan: subscription.plan,
    ...(basis.clientType && application ? { clientType: application.clientType } : {}),
  };
  if (now.trusted !== basis.trusted || now.plan !== basis.plan || now.clientType !== basis.clientType) {
    throw conflict(`the subscription changed since you read it: you decided on ${describeBasis(basis)}, it is now ${describeBasis(now)}; read it again, then decide`);
  }
}

/** A pending subscription with its application's name: approvers may not read applications themselves. */
export type Approval = Subscription & { readonly applicationName: string | null; readonly clientType: ClientType | null };

/** The pending subscriptions the actor may decide, oldest first. */
export async function listApprovals(context: ManagementContext, filter: { readonly apiId?: string }, page: PageRequest): Promise<Page<Approval>> {
  requireSomeDecider(context.actor);
  const apiIds = decidableApis(context.actor, context.config.apis)
    .map((api) => api.id)
    .filter((id) => filter.apiId === undefined || id === filter.apiId);
  const pending = await context.store.subscriptions.list({ status: 'pending', apiIds }, page);
  // The name is what an approver recognises an application by, the client type part of what they
  // approve (a public client is anyone who knows its client_id); null if it went meanwhile.
  const items = await Promise.all(
    pending.items.map(async (subscription) => {
      const application = await context.store.applications.findById(subscription.applicationId);
      return { ...subscription, applicationName: application?.name ?? null, clientType: application?.clientType ?? null };
    }),
  );
  return { ...pending, items };
}

async function decide(context: ManagementContext, subscriptionId: string, decision: 'approved' | 'declined', basis: DecisionBasis): Promise<Subscription> {
  const { subscription, api, application } = await findDecidable(context, subscriptionId);
  if (subscription.status === decision) throw conflict(`the subscription is already ${decision}`);
  requireUnchanged(subscription, application, basis);
  // Declining also takes back an approval given earlier: its logins end at once.
  if (decision === 'declined') await context.store.tokens.revokeFamilies({ subscriptionId }, 'subscription_declined', context.now);
  const updated = await context.store.subscriptions.update(
    subscriptionId,
    { status: decision, decidedBy: context.actor.id, decidedAt: context.now },
    context.now,
    // Only the version read above: a change between that read and this write loses nothing.
    subscription,
  );
  if (!updated) throw conflict('the subscription was revoked or changed meanwhile; read it again, then decide');
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

export function approveSubscription(context: ManagementContext, subscriptionId: string, basis: DecisionBasis): Promise<Subscription> {
  return decide(context, subscriptionId, 'approved', basis);
}

export function declineSubscription(context: ManagementContext, subscriptionId: string, basis: DecisionBasis): Promise<Subscription> {
  return decide(context, subscriptionId, 'declined', basis);
}
