import type { CountedSubject, FailureCounters, LockoutPolicy } from './failure-counters.js';

// RFC 6749 §4.3.2: the authorization server "MUST protect the endpoint against brute force
// attacks". Two counters guard every password check:
// - per account (auth method + normalised user name), for accounts that exist and accounts that
//   do not, so that a lockout tells an attacker nothing about which accounts exist (OWASP
//   Authentication Cheat Sheet); the password grant answers a locked account exactly as it
//   answers a wrong password;
// - per client address, across accounts (credential stuffing, password spraying): a throttled
//   address gets 429 with Retry-After before any account is looked at.

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
}

export type LoginAdmission =
  | { readonly outcome: 'admitted'; readonly pass: LoginPass }
  /** No password may be checked; answer as for a wrong password. */
  | { readonly outcome: 'account-locked' }
  | { readonly outcome: 'address-throttled'; readonly retryAfterSeconds: number };

export interface LockedAccount {
  readonly authMethodId: string;
  readonly username: string;
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

export function accountKey(authMethodId: string, username: string): string {
  return `${ACCOUNT_PREFIX}${authMethodId}:${normaliseUsername(username)}`;
}

export function addressKey(address: string): string {
  return `${ADDRESS_PREFIX}${address}`;
}

export class LoginThrottle {
  readonly #counters: FailureCounters;
  readonly #policies: LoginThrottlePolicies;

  constructor(counters: FailureCounters, policies: LoginThrottlePolicies) {
    this.#counters = counters;
    this.#policies = policies;
  }

  async admit(authMethodId: string, username: string, address: string | null, now: number): Promise<LoginAdmission> {
    const addressCounter = address === null ? null : addressKey(address);
    if (addressCounter !== null) {
      const verdict = await this.#counters.countAttempt(addressCounter, this.#policies.addresses, now);
      if (verdict.locked) {
        return { outcome: 'address-throttled', retryAfterSeconds: Math.max(1, Math.ceil((verdict.lockedUntil - now) / SECOND)) };
      }
    }
    const account = accountKey(authMethodId, username);
    // The address's attempt stays counted: trying a locked account is a failure from its side.
    const verdict = await this.#counters.countAttempt(account, this.#policies.accounts, now);
    if (verdict.locked) return { outcome: 'account-locked' };
    return { outcome: 'admitted', pass: { accountKey: account, addressKey: addressCounter } };
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
    return subjects.flatMap((subject) => {
      const rest = subject.key.slice(ACCOUNT_PREFIX.length);
      const colon = rest.indexOf(':');
      // Auth method ids cannot contain ':' (config schema), so the first one separates.
      if (colon < 0) return [];
      return [{ authMethodId: rest.slice(0, colon), username: rest.slice(colon + 1), ...state(subject) }];
    });
  }

  async throttledAddresses(now: number, limit: number): Promise<readonly ThrottledAddress[]> {
    const subjects = await this.#counters.listLocked(ADDRESS_PREFIX, now, limit);
    return subjects.map((subject) => ({ address: subject.key.slice(ADDRESS_PREFIX.length), ...state(subject) }));
  }

  /** An admin's release: the count is forgotten, so the account has its full allowance again. */
  releaseAccount(authMethodId: string, username: string): Promise<boolean> {
    return this.#counters.clear(accountKey(authMethodId, username));
  }

  releaseAddress(address: string): Promise<boolean> {
    return this.#counters.clear(addressKey(address));
  }
}

function state(subject: CountedSubject): { failures: number; lockedUntil: number } {
  return { failures: subject.failures, lockedUntil: subject.lockedUntil };
}
