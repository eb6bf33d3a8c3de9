import { AUTH_METHOD_AUDIT_EVENT, recordAuthMethodEvent, type AuthMethodReporting } from './auth-method-reports.js';
import type { CredentialCheck, CredentialVerifier } from './credential-verifier.js';

// An auth method that cannot answer refuses every sign-in through it with 503. Reported once per
// change of state, not once per sign-in, so that an outage under load is one warning and two
// audit rows: `auth_method.unavailable` at its first refusal (with the cause), and
// `auth_method.recovered` at the first decided answer after it, with the number of sign-ins
// refused and the distinct causes seen. Per process: each Gatehouse process reports its own view.

/** Distinct causes kept per outage: a flapping service must not grow the row without bound. */
const MAX_CAUSES = 5;

interface Outage {
  readonly since: number;
  refused: number;
  readonly causes: Set<string>;
}

export function withOutageReporting(verifier: CredentialVerifier, reporting: AuthMethodReporting): CredentialVerifier {
  const authMethod = verifier.authMethodId;
  let outage: Outage | null = null;

  async function observe(check: CredentialCheck): Promise<void> {
    if (check.outcome === 'unavailable') {
      if (outage !== null) {
        outage.refused += 1;
        if (outage.causes.size < MAX_CAUSES) outage.causes.add(check.reason);
        return;
      }
      // Set before any await, so that concurrent refusals join this outage instead of opening another.
      outage = { since: reporting.now(), refused: 1, causes: new Set([check.reason]) };
      reporting.log.warn({ authMethod, cause: check.reason }, 'auth method unavailable: its sign-ins are refused with 503 until it answers again');
      await recordAuthMethodEvent(reporting, { type: AUTH_METHOD_AUDIT_EVENT.unavailable, details: { authMethod, cause: check.reason } });
      return;
    }
    if (outage === null) return;
    const ended = outage;
    outage = null;
    const details = {
      authMethod,
      refusedSignIns: ended.refused,
      since: new Date(ended.since).toISOString(),
      causes: [...ended.causes],
    };
    reporting.log.warn(details, 'auth method answers again');
    await recordAuthMethodEvent(reporting, { type: AUTH_METHOD_AUDIT_EVENT.recovered, details });
  }

  return {
    authMethodId: authMethod,
    // Optional on the verifier, and a lockout counts per account only through it (login-throttle.ts).
    ...(verifier.findAccount ? { findAccount: (username: string) => verifier.findAccount?.(username) ?? Promise.resolve({ userId: null }) } : {}),
    async verify(username, password, found) {
      const check = await verifier.verify(username, password, found);
      await observe(check);
      return check;
    },
  };
}
