import { MAX_PASSWORD_LENGTH } from '../password-policy.js';
import { OAUTH_DESCRIPTIONS } from '../oauth-descriptions.js';
import { AUDIT_EVENT, recordTokenEvent } from '../audit-events.js';
import { PasswordHashingBusy } from '../hashing-pool.js';
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

    // RFC 6749 §4.3.2 brute-force protection: counted before the password is checked.
    // One counter per account, whatever name reaches it (login-throttle.ts).
    const accountId = (await context.verifier.findAccount?.(username)) ?? null;
    const admission = await context.loginThrottle.admit(context.authMethodId, username, accountId, ip, now);
    if (admission.outcome !== 'admitted') parameters.delete('password');
    if (admission.outcome === 'address-throttled') {
      // Not audited: a throttled flood must not turn into a flood of rows.
      throw new OAuthError('too_many_requests', TOO_MANY_FAILURES, { retryAfterSeconds: admission.retryAfterSeconds });
    }
    if (admission.outcome === 'account-locked') {
      // Bounded: every such attempt also counts against the address, which gets throttled.
      await recordRefusal('account_locked', { authMethod: context.authMethodId });
      // The very body of a wrong password, and no hash is computed. The quicker answer shows
      // that (auth method, user name) is locked, which the caller caused and which happens to
      // unknown accounts alike: it reveals nothing about which accounts exist, and hammering a
      // locked account costs no CPU (OWASP Authentication Cheat Sheet, "Account Lockout").
      throw new OAuthError('invalid_grant', INVALID_CREDENTIALS);
    }

    const check = await context.verifier.verify(username, password).catch(async (error: unknown) => {
      if (!(error instanceof PasswordHashingBusy)) throw error;
      // Too many password checks are waiting (issue 12): say when to come back rather than queue
      // without end. The attempt proved nothing; not audited, as a flood must not become rows.
      parameters.delete('password');
      await context.loginThrottle.undecided(admission.pass, now);
      throw new OAuthError('temporarily_unavailable', OAUTH_DESCRIPTIONS.hashingBusy(), {
        retryAfterSeconds: error.retryAfterSeconds,
      });
    });
    // fosite: credentials must not be passed around; nothing after this point can log or keep it.
    parameters.delete('password');

    if (check.outcome === 'unavailable') {
      await context.loginThrottle.undecided(admission.pass, now);
      // Audited once per outage, not once per sign-in (auth-methods/outage-reporting.ts).
      throw new OAuthError('temporarily_unavailable', OAUTH_DESCRIPTIONS.authMethodUnavailable(context.authMethodId));
    }
    if (check.outcome === 'rejected') {
      context.loginThrottle.failed(admission.pass);
      await recordRefusal('invalid_credentials', { authMethod: context.authMethodId });
      throw new OAuthError('invalid_grant', INVALID_CREDENTIALS);
    }

    await context.loginThrottle.succeeded(admission.pass, now);
    const { family, response } = await startLogin(store.tokens, {
      api: context.api,
      authMethodId: context.authMethodId,
      client,
      user: check.user,
      now,
    });
    await recordTokenEvent(store.audit, {
      type: AUDIT_EVENT.loginGranted,
      client,
      at: now,
      ip,
      userId: check.user.id,
      familyId: family.id,
      details: { authMethod: context.authMethodId, grantType: 'password' },
    });
    return response;
  },
};
