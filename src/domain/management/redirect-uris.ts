import { findManagedApplication, refuseBuiltIn, requireRegistrableRedirectUris } from './applications.js';
import { MANAGEMENT_EVENT } from './audit-log.js';
import { auditBase, type ManagementContext } from './management-context.js';
import { notFound } from './management-error.js';

// An application's redirect URIs (RFC 6749 §3.1.2.2: clients register them): its owners and
// admins add and remove them one at a time; each change and its audit row are one transaction.

export async function listRedirectUris(context: ManagementContext, applicationId: string): Promise<readonly string[]> {
  return (await findManagedApplication(context, applicationId)).redirectUris;
}

async function change(context: ManagementContext, applicationId: string, uri: string, adding: boolean): Promise<readonly string[]> {
  const application = await findManagedApplication(context, applicationId);
  await refuseBuiltIn(context, applicationId);
  const type = adding ? MANAGEMENT_EVENT.redirectUriAdded : MANAGEMENT_EVENT.redirectUriRemoved;
  const uris = await context.store.applications.changeRedirectUris(
    application.id,
    adding ? { add: uri } : { remove: uri },
    context.now,
    { ...auditBase(context, type), applicationId, details: { redirectUri: uri } },
  );
  if (uris === null) throw notFound(`application ${applicationId}`);
  return uris;
}

export function addRedirectUri(context: ManagementContext, applicationId: string, uri: string): Promise<readonly string[]> {
  requireRegistrableRedirectUris([uri], () => 'uri');
  return change(context, applicationId, uri, true);
}

export async function removeRedirectUri(context: ManagementContext, applicationId: string, uri: string): Promise<readonly string[]> {
  const application = await findManagedApplication(context, applicationId);
  if (!application.redirectUris.includes(uri)) throw notFound('redirect URI');
  return change(context, applicationId, uri, false);
}
