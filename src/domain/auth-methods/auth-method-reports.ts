import type { AuditStore } from '../../store/store.js';

// What an auth method tells the operator besides its answer: a log (pino's shape, structurally,
// so that the domain imports no logger) and the audit log. A report that cannot be written (the
// database is down too) is logged and never fails a sign-in.

export interface AuthMethodLog {
  warn(details: Readonly<Record<string, unknown>>, message: string): void;
  info(details: Readonly<Record<string, unknown>>, message: string): void;
}

export const AUTH_METHOD_AUDIT_EVENT = {
  /** An external profile changed a field to a value another user of the method holds. */
  profileConflict: 'auth_method.profile_conflict',
  /** The first refused sign-in of an outage (issue 13 item 17: one row per outage, not per sign-in). */
  unavailable: 'auth_method.unavailable',
  /** The first decided answer after an outage, with how many sign-ins it refused. */
  recovered: 'auth_method.recovered',
} as const;

export interface AuthMethodReporting {
  readonly audit: Pick<AuditStore, 'record'>;
  readonly log: AuthMethodLog;
  readonly now: () => number;
}

export async function recordAuthMethodEvent(
  reporting: AuthMethodReporting,
  event: { readonly type: string; readonly userId?: string; readonly details: Readonly<Record<string, unknown>> },
): Promise<void> {
  try {
    await reporting.audit.record({ type: event.type, at: reporting.now(), userId: event.userId ?? null, details: event.details });
  } catch (err) {
    reporting.log.warn({ err, type: event.type }, 'audit event not recorded');
  }
}
