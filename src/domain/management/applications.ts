import type { Application, ApplicationPatch, ClientType, Page, PageRequest } from '../../store/store.js';
import { StoreReferenceError } from '../../store/store.js';
import { redirectUriProblem } from '../authorization/redirect-uri-rules.js';
import { isPortalApplication } from '../portal-sign-in.js';
import { MANAGEMENT_EVENT, recordManagementEvent } from './audit-log.js';
import { withdrawApprovalsForClientType } from './client-type-change.js';
import type { ManagementContext } from './management-context.js';
import { conflict, invalidRequest, notFound } from './management-error.js';
import { isAdmin, requireApplicationManager } from './permissions.js';

// Applications: a developer registers their own (and becomes its owner); owners and admins
// manage it. Deleting one ends every login through it before its subscriptions cascade away;
// changing its client type withdraws its approvals first (client-type-change.ts).

export interface NewApplicationInput {
  readonly name: string;
  readonly clientType: ClientType;
  readonly redirectUris?: readonly string[];
  readonly ownerIds?: readonly string[];
}

/** RFC 6749 §3.1.2 as redirect-uri-rules.ts reads it: every URI registrable, or none stored. */
/** `field` names the refused item as the request body does (`redirectUris/1`, or `uri`), so a form can show it there. */
export function requireRegistrableRedirectUris(uris: readonly string[], field: (index: number) => string = (index) => `redirectUris/${index}`): void {
  uris.forEach((uri, index) => {
    const problem = redirectUriProblem(uri);
    if (problem !== null) throw invalidRequest(`redirect URI ${JSON.stringify(uri.slice(0, 200))} ${problem}`, field(index));
  });
}

function missingOwner(error: unknown): never {
  if (error instanceof StoreReferenceError) throw invalidRequest('ownerIds names a user that does not exist', 'ownerIds');
  throw error;
}

/** Finds an application and checks that the actor may manage it. */
export async function findManagedApplication(context: ManagementContext, applicationId: string): Promise<Application> {
  const application = await context.store.applications.findById(applicationId);
  if (!application) throw notFound(`application ${applicationId}`);
  requireApplicationManager(context.actor, application);
  return application;
}

export async function refuseBuiltIn(context: ManagementContext, applicationId: string): Promise<void> {
  if (await isPortalApplication(context.store, applicationId)) {
    throw conflict('this is the built-in application the portal and the CLI sign in with; it cannot be changed');
  }
}

/** Admins see every application (or one owner's); others see the ones they own. */
export function listApplications(context: ManagementContext, filter: { readonly ownerId?: string }, page: PageRequest): Promise<Page<Application>> {
  const ownerId = isAdmin(context.actor) ? filter.ownerId : context.actor.id;
  return context.store.applications.list(ownerId === undefined ? {} : { ownerId }, page);
}

export async function createApplication(context: ManagementContext, input: NewApplicationInput): Promise<Application> {
  const { actor } = context;
  // A developer registers applications for themself; only an admin registers one for others.
  const ownerIds = input.ownerIds ?? [actor.id];
  if (!isAdmin(actor) && !ownerIds.includes(actor.id)) throw invalidRequest('ownerIds must include yourself', 'ownerIds');
  requireRegistrableRedirectUris(input.redirectUris ?? []);
  const application = await context.store.applications
    .create({ name: input.name, clientType: input.clientType, redirectUris: input.redirectUris ?? [], ownerIds }, context.now)
    .catch(missingOwner);
  await recordManagementEvent(context, MANAGEMENT_EVENT.applicationCreated, { applicationId: application.id }, { clientType: application.clientType });
  return application;
}

export function getApplication(context: ManagementContext, applicationId: string): Promise<Application> {
  return findManagedApplication(context, applicationId);
}

export async function updateApplication(context: ManagementContext, applicationId: string, patch: ApplicationPatch): Promise<Application> {
  const application = await findManagedApplication(context, applicationId);
  await refuseBuiltIn(context, applicationId);
  // An owner removing themself would lose the application; leaving it ownerless is an admin's call.
  if (patch.ownerIds !== undefined && !isAdmin(context.actor) && !patch.ownerIds.includes(context.actor.id)) {
    throw invalidRequest('ownerIds must include yourself', 'ownerIds');
  }
  requireRegistrableRedirectUris(patch.redirectUris ?? []);
  const typeChange = patch.clientType !== undefined && patch.clientType !== application.clientType ? patch.clientType : null;
  const requeued = typeChange === null ? [] : await withdrawApprovalsForClientType(context, application, typeChange);
  const updated = await context.store.applications.update(application.id, patch, context.now).catch(missingOwner);
  if (!updated) throw notFound(`application ${applicationId}`);
  await recordManagementEvent(
    context,
    MANAGEMENT_EVENT.applicationUpdated,
    { applicationId },
    { fields: Object.keys(patch), ...(typeChange === null ? {} : { clientType: { from: application.clientType, to: typeChange }, subscriptionsBackToQueue: requeued }) },
  );
  return updated;
}

export async function deleteApplication(context: ManagementContext, applicationId: string): Promise<void> {
  const application = await findManagedApplication(context, applicationId);
  await refuseBuiltIn(context, applicationId);
  await context.store.tokens.revokeFamilies({ applicationId }, 'application_deleted', context.now);
  await context.store.applications.delete(application.id);
  await recordManagementEvent(context, MANAGEMENT_EVENT.applicationDeleted, { applicationId }, { name: application.name });
}
