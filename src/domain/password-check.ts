import type { User } from '../store/store.js';
import type { CredentialVerifier } from './auth-methods/credential-verifier.js';
import type { LoginThrottle } from './brute-force/login-throttle.js';
import { PasswordHashingBusy } from './hashing-pool.js';

// One password check with RFC 6749 §4.3.2's brute-force protection, for every place a user types
// a password into Gatehouse: the password grant and the authorization endpoint's sign-in page.
// Both answer every failure the same way, so neither tells which accounts exist.

export interface PasswordCheckContext {
  readonly authMethodId: string;
  readonly verifier: CredentialVerifier;
  readonly loginThrottle: LoginThrottle;
  readonly now: number;
  readonly ip: string | null;
  /** Audits a refused sign-in (never the password). */
  readonly recordRefusal: (reason: 'account_locked' | 'invalid_credentials') => Promise<void>;
}

export type PasswordCheck =
  | { readonly outcome: 'accepted'; readonly user: User }
  /** Wrong password, unknown or disabled user, or a locked account: deliberately one outcome. */
  | { readonly outcome: 'rejected' }
  /** Too many failures from this address (not audited: a flood must not become rows). */
  | { readonly outcome: 'address-throttled'; readonly retryAfterSeconds: number }
  /** Too many password checks are queued (issue 12); nothing was decided. */
  | { readonly outcome: 'busy'; readonly retryAfterSeconds: number }
  /** The auth method could not answer; audited once per outage by the verifier. */
  | { readonly outcome: 'unavailable' };

/** Checks `password`; the caller must drop its own copy of the password right after. */
export async function checkPassword(context: PasswordCheckContext, username: string, password: string): Promise<PasswordCheck> {
  const { loginThrottle, now } = context;
  // Counted before the password is checked; one counter per account, whatever name reaches it.
  const found = await context.verifier.findAccount?.(username);
  const admission = await loginThrottle.admit(context.authMethodId, username, found?.userId ?? null, context.ip, now);
  if (admission.outcome === 'address-throttled') return { outcome: 'address-throttled', retryAfterSeconds: admission.retryAfterSeconds };
  if (admission.outcome === 'account-locked') {
    // Bounded: every such attempt also counts against the address, which gets throttled. The
    // quicker answer shows that (auth method, user name) is locked, which the caller caused and
    // which happens to unknown accounts alike: it reveals nothing about which accounts exist, and
    // hammering a locked account costs no CPU (OWASP Authentication Cheat Sheet, "Account Lockout").
    await context.recordRefusal('account_locked');
    return { outcome: 'rejected' };
  }
  let check;
  try {
    check = await context.verifier.verify(username, password, found);
  } catch (error) {
    if (!(error instanceof PasswordHashingBusy)) throw error;
    await loginThrottle.undecided(admission.pass, now);
    return { outcome: 'busy', retryAfterSeconds: error.retryAfterSeconds };
  }
  if (check.outcome === 'unavailable') {
    await loginThrottle.undecided(admission.pass, now);
    return { outcome: 'unavailable' };
  }
  if (check.outcome === 'rejected') {
    // Logs the lock (or throttle) this failure completed, once (lockouts are the operator's to see).
    loginThrottle.failed(admission.pass);
    await context.recordRefusal('invalid_credentials');
    return { outcome: 'rejected' };
  }
  await loginThrottle.succeeded(admission.pass, now);
  return { outcome: 'accepted', user: check.user };
}
