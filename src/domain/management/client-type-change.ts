import type { Application, ClientType, Subscription } from '../../store/store.js';
import { MANAGEMENT_EVENT, recordManagementEvent } from './audit-log.js';
import type { ManagementContext } from './management-context.js';
import { needsApproval } from './subscriptions.js';

// Changing an application's client type changes what its subscriptions' approvals meant: an
// approver who let a confidential client (one that proves a secret) use the password grant did
// not let anyone who knows its client_id do so (RFC 6749 §2.1, §10.1). So the change sends every
// subscription that needed an approval back to the queue, forgets the client secrets (a public
// client has none; a client made confidential again gets a new one from its owner), and ends
// every login made through the application. Each step is audited.

const PAGE = 500;

async function allSubscriptions(context: ManagementContext, applicationId: string): Promise<Subscription[]> {
  const all: Subscription[] = [];
  let cursor: string | null = null;
  do {
    const page = await context.store.subscriptions.list({ applicationId }, { limit: PAGE, cursor });
    all.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return all;
}

function neededApproval(context: ManagementContext, subscription: Subscription): boolean {
  const plan = context.config.apis.find((api) => api.id === subscription.apiId)?.plans.find((candidate) => candidate.id === subscription.plan);
  return plan === undefined || needsApproval(subscription.trusted, plan);
}

/** Runs before the application record changes, so that no approval outlives the type it was given for. */
export async function withdrawApprovalsForClientType(context: ManagementContext, application: Application, to: ClientType): Promise<readonly string[]> {
  const requeued: string[] = [];
  for (const subscription of await allSubscriptions(context, application.id)) {
    const backToQueue = subscription.status !== 'declined' && neededApproval(context, subscription);
    // Every subscription is written, so that its version moves and a decision in flight that was
    // made on the old type is refused (subscription-decisions.ts).
    const updated = await context.store.subscriptions.update(
      subscription.id,
      { clientSecretHash: null, ...(backToQueue ? { status: 'pending', decidedBy: null, decidedAt: null } : {}) },
      context.now,
    );
    if (!updated) continue;
    if (backToQueue) requeued.push(subscription.id);
    await recordManagementEvent(
      context,
      MANAGEMENT_EVENT.subscriptionUpdated,
      { applicationId: application.id, subscriptionId: subscription.id, apiId: subscription.apiId },
      { reason: 'client_type_changed', clientType: to, status: updated.status, wasStatus: subscription.status, clientSecretCleared: subscription.clientSecretHash !== null },
    );
  }
  await context.store.tokens.revokeFamilies({ applicationId: application.id }, 'client_type_changed', context.now);
  return requeued;
}
