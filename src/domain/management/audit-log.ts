import type { AuditEvent, AuditFilter, Page, PageRequest } from '../../store/store.js';
import { apiName, applicationNames, userRefs, type UserRef } from './display-names.js';
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

/** An event with the people, application and API it names, as an admin recognises them. */
export type NamedAuditEvent = AuditEvent & {
  readonly actor: UserRef | null;
  readonly user: UserRef | null;
  readonly applicationName: string | null;
  readonly apiName: string | null;
};

/** The audit log is an admin's: it names every user and application. */
export async function listAuditEvents(context: ManagementContext, filter: AuditFilter, page: PageRequest): Promise<Page<NamedAuditEvent>> {
  requireAdmin(context.actor, 'read the audit log');
  const events = await context.store.audit.list(filter, page);
  const [users, applications] = await Promise.all([
    userRefs(context.store, events.items.flatMap((event) => [event.actorUserId, event.userId])),
    applicationNames(context.store, events.items.map((event) => event.applicationId)),
  ]);
  const items = events.items.map((event) => ({
    ...event,
    actor: (event.actorUserId && users.get(event.actorUserId)) || null,
    user: (event.userId && users.get(event.userId)) || null,
    applicationName: (event.applicationId && applications.get(event.applicationId)) || null,
    apiName: apiName(context.config.apis, event.apiId),
  }));
  return { ...events, items };
}
