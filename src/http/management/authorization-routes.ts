import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { listConsents, revokeConsent } from '../../domain/management/consents.js';
import { addRedirectUri, listRedirectUris, removeRedirectUri } from '../../domain/management/redirect-uris.js';
import type { Services } from '../services.js';
import { addManagementRoute } from './management-route.js';
import { Id, PageQuery, pageOf, ref } from './schemas.js';
import { consentView, pageView } from './views.js';

// What the authorization code grant needs from the management API: an application's redirect
// URIs (its owners register them one at a time; the rules are in redirect-uri-rules.ts) and a
// user's consents (listed and revoked by the user; an admin may too).

const ApplicationParams = Type.Object({ applicationId: Id });
const Uri = Type.String({ minLength: 1, maxLength: 2000, description: 'https, or http for 127.0.0.1, [::1] or localhost; no fragment, userinfo or wildcard' });
const NewRedirectUri = Type.Object({ uri: Uri }, { additionalProperties: false });
const RedirectUriQuery = Type.Object({ uri: Uri });
const ConsentParams = Type.Object({ userId: Id, subscriptionId: Id });
const UserParams = Type.Object({ userId: Id });

export function authorizationRoutes(app: FastifyInstance, services: Services): void {
  const tag = 'applications';
  addManagementRoute(app, services, {
    method: 'GET', url: '/applications/:applicationId/redirect-uris', tag, summary: 'An application’s redirect URIs (owner or admin)',
    params: ApplicationParams, response: ref('RedirectUris'),
    handle: async (context, { params }) => ({ redirectUris: await listRedirectUris(context, params.applicationId) }),
  });
  addManagementRoute(app, services, {
    method: 'POST', url: '/applications/:applicationId/redirect-uris', tag, summary: 'Register a redirect URI (owner or admin)', status: 201,
    params: ApplicationParams, body: NewRedirectUri, response: ref('RedirectUris'),
    handle: async (context, { params, body }) => ({ redirectUris: await addRedirectUri(context, params.applicationId, body.uri) }),
  });
  addManagementRoute(app, services, {
    method: 'DELETE', url: '/applications/:applicationId/redirect-uris', tag, summary: 'Remove a redirect URI (owner or admin), given as ?uri=',
    params: ApplicationParams, querystring: RedirectUriQuery,
    handle: async (context, { params, query }) => {
      await removeRedirectUri(context, params.applicationId, query.uri);
    },
  });
  addManagementRoute(app, services, {
    method: 'GET', url: '/users/:userId/consents', tag: 'consents', summary: 'The applications a user allowed to act for them (admin, or yourself)',
    params: UserParams, querystring: PageQuery, response: pageOf('Consent'),
    handle: async (context, { params, query }) => pageView(await listConsents(context, params.userId, query), consentView),
  });
  addManagementRoute(app, services, {
    method: 'DELETE', url: '/users/:userId/consents/:subscriptionId', tag: 'consents',
    summary: 'Revoke a consent (admin, or yourself): the next sign-in asks again, and the logins it allowed end',
    params: ConsentParams,
    handle: async (context, { params }) => revokeConsent(context, params.userId, params.subscriptionId),
  });
}
