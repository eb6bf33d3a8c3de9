import type { AuditEvent, AuditFilter, Page, PageRequest } from '../../store/store.js';
import { auditBase, type ManagementContext } from './management-context.js';
import { requireAdmin } from './permissions.js';

// The management API's own audit events, next to the token endpoint's (../audit-events.ts).
// Details say what changed, never a password, secret or token (not even a hash).

export const MANAGEMENT_EVENT = {
  userCreated: 'user.created',
  userUpdated: 'user.updated',
  userDeleted: 'user.deleted',
  passwordChanged: 'user.password_changed',
  applicationCreated: 'application.created',
  applicationUpdated: 'application.updated',
  applicationDeleted: 'application.deleted',
  subscriptionCreated: 'subscription.created',
  subscriptionUpdated: 'subscription.updated',
  subscriptionApproved: 'subscription.approved',
  subscriptionDeclined: 'subscription.declined',
  subscriptionRevoked: 'subscription.revoked',
  secretRegenerated: 'subscription.secret_regenerated',
  tokensRevoked: 'tokens.revoked',
  redirectUriAdded: 'application.redirect_uri_added',
  redirectUriRemoved: 'application.redirect_uri_removed',
  consentRevoked: 'consent.revoked',
} as const;

type EventFields = Partial<Pick<AuditEvent, 'userId' | 'applicationId' | 'subscriptionId' | 'apiId' | 'familyId'>>;

export async function recordManagementEvent(
  context: ManagementContext,
  type: string,
  fields: EventFields,
  details: Readonly<Record<string, unknown>> = {},
): Promise<void> {
  await context.store.audit.record({ ...auditBase(context, type), ...fields, details });
}

/** The audit log is an admin's: it names every user and application. */
export function listAuditEvents(context: ManagementContext, filter: AuditFilter, page: PageRequest): Promise<Page<AuditEvent>> {
  requireAdmin(context.actor, 'read the audit log');
  return context.store.audit.list(filter, page);
}
