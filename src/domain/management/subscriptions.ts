import { randomBytes } from 'node:crypto';
import type { ApiConfig, PlanConfig } from '../../config/config.js';
import type { Application, Page, PageRequest, Subscription, SubscriptionPatch, SubscriptionStatus } from '../../store/store.js';
import { StoreConflictError } from '../../store/store.js';
import { PORTAL_API_ID } from '../portal-sign-in.js';
import { hashTokenValue, newTokenValue } from '../token-values.js';
import { findManagedApplication } from './applications.js';
import { MANAGEMENT_EVENT, recordManagementEvent } from './audit-log.js';
import type { ManagementContext } from './management-context.js';
import { conflict, invalidRequest, notFound } from './management-error.js';
import { mayDecideSubscription } from './permissions.js';

// Subscriptions (application × API) as their owners see them: create, change plan or trust,
// revoke, get a new client secret. Deciding them is in subscription-decisions.ts.
//
// Client credentials are made when the subscription is made, so that a client can authenticate
// while it waits and be told `unauthorized_client` (RFC 6749 §5.2) rather than `invalid_client`;
// they work for the password grant only once the subscription is approved (subscription-rules.ts).
// The secret is shown once, to the owner who asked for it, and stored as SHA-256, which is how
// client-authentication.ts verifies it (token-values.ts says why SHA-256 suffices).

export interface IssuedCredentials {
  readonly clientId: string;
  /** null for a public client, which has no secret (RFC 6749 §2.1). */
  readonly clientSecret: string | null;
}

export interface SubscriptionWithCredentials {
  readonly subscription: Subscription;
  readonly credentials: IssuedCredentials;
}

const CLIENT_ID_BYTES = 16; // 128 bits: unguessable enough that ids cannot be enumerated

export function findApi(context: ManagementContext, apiId: string): ApiConfig {
  const api = context.config.apis.find((candidate) => candidate.id === apiId);
  if (!api) throw invalidRequest(`unknown API "${apiId}"`, 'apiId');
  return api;
}

function findPlan(api: ApiConfig, planId: string): PlanConfig {
  const plan = api.plans.find((candidate) => candidate.id === planId);
  if (!plan) throw invalidRequest(`API "${api.id}" has no plan "${planId}" (plans: ${api.plans.map((p) => p.id).join(', ')})`, 'plan');
  return plan;
}

/** The seed: a trusted subscription always waits for approval; another waits if its plan says so. */
export function needsApproval(trusted: boolean, plan: PlanConfig): boolean {
  return trusted || plan.requiresApproval;
}

function issueCredentials(application: Application): IssuedCredentials & { readonly clientSecretHash: string | null } {
  const clientSecret = application.clientType === 'confidential' ? newTokenValue() : null;
  return {
    clientId: randomBytes(CLIENT_ID_BYTES).toString('hex'),
    clientSecret,
    clientSecretHash: clientSecret === null ? null : hashTokenValue(clientSecret),
  };
}

export async function findSubscription(context: ManagementContext, subscriptionId: string): Promise<Subscription> {
  const subscription = await context.store.subscriptions.findById(subscriptionId);
  if (!subscription) throw notFound(`subscription ${subscriptionId}`);
  return subscription;
}

/** The subscription and its application, if the actor owns it (or is an admin); the built-in one is read-only. */
async function findManagedSubscription(context: ManagementContext, subscriptionId: string) {
  const subscription = await findSubscription(context, subscriptionId);
  if (subscription.apiId === PORTAL_API_ID) throw conflict('this is the built-in subscription the portal and the CLI sign in with; it cannot be changed');
  const application = await findManagedApplication(context, subscription.applicationId);
  return { subscription, application };
}

export async function createSubscription(
  context: ManagementContext,
  input: { readonly applicationId: string; readonly apiId: string; readonly plan?: string; readonly trusted?: boolean },
): Promise<SubscriptionWithCredentials> {
  const application = await findManagedApplication(context, input.applicationId);
  const api = findApi(context, input.apiId);
  const plan = findPlan(api, input.plan ?? (api.plans[0] as PlanConfig).id);
  const trusted = input.trusted ?? false;
  const status: SubscriptionStatus = needsApproval(trusted, plan) ? 'pending' : 'approved';
  const { clientSecretHash, ...credentials } = issueCredentials(application);
  const subscription = await context.store.subscriptions
    .create({ applicationId: application.id, apiId: api.id, plan: plan.id, trusted, status, clientId: credentials.clientId, clientSecretHash }, context.now)
    .catch((error: unknown) => {
      if (error instanceof StoreConflictError) throw conflict(`“${application.name}” is already subscribed to ${api.name}`, 'apiId');
      throw error;
    });
  await recordManagementEvent(
    context,
    MANAGEMENT_EVENT.subscriptionCreated,
    { applicationId: application.id, subscriptionId: subscription.id, apiId: api.id },
    { plan: plan.id, trusted, status },
  );
  return { subscription, credentials };
}

