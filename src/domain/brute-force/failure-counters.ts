// Counters of failed sign-ins with temporary lockout and increasing waits, in the spirit of
// Keycloak's brute force detection (and OWASP Authentication Cheat Sheet, "Account Lockout").
// One mechanism serves two subjects: an account (auth method + user name) and a client address.
// The implementations live in src/shared-state/ (this process's memory, or Redis so that every
// Gatehouse process sees one count); this module holds only the contract and the arithmetic.

export interface LockoutPolicy {
  /** Attempts counted before the subject is locked. */
  readonly failuresAllowed: number;
  /** The first lock lasts this long; each further failure adds as much again (ms). */
  readonly waitIncrementMs: number;
  /** No lock lasts longer (ms). */
  readonly maxWaitMs: number;
  /** The count is forgotten this long after the last counted attempt (ms). */
  readonly failureResetMs: number;
}

export interface FailureState {
  /** Counted attempts that have not been forgiven. */
  readonly failures: number;
  /** Epoch ms until which the subject is locked; 0 when it is not. */
  readonly lockedUntil: number;
  /** Epoch ms of the last counted attempt: the reset time runs from here. */
  readonly lastAttemptAt: number;
}

export interface AttemptVerdict extends FailureState {
  /** The subject was locked before this attempt: it was not counted and must not be tried. */
  readonly locked: boolean;
}

export interface CountedSubject extends FailureState {
  readonly key: string;
}

/**
 * Counts are pessimistic: an attempt is counted *before* the password is checked, atomically with
 * the lock check, and forgiven afterwards if it was not a failure. Counting after the check would
 * let an attacker with many parallel connections try far more than `failuresAllowed` passwords
 * while the first hashes are still running.
 */
export interface FailureCounters {
  /** Locked: answers `locked` and counts nothing. Otherwise counts one attempt and locks when due. */
  countAttempt(key: string, policy: LockoutPolicy, now: number): Promise<AttemptVerdict>;
  /** Takes one attempt back (it succeeded, or could not be checked); lifts a lock that count no longer justifies. */
  forgiveAttempt(key: string, policy: LockoutPolicy, now: number): Promise<void>;
  /** Forgets the subject entirely (a successful sign-in, or an admin's release); false if nothing was counted. */
  clear(key: string): Promise<boolean>;
  /** Subjects whose keys start with `prefix` and that are locked at `now`, at most `limit`. */
  listLocked(prefix: string, now: number, limit: number): Promise<readonly CountedSubject[]>;
}

/** How long the lock lasts once `failures` attempts are counted: none below the threshold. */
export function lockDuration(policy: LockoutPolicy, failures: number): number {
  if (failures < policy.failuresAllowed) return 0;
  return Math.min(policy.waitIncrementMs * (failures - policy.failuresAllowed + 1), policy.maxWaitMs);
}

/** The memory implementation's arithmetic (the Redis script mirrors it). */
/** The state as it stands at `now`: null once the reset time has passed since the last attempt. */
export function current(state: FailureState | null | undefined, policy: LockoutPolicy, now: number): FailureState | null {
  if (!state) return null;
  if (state.lockedUntil <= now && now - state.lastAttemptAt >= policy.failureResetMs) return null;
  return state;
}

export function nextAttempt(state: FailureState | null, policy: LockoutPolicy, now: number): AttemptVerdict {
  if (state && state.lockedUntil > now) return { ...state, locked: true };
  const failures = (state?.failures ?? 0) + 1;
  const wait = lockDuration(policy, failures);
  return { failures, lockedUntil: wait > 0 ? now + wait : 0, lastAttemptAt: now, locked: false };
}

export function forgiven(state: FailureState, policy: LockoutPolicy): FailureState {
  const failures = Math.max(0, state.failures - 1);
  return { ...state, failures, lockedUntil: failures < policy.failuresAllowed ? 0 : state.lockedUntil };
}

/** How long a subject's entry must be kept after an attempt at `now`. */
export function retentionMs(state: FailureState, policy: LockoutPolicy, now: number): number {
  return Math.max(policy.failureResetMs, state.lockedUntil - now, 1);
}
