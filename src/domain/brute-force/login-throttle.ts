import type { OperatorLog } from '../operator-log.js';
import type { AttemptVerdict, CountedSubject, FailureCounters, LockoutPolicy } from './failure-counters.js';

// RFC 6749 §4.3.2: the authorization server "MUST protect the endpoint against brute force
// attacks". Two counters guard every password check:
// - per account: an existing account is one counter whatever name reaches it (its username, its
//   email in any case), or five guesses per spelling would multiply the allowance; a name that
//   reaches no account has a counter of its own (normalised), so that unknown names lock exactly
//   like known ones and a lockout tells an attacker nothing about which accounts exist (OWASP
//   Authentication Cheat Sheet); the password grant answers a locked account exactly as it
//   answers a wrong password;
// - per client address, across accounts (credential stuffing, password spraying): a throttled
//   address gets 429 with Retry-After before any account is looked at.
// The client learns only "wrong password" or "wait"; the operator's log says which counter
// refused and why: a lock or a throttle at warn once, when it begins (with the account key and
// the address, never the password); each refusal it causes at debug.

export interface LoginThrottlePolicies {
  readonly accounts: LockoutPolicy;
  readonly addresses: LockoutPolicy;
}

const ACCOUNT_PREFIX = 'account:';
const ADDRESS_PREFIX = 'address:';
const SECOND = 1000; // ms

/** A pass to check one password; hand it back with the outcome. */
export interface LoginPass {
  readonly accountKey: string;
  readonly addressKey: string | null;
  readonly address: string | null;
  /** Counting this attempt locked the account (or throttled the address); said once it has failed. */
  readonly locksAccount: AttemptVerdict | null;
  readonly throttlesAddress: AttemptVerdict | null;
}

export type LoginAdmission =
  | { readonly outcome: 'admitted'; readonly pass: LoginPass }
  /** No password may be checked; answer as for a wrong password. */
  | { readonly outcome: 'account-locked' }
  | { readonly outcome: 'address-throttled'; readonly retryAfterSeconds: number };

export interface LockedAccount {
  readonly authMethodId: string;
  /** The account's user id; null for a name that reaches no account. */
  readonly userId: string | null;
  /** The name tried, normalised; null for an account (it may have been reached by several). */
  readonly username: string | null;
  readonly failures: number;
  readonly lockedUntil: number;
}

export interface ThrottledAddress {
  readonly address: string;
  readonly failures: number;
  readonly lockedUntil: number;
}

/**
 * User names are compared as the store compares e-mail addresses (case-insensitively), after
 * NFKC, so that `Alice@Example.com`, `alice@example.com` and their compatibility forms share one
 * count; at worst two distinct user names that differ only in case share a lock.
 */
export function normaliseUsername(username: string): string {
  return username.normalize('NFKC').toLowerCase();
}

const USER_ID = 'id:';
const NAME = 'name:';

/** An existing account's counter (by user id), or an unknown name's (by the normalised name). */
export function accountKey(authMethodId: string, username: string, userId: string | null): string {
  return userId === null
    ? `${ACCOUNT_PREFIX}${authMethodId}:${NAME}${normaliseUsername(username)}`
    : `${ACCOUNT_PREFIX}${authMethodId}:${USER_ID}${userId}`;
}

export function addressKey(address: string): string {
  return `${ADDRESS_PREFIX}${address}`;
}

/** The attempt that was counted and locked its subject (the refusals after it answer `locked`). */
function locking(verdict: AttemptVerdict, now: number): AttemptVerdict | null {
  return !verdict.locked && verdict.lockedUntil > now ? verdict : null;
}

export class LoginThrottle {
  readonly #counters: FailureCounters;
  readonly #policies: LoginThrottlePolicies;
  readonly #log: OperatorLog;

  constructor(counters: FailureCounters, policies: LoginThrottlePolicies, log: OperatorLog) {
    this.#counters = counters;
    this.#policies = policies;
    this.#log = log;
  }

  /** `userId`: the account `username` reaches (the auth method's findAccount), or null. */
  async admit(authMethodId: string, username: string, userId: string | null, address: string | null, now: number): Promise<LoginAdmission> {
    const addressCounter = address === null ? null : addressKey(address);
    let throttlesAddress: AttemptVerdict | null = null;
    if (addressCounter !== null) {
      const verdict = await this.#counters.countAttempt(addressCounter, this.#policies.addresses, now);
      if (verdict.locked) {
        const retryAfterSeconds = Math.max(1, Math.ceil((verdict.lockedUntil - now) / SECOND));
        this.#log.debug({ address, retryAfterSeconds }, 'sign-in refused: the address is throttled');
        return { outcome: 'address-throttled', retryAfterSeconds };
      }
      throttlesAddress = locking(verdict, now);
    }
    const account = accountKey(authMethodId, username, userId);
    // The address's attempt stays counted: trying a locked account is a failure from its side.
    const verdict = await this.#counters.countAttempt(account, this.#policies.accounts, now);
    if (verdict.locked) {
      if (throttlesAddress) this.#throttled(address, throttlesAddress);
      this.#log.debug({ accountKey: account, address }, 'sign-in refused: the account is locked');
      return { outcome: 'account-locked' };
    }
    return {
      outcome: 'admitted',
      pass: { accountKey: account, addressKey: addressCounter, address, locksAccount: locking(verdict, now), throttlesAddress },
    };
  }

