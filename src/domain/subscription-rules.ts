import type { PlanConfig } from '../config/config.js';
import type { LoginGrant, Subscription } from '../store/store.js';
import type { AuthenticatedClient } from './client-authentication.js';
import { OAUTH_DESCRIPTIONS } from './oauth-descriptions.js';
import { OAuthError } from './oauth-error.js';

// Who may use the password grant and its refresh tokens: only an approved, trusted subscription.
// Trusted means the API owner accepted that this application sees users' passwords, which is
// why trusted subscriptions always wait for an admin or approver (DESIGN.md, the seed).

export type SubscriptionRefusal = 'subscription_not_trusted' | 'subscription_not_approved';

/** Why the client may not use the password grant, or null when it may. */
export function passwordGrantRefusal(client: AuthenticatedClient): SubscriptionRefusal | null {
  if (!client.subscription.trusted) return 'subscription_not_trusted';
  if (client.subscription.status !== 'approved') return 'subscription_not_approved';
  return null;
}

const DESCRIPTIONS: Readonly<Record<SubscriptionRefusal, string>> = {
  subscription_not_trusted: OAUTH_DESCRIPTIONS.subscriptionNotTrusted(),
  subscription_not_approved: OAUTH_DESCRIPTIONS.subscriptionNotApproved(),
};

/** RFC 6749 §5.2 unauthorized_client, saying which rule failed. */
export function unauthorizedClient(refusal: SubscriptionRefusal): OAuthError {
  return new OAuthError('unauthorized_client', DESCRIPTIONS[refusal]);
}

/**
 * Why the subscription may not use the authorization code grant, or null when it may. The user
 * signs in at Gatehouse, so trust is not needed; approval is, when the plan asks for it, and a
 * trusted subscription is approved before it counts as trusted (DESIGN.md).
 */
export function authorizationCodeRefusal(subscription: Subscription, plans: readonly PlanConfig[]): SubscriptionRefusal | null {
  if (subscription.status === 'declined') return 'subscription_not_approved';
  const plan = plans.find((candidate) => candidate.id === subscription.plan);
  // A plan removed from the config since: the safe reading is that it asked for approval.
  const requiresApproval = plan?.requiresApproval ?? true;
  if (requiresApproval && subscription.status !== 'approved') return 'subscription_not_approved';
  return null;
}

/** A trusted, approved subscription needs no consent: the API owner vouched for it (the seed). */
export function skipsConsent(subscription: Subscription): boolean {
  return subscription.trusted && subscription.status === 'approved';
}

/**
 * Why the subscription may not refresh a login started by `grant`, or null when it may: the rules
 * of the grant that started it still apply (a password login needs trust, a code login does not).
 */
export function refreshRefusal(client: AuthenticatedClient, plans: readonly PlanConfig[], grant: LoginGrant): SubscriptionRefusal | null {
  return grant === 'password' ? passwordGrantRefusal(client) : authorizationCodeRefusal(client.subscription, plans);
}
