import type { AuthMethodConfig } from '../../config/config.js';
import type { AuditStore, UserStore } from '../../store/store.js';
import type { PasswordHasher } from '../passwords.js';
import type { AuthMethodLog, AuthMethodReporting } from './auth-method-reports.js';
import type { CredentialVerifier } from './credential-verifier.js';
import { createExternalVerifier } from './external-verifier.js';
import { createLocalVerifier } from './local-verifier.js';
import { withOutageReporting } from './outage-reporting.js';

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
  /** Outages and profile conflicts are reported here (warn log, audit rows) when both are given. */
  readonly audit?: Pick<AuditStore, 'record'>;
  readonly log?: AuthMethodLog;
}

function reportingOf(deps: VerifierDependencies): AuthMethodReporting | null {
  return deps.audit && deps.log ? { audit: deps.audit, log: deps.log, now: deps.now } : null;
}

export function createVerifier(method: AuthMethodConfig, deps: VerifierDependencies): CredentialVerifier {
  const reporting = reportingOf(deps);
  const verifier = createBareVerifier(method, deps, reporting);
  return reporting ? withOutageReporting(verifier, reporting) : verifier;
}

function createBareVerifier(method: AuthMethodConfig, deps: VerifierDependencies, reporting: AuthMethodReporting | null): CredentialVerifier {
  switch (method.kind) {
    case 'local':
      return createLocalVerifier(method.id, {
        users: deps.users,
        passwords: deps.passwords,
        ...(deps.onUpgradeFailure ? { onUpgradeFailure: deps.onUpgradeFailure } : {}),
      });
    case 'external':
      return createExternalVerifier(method, {
        users: deps.users,
        now: deps.now,
        ...(deps.fetch ? { fetch: deps.fetch } : {}),
        ...(reporting ? { reporting } : {}),
      });
  }
}

/** Keyed by auth method id. */
export function createVerifiers(methods: readonly AuthMethodConfig[], deps: VerifierDependencies): ReadonlyMap<string, CredentialVerifier> {
  return new Map(methods.map((method) => [method.id, createVerifier(method, deps)]));
}
