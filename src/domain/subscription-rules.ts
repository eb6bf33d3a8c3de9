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
