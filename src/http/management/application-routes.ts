import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { createApplication, deleteApplication, getApplication, listApplications, updateApplication } from '../../domain/management/applications.js';
import { listApplicationLogins } from '../../domain/management/logins.js';
import { listApplicationSubscriptions } from '../../domain/management/subscriptions.js';
import type { Services } from '../services.js';
import { addManagementRoute } from './management-route.js';
import { Id, PageQuery, pageOf, ref } from './schemas.js';
import { applicationView, loginView, pageView, subscriptionView } from './views.js';

// /api/v1/applications: a developer's applications, their subscriptions and the logins made
// through them.

const ApplicationParams = Type.Object({ applicationId: Id });
const Name = Type.String({ minLength: 1, maxLength: 200 });
const ClientType = Type.Union([Type.Literal('confidential'), Type.Literal('public')]);
const RedirectUris = Type.Array(Type.String({ format: 'uri', maxLength: 2000 }), { maxItems: 20 });
const OwnerIds = Type.Array(Id, { minItems: 1, maxItems: 50, uniqueItems: true });

const NewApplication = Type.Object(
  { name: Name, clientType: ClientType, redirectUris: Type.Optional(RedirectUris), ownerIds: Type.Optional(OwnerIds) },
  { additionalProperties: false, description: 'ownerIds defaults to yourself and must include you unless you are an admin' },
);
const ApplicationPatch = Type.Object(
  { name: Type.Optional(Name), clientType: Type.Optional(ClientType), redirectUris: Type.Optional(RedirectUris), ownerIds: Type.Optional(OwnerIds) },
  { additionalProperties: false, minProperties: 1 },
);
const ApplicationQuery = Type.Object({ ...PageQuery.properties, ownerId: Type.Optional(Id) });

export function applicationRoutes(app: FastifyInstance, services: Services): void {
  const tag = 'applications';
  addManagementRoute(app, services, {
    method: 'GET', url: '/applications', tag, summary: 'Your applications (an admin: all, or one owner’s)',
    querystring: ApplicationQuery, response: pageOf('Application'),
    handle: async (context, { query }) => pageView(await listApplications(context, query, query), applicationView),
  });
  addManagementRoute(app, services, {
    method: 'POST', url: '/applications', tag, summary: 'Register an application', status: 201,
    body: NewApplication, response: ref('Application'),
    handle: async (context, { body }) => applicationView(await createApplication(context, body)),
  });
  addManagementRoute(app, services, {
    method: 'GET', url: '/applications/:applicationId', tag, summary: 'Read an application (owner or admin)',
    params: ApplicationParams, response: ref('Application'),
    handle: async (context, { params }) => applicationView(await getApplication(context, params.applicationId)),
  });
  addManagementRoute(app, services, {
    method: 'PATCH', url: '/applications/:applicationId', tag, summary: 'Update an application (owner or admin)',
    params: ApplicationParams, body: ApplicationPatch, response: ref('Application'),
    handle: async (context, { params, body }) => applicationView(await updateApplication(context, params.applicationId, body)),
  });
  addManagementRoute(app, services, {
    method: 'DELETE', url: '/applications/:applicationId', tag, summary: 'Delete an application with its subscriptions; its logins end first',
    params: ApplicationParams,
    handle: async (context, { params }) => deleteApplication(context, params.applicationId),
  });
  addManagementRoute(app, services, {
    method: 'GET', url: '/applications/:applicationId/subscriptions', tag: 'subscriptions', summary: 'An application’s subscriptions (owner or admin)',
    params: ApplicationParams, querystring: PageQuery, response: pageOf('Subscription'),
    handle: async (context, { params, query }) => pageView(await listApplicationSubscriptions(context, params.applicationId, query), (s) => subscriptionView(s, context.config.apis)),
  });
  addManagementRoute(app, services, {
    method: 'GET', url: '/applications/:applicationId/logins', tag: 'logins', summary: 'Active logins through an application (owner or admin)',
    params: ApplicationParams, querystring: PageQuery, response: pageOf('Login'),
    handle: async (context, { params, query }) => pageView(await listApplicationLogins(context, params.applicationId, query), loginView),
  });
}
