import type { ApiConfig } from '../../config/config.js';
import type { Application, ClientType, Page, PageRequest, Subscription } from '../../store/store.js';
import { PORTAL_API_ID } from '../portal-sign-in.js';
import { MANAGEMENT_EVENT, recordManagementEvent } from './audit-log.js';
import { userRefs, type UserRef } from './display-names.js';
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

/**
 * A pending subscription with what an approver needs to judge it: the application's name and
 * client type (approvers may not read applications themselves), and who put it in the queue and
 * when (its newest "created" or "updated" audit event); null where the record is gone.
 */
export type Approval = Subscription & {
  readonly applicationName: string | null;
  readonly clientType: ClientType | null;
  readonly requestedBy: UserRef | null;
  readonly requestedAt: number;
};

/** What puts a subscription in the queue: subscribing, or a change of trust or plan. */
const REQUEST_EVENTS = [MANAGEMENT_EVENT.subscriptionCreated, MANAGEMENT_EVENT.subscriptionUpdated];

/** The pending subscriptions the actor may decide, oldest first. */
export async function listApprovals(context: ManagementContext, filter: { readonly apiId?: string }, page: PageRequest): Promise<Page<Approval>> {
  requireSomeDecider(context.actor);
  const apiIds = decidableApis(context.actor, context.config.apis)
    .map((api) => api.id)
    .filter((id) => filter.apiId === undefined || id === filter.apiId);
  const pending = await context.store.subscriptions.list({ status: 'pending', apiIds }, page);
  const subscriptionIds = pending.items.map((subscription) => subscription.id);
  // One lookup each for the page's applications, requests and requesters, never one per card.
  const [applications, requests] = await Promise.all([
    pending.items.length ? context.store.applications.findByIds(pending.items.map((s) => s.applicationId)) : [],
    pending.items.length ? context.store.audit.latestForSubscriptions(subscriptionIds, REQUEST_EVENTS) : [],
  ]);
  const applicationsById = new Map(applications.map((application) => [application.id, application]));
  const requestOf = new Map(requests.map((event) => [event.subscriptionId, event]));
  const requesters = await userRefs(context.store, requests.map((event) => event.actorUserId));
  const items = pending.items.map((subscription): Approval => {
    const application = applicationsById.get(subscription.applicationId);
    const request = requestOf.get(subscription.id);
    return {
      ...subscription,
      applicationName: application?.name ?? null,
      clientType: application?.clientType ?? null,
      requestedBy: (request?.actorUserId && requesters.get(request.actorUserId)) || null,
      requestedAt: request?.at ?? subscription.updatedAt,
    };
  });
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
