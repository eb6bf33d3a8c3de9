import type { FastifyInstance } from 'fastify';
import type { ApiConfig } from '../../config/config.js';
import Type from 'typebox';
import { approveSubscription, declineSubscription, listApprovals } from '../../domain/management/subscription-decisions.js';
import {
  createSubscription,
  getSubscription,
  regenerateSecret,
  revokeSubscription,
  updateSubscription,
  type SubscriptionWithCredentials,
} from '../../domain/management/subscriptions.js';
import type { Services } from '../services.js';
import { addManagementRoute } from './management-route.js';
import { Id, PageQuery, pageOf, ref } from './schemas.js';
import { approvalView, pageView, subscriptionView } from './views.js';

// /api/v1/subscriptions and /api/v1/approvals: subscribing an application to an API (ticking
// "trusted" for the password grant), deciding, revoking, and new client secrets.

const SubscriptionParams = Type.Object({ subscriptionId: Id });
const PlanId = Type.String({ minLength: 1, maxLength: 63 });

const NewSubscription = Type.Object(
  {
    applicationId: Id,
    apiId: Type.String({ minLength: 1, maxLength: 63 }),
    plan: Type.Optional(PlanId),
    trusted: Type.Optional(Type.Boolean({ default: false, description: 'needed for the password grant; always waits for approval' })),
  },
  { additionalProperties: false },
);
const SubscriptionPatch = Type.Object(
  { plan: Type.Optional(PlanId), trusted: Type.Optional(Type.Boolean()) },
  { additionalProperties: false, minProperties: 1, description: 'becoming trusted, or a plan that needs approval, goes back to the approval queue' },
);
const Decision = Type.Object(
  {
    trusted: Type.Boolean({ description: 'the trust you read: the decision is refused (409) if the subscription is no longer so' }),
    plan: PlanId,
    clientType: Type.Optional(Type.Union([Type.Literal('confidential'), Type.Literal('public')], { description: 'the application’s client type you read (the approval queue shows it)' })),
  },
  { additionalProperties: false, description: 'what you decide on, as you read it; a decision on anything else is refused with 409 and changes nothing' },
);
const ApprovalQuery = Type.Object({ ...PageQuery.properties, apiId: Type.Optional(Type.String({ maxLength: 63 })) });

function issued({ subscription, credentials }: SubscriptionWithCredentials, apis: readonly ApiConfig[]) {
  return { subscription: subscriptionView(subscription, apis), clientId: credentials.clientId, clientSecret: credentials.clientSecret };
}

export function subscriptionRoutes(app: FastifyInstance, services: Services): void {
  const tag = 'subscriptions';
  addManagementRoute(app, services, {
    method: 'POST', url: '/subscriptions', tag, status: 201, response: ref('IssuedSubscription'), body: NewSubscription,
    summary: 'Subscribe an application to an API (owner or admin); the client secret is shown only in this response',
    handle: async (context, { body }) => issued(await createSubscription(context, body), context.config.apis),
  });
  addManagementRoute(app, services, {
    method: 'GET', url: '/subscriptions/:subscriptionId', tag, summary: 'Read a subscription (owner, admin, or its approvers)',
    params: SubscriptionParams, response: ref('Subscription'),
    handle: async (context, { params }) => subscriptionView(await getSubscription(context, params.subscriptionId), context.config.apis),
  });
  addManagementRoute(app, services, {
    method: 'PATCH', url: '/subscriptions/:subscriptionId', tag, summary: 'Change plan or trust (owner or admin)',
    params: SubscriptionParams, body: SubscriptionPatch, response: ref('Subscription'),
    handle: async (context, { params, body }) => subscriptionView(await updateSubscription(context, params.subscriptionId, body), context.config.apis),
  });
  addManagementRoute(app, services, {
    method: 'DELETE', url: '/subscriptions/:subscriptionId', tag, summary: 'Revoke a subscription (owner, admin, or its approvers); its logins end at once',
    params: SubscriptionParams,
    handle: async (context, { params }) => revokeSubscription(context, params.subscriptionId),
  });
  addManagementRoute(app, services, {
    method: 'POST', url: '/subscriptions/:subscriptionId/approve', tag: 'approvals', summary: 'Approve (admin, or approver of the API’s group); the body says what you approve (409 if it changed)',
    params: SubscriptionParams, body: Decision, response: ref('Subscription'),
    handle: async (context, { params, body }) => subscriptionView(await approveSubscription(context, params.subscriptionId, body), context.config.apis),
  });
  addManagementRoute(app, services, {
    method: 'POST', url: '/subscriptions/:subscriptionId/decline', tag: 'approvals', summary: 'Decline (admin, or approver of the API’s group); its logins end at once; the body says what you decline (409 if it changed)',
    params: SubscriptionParams, body: Decision, response: ref('Subscription'),
    handle: async (context, { params, body }) => subscriptionView(await declineSubscription(context, params.subscriptionId, body), context.config.apis),
  });
  addManagementRoute(app, services, {
    method: 'POST', url: '/subscriptions/:subscriptionId/secret', tag, response: ref('IssuedSubscription'), params: SubscriptionParams,
    summary: 'A new client secret for a confidential client (owner or admin); the old one stops working; shown only in this response',
    handle: async (context, { params }) => issued(await regenerateSecret(context, params.subscriptionId), context.config.apis),
  });
  addManagementRoute(app, services, {
    method: 'GET', url: '/approvals', tag: 'approvals', summary: 'Pending subscriptions you may decide, oldest first',
    querystring: ApprovalQuery, response: pageOf('Approval'),
    handle: async (context, { query }) => pageView(await listApprovals(context, query, query), (a) => approvalView(a, context.config.apis)),
  });
}
