import type { AuthMethodConfig } from '../../config/config.js';
import type { UserStore } from '../../store/store.js';
import type { PasswordHasher } from '../passwords.js';
import type { CredentialVerifier } from './credential-verifier.js';
import { createExternalVerifier } from './external-verifier.js';
import { createLocalVerifier } from './local-verifier.js';

// The one place that turns the configured auth methods into password verifiers. A new kind of
// auth method is a new case here (the switch is exhaustive, so the compiler asks for it).

export interface VerifierDependencies {
  readonly users: UserStore;
  readonly passwords: PasswordHasher;
  readonly now: () => number;
  /** A local hash upgrade failed; the login still succeeded. */
  readonly onUpgradeFailure?: (userId: string, error: unknown) => void;
  /** For the external method's HTTP calls; Node's fetch unless a test substitutes it. */
  readonly fetch?: typeof fetch;
}

export function createVerifier(method: AuthMethodConfig, deps: VerifierDependencies): CredentialVerifier {
  switch (method.kind) {
    case 'local':
      return createLocalVerifier(method.id, {
        users: deps.users,
        passwords: deps.passwords,
        ...(deps.onUpgradeFailure ? { onUpgradeFailure: deps.onUpgradeFailure } : {}),
      });
    case 'external':
      return createExternalVerifier(method, { users: deps.users, now: deps.now, ...(deps.fetch ? { fetch: deps.fetch } : {}) });
  }
}

/** Keyed by auth method id. */
export function createVerifiers(methods: readonly AuthMethodConfig[], deps: VerifierDependencies): ReadonlyMap<string, CredentialVerifier> {
  return new Map(methods.map((method) => [method.id, createVerifier(method, deps)]));
}
