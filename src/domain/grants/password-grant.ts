import { MAX_PASSWORD_LENGTH } from '../password-policy.js';
import { OAUTH_DESCRIPTIONS } from '../oauth-descriptions.js';
import { AUDIT_EVENT, recordTokenEvent, tokenAuditEvent } from '../audit-events.js';
import { checkPassword } from '../password-check.js';
import { OAuthError } from '../oauth-error.js';
import { passwordGrantRefusal, unauthorizedClient } from '../subscription-rules.js';
import { startLogin } from '../token-issuer.js';
import { requireParameter } from '../token-request.js';
import type { Grant } from './grant.js';

// RFC 6749 §4.3: the Resource Owner Password Credentials grant, for trusted first-party
// applications only (the seed; RFC 9700 §2.4 says why it must stay that narrow).

/** RFC 5321 caps an address at 254 characters; user names are shorter. */
export const MAX_USERNAME_LENGTH = 320;

// One body for unknown user, wrong password and disabled user: the answer must not tell which
// (OWASP Authentication Cheat Sheet; RFC 6749 §5.2 invalid_grant).
// A temporarily locked account gets this body too (src/domain/brute-force/login-throttle.ts).
export const INVALID_CREDENTIALS = OAUTH_DESCRIPTIONS.invalidCredentials();

// Says nothing about any account: only that this address must wait (RFC 6749 §4.3.2).
export const TOO_MANY_FAILURES = OAUTH_DESCRIPTIONS.tooManyFailures();

export const passwordGrant: Grant = {
  grantType: 'password',
  // `scope` is accepted and ignored: a trusted subscription always gets the API's full scope.
  parameters: ['username', 'password', 'scope'],

  async handler(context) {
    const { client, parameters, store, now, ip } = context;
    const recordRefusal = (reason: string, details: Record<string, unknown> = {}) =>
      recordTokenEvent(store.audit, { type: AUDIT_EVENT.loginRefused, client, at: now, ip, details: { reason, ...details } });
    const refusal = passwordGrantRefusal(client);
    if (refusal) {
      await recordRefusal(refusal);
      throw unauthorizedClient(refusal);
    }
    // Both bounded before anything is counted or hashed: a 1 MB password costs nothing.
    const username = requireParameter(parameters, 'username', MAX_USERNAME_LENGTH);
    const password = requireParameter(parameters, 'password', MAX_PASSWORD_LENGTH);

    // RFC 6749 §4.3.2 brute-force protection and one answer for every failure (password-check.ts).
    const check = await checkPassword(
      { ...context, recordRefusal: (reason) => recordRefusal(reason, { authMethod: context.authMethodId }) },
      username,
      password,
    ).finally(() => {
      // fosite: credentials must not be passed around; nothing after this point can log or keep it.
      parameters.delete('password');
    });
    switch (check.outcome) {
      case 'address-throttled':
        throw new OAuthError('too_many_requests', TOO_MANY_FAILURES, { retryAfterSeconds: check.retryAfterSeconds });
      case 'busy':
        // Too many password checks are waiting (issue 12): say when to come back rather than queue without end.
        throw new OAuthError('temporarily_unavailable', OAUTH_DESCRIPTIONS.hashingBusy(), { retryAfterSeconds: check.retryAfterSeconds });
      case 'unavailable':
        throw new OAuthError('temporarily_unavailable', OAUTH_DESCRIPTIONS.authMethodUnavailable(context.authMethodId));
      case 'rejected':
        throw new OAuthError('invalid_grant', INVALID_CREDENTIALS);
      case 'accepted':
        break;
    }
    return startLogin(store.tokens, { api: context.api, authMethodId: context.authMethodId, client, user: check.user, now }, (familyId) =>
      tokenAuditEvent({
        type: AUDIT_EVENT.loginGranted,
        client,
        at: now,
        ip,
        userId: check.user.id,
        familyId,
        details: { authMethod: context.authMethodId, grantType: 'password' },
      }),
    );
  },
};