/** Owners and admins see a subscription, and so do those who may decide it. */
export async function getSubscription(context: ManagementContext, subscriptionId: string): Promise<Subscription> {
  const subscription = await findSubscription(context, subscriptionId);
  const api = context.config.apis.find((candidate) => candidate.id === subscription.apiId);
  if (api && mayDecideSubscription(context.actor, api)) return subscription;
  await findManagedApplication(context, subscription.applicationId);
  return subscription;
}

export async function listApplicationSubscriptions(context: ManagementContext, applicationId: string, page: PageRequest): Promise<Page<Subscription>> {
  const application = await findManagedApplication(context, applicationId);
  return context.store.subscriptions.list({ applicationId: application.id }, page);
}

/**
 * Changing the plan or trust. Becoming trusted, or moving to a plan that needs approval, sends
 * the subscription back to the queue: an owner cannot make their subscription trusted (or skip
 * an approval) on their own, and neither does an admin without deciding it. Losing trust or
 * approval ends the logins made under it at once.
 */
export async function updateSubscription(
  context: ManagementContext,
  subscriptionId: string,
  input: { readonly plan?: string; readonly trusted?: boolean },
): Promise<Subscription> {
  const { subscription, application } = await findManagedSubscription(context, subscriptionId);
  const api = findApi(context, subscription.apiId);
  const oldPlan = api.plans.find((candidate) => candidate.id === subscription.plan);
  const plan = input.plan === undefined ? oldPlan : findPlan(api, input.plan);
  const trusted = input.trusted ?? subscription.trusted;
  const wasNeeded = oldPlan === undefined || needsApproval(subscription.trusted, oldPlan);
  const nowNeeded = plan === undefined || needsApproval(trusted, plan);
  const backToQueue = subscription.status === 'approved' && nowNeeded && (!wasNeeded || (trusted && !subscription.trusted));
  const patch: SubscriptionPatch = {
    ...(plan ? { plan: plan.id } : {}),
    trusted,
    ...(backToQueue ? { status: 'pending', decidedBy: null, decidedAt: null } : {}),
  };
  if (backToQueue || (subscription.trusted && !trusted)) {
    await context.store.tokens.revokeFamilies({ subscriptionId }, backToQueue ? 'subscription_awaits_approval' : 'subscription_untrusted', context.now);
  }
  const updated = await context.store.subscriptions.update(subscriptionId, patch, context.now);
  if (!updated) throw notFound(`subscription ${subscriptionId}`);
  await recordManagementEvent(
    context,
    MANAGEMENT_EVENT.subscriptionUpdated,
    { applicationId: application.id, subscriptionId, apiId: api.id },
    { plan: updated.plan, trusted: updated.trusted, status: updated.status },
  );
  return updated;
}

/** Ends the subscription: its logins first (the gateway's fan-out hook), then the record. */
export async function revokeSubscription(context: ManagementContext, subscriptionId: string): Promise<void> {
  const subscription = await findSubscription(context, subscriptionId);
  const api = context.config.apis.find((candidate) => candidate.id === subscription.apiId);
  if (!(api && mayDecideSubscription(context.actor, api))) await findManagedSubscription(context, subscriptionId);
  if (subscription.apiId === PORTAL_API_ID) throw conflict('the built-in subscription cannot be revoked');
  await context.store.tokens.revokeFamilies({ subscriptionId }, 'subscription_revoked', context.now);
  await context.store.subscriptions.delete(subscriptionId);
  await recordManagementEvent(
    context,
    MANAGEMENT_EVENT.subscriptionRevoked,
    { applicationId: subscription.applicationId, subscriptionId, apiId: subscription.apiId },
    { plan: subscription.plan, trusted: subscription.trusted },
  );
}

/** A new secret for a confidential client; the old one stops working now. Shown once. */
export async function regenerateSecret(context: ManagementContext, subscriptionId: string): Promise<SubscriptionWithCredentials> {
  const { subscription, application } = await findManagedSubscription(context, subscriptionId);
  if (application.clientType !== 'confidential') throw conflict('a public client has no secret (RFC 6749 §2.1)');
  const clientSecret = newTokenValue();
  const clientId = subscription.clientId ?? randomBytes(CLIENT_ID_BYTES).toString('hex');
  const updated = await context.store.subscriptions.update(subscriptionId, { clientId, clientSecretHash: hashTokenValue(clientSecret) }, context.now);
  if (!updated) throw notFound(`subscription ${subscriptionId}`);
  await recordManagementEvent(context, MANAGEMENT_EVENT.secretRegenerated, { applicationId: application.id, subscriptionId, apiId: subscription.apiId });
  return { subscription: updated, credentials: { clientId, clientSecret } };
}