  /**
   * The password was wrong: the attempt stays counted. A lock it caused is logged now, not when
   * counted, since a right password at the last allowed attempt lifts it again.
   */
  failed(pass: LoginPass): void {
    if (pass.locksAccount) {
      const { failures, lockedUntil } = pass.locksAccount;
      this.#log.warn({ accountKey: pass.accountKey, address: pass.address, failures, lockedUntil: new Date(lockedUntil).toISOString() }, 'account locked after failed sign-ins');
    }
    if (pass.throttlesAddress) this.#throttled(pass.address, pass.throttlesAddress);
  }

  #throttled(address: string | null, verdict: AttemptVerdict): void {
    const { failures, lockedUntil } = verdict;
    this.#log.warn({ address, failures, lockedUntil: new Date(lockedUntil).toISOString() }, 'address throttled after failed sign-ins');
  }

  /**
   * A self sign-up from `address`: counted like a failed sign-in and never forgiven (each one
   * costs a password hash and may create an account), so that one address cannot mass-create
   * accounts or probe addresses faster than it could guess passwords. Null: admitted.
   */
  async admitSignUp(address: string | null, now: number): Promise<{ readonly retryAfterSeconds: number } | null> {
    if (address === null) return null;
    const verdict = await this.#counters.countAttempt(addressKey(address), this.#policies.addresses, now);
    return verdict.locked ? { retryAfterSeconds: Math.max(1, Math.ceil((verdict.lockedUntil - now) / SECOND)) } : null;
  }

  /** The password was right: the account starts afresh; the address only gets this attempt back. */
  async succeeded(pass: LoginPass, now: number): Promise<void> {
    await this.#counters.clear(pass.accountKey);
    if (pass.addressKey !== null) await this.#counters.forgiveAttempt(pass.addressKey, this.#policies.addresses, now);
  }

  /** The auth method could not check the password: that attempt proved nothing either way. */
  async undecided(pass: LoginPass, now: number): Promise<void> {
    await this.#counters.forgiveAttempt(pass.accountKey, this.#policies.accounts, now);
    if (pass.addressKey !== null) await this.#counters.forgiveAttempt(pass.addressKey, this.#policies.addresses, now);
  }

  async lockedAccounts(now: number, limit: number): Promise<readonly LockedAccount[]> {
    const subjects = await this.#counters.listLocked(ACCOUNT_PREFIX, now, limit);
    return subjects.flatMap((subject): LockedAccount[] => {
      const rest = subject.key.slice(ACCOUNT_PREFIX.length);
      const colon = rest.indexOf(':');
      // Auth method ids cannot contain ':' (config schema), so the first one separates.
      if (colon < 0) return [];
      const subjectKey = rest.slice(colon + 1);
      const authMethodId = rest.slice(0, colon);
      if (subjectKey.startsWith(USER_ID)) return [{ authMethodId, userId: subjectKey.slice(USER_ID.length), username: null, ...state(subject) }];
      if (subjectKey.startsWith(NAME)) return [{ authMethodId, userId: null, username: subjectKey.slice(NAME.length), ...state(subject) }];
      return [];
    });
  }

  async throttledAddresses(now: number, limit: number): Promise<readonly ThrottledAddress[]> {
    const subjects = await this.#counters.listLocked(ADDRESS_PREFIX, now, limit);
    return subjects.map((subject) => ({ address: subject.key.slice(ADDRESS_PREFIX.length), ...state(subject) }));
  }

  /**
   * An admin's release: the count is forgotten, so the account has its full allowance again. Both
   * the account's counter and the name's own (counted before the account existed) are cleared.
   */
  async releaseAccount(authMethodId: string, username: string, userId: string | null): Promise<boolean> {
    const byName = await this.#counters.clear(accountKey(authMethodId, username, null));
    const byAccount = userId === null ? false : await this.#counters.clear(accountKey(authMethodId, username, userId));
    return byName || byAccount;
  }

  releaseAddress(address: string): Promise<boolean> {
    return this.#counters.clear(addressKey(address));
  }
}

function state(subject: CountedSubject): { failures: number; lockedUntil: number } {
  return { failures: subject.failures, lockedUntil: subject.lockedUntil };
}
