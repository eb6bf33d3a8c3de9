import {
  current,
  forgiven,
  nextAttempt,
  type AttemptVerdict,
  type CountedSubject,
  type FailureCounters,
  type FailureState,
  type LockoutPolicy,
} from '../domain/brute-force/failure-counters.js';
import { growingLru } from './growing-lru.js';

// Sign-in failure counters of a single process: the default without Redis, and the fallback
// while Redis is away. Expiry follows the injected clock (state.lastAttemptAt), so that tests can
// move time; the LRU bound keeps a flood of invented user names from growing memory without
// limit (the per-address throttle slows such a flood from any one address long before).

const MAX_SUBJECTS = 200_000;

export class MemoryFailureCounters implements FailureCounters {
  readonly #subjects = growingLru<string, FailureState>(MAX_SUBJECTS);

  async countAttempt(key: string, policy: LockoutPolicy, now: number): Promise<AttemptVerdict> {
    const verdict = nextAttempt(current(this.#subjects.get(key), policy, now), policy, now);
    if (!verdict.locked) {
      this.#subjects.set(key, { failures: verdict.failures, lockedUntil: verdict.lockedUntil, lastAttemptAt: verdict.lastAttemptAt });
    }
    return verdict;
  }

  async forgiveAttempt(key: string, policy: LockoutPolicy, now: number): Promise<void> {
    const state = current(this.#subjects.get(key), policy, now);
    const after = state === null ? null : forgiven(state, policy);
    // Nothing left to count: forget the subject, so that lists and releases do not show it.
    if (after === null || after.failures === 0) this.#subjects.delete(key);
    else this.#subjects.set(key, after);
  }

  async clear(key: string): Promise<boolean> {
    return this.#subjects.delete(key);
  }

  async listLocked(prefix: string, now: number, limit: number): Promise<readonly CountedSubject[]> {
    const locked: CountedSubject[] = [];
    for (const [key, state] of this.#subjects.entries()) {
      if (locked.length >= limit) break;
      if (key.startsWith(prefix) && state.lockedUntil > now) locked.push({ key, ...state });
    }
    return locked;
  }
}
