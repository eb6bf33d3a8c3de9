import Type, { type TSchema } from 'typebox';

// The management API's shared schemas. Each has an $id: Fastify validates and serialises with
// them, and @fastify/swagger turns them into components.schemas of the OpenAPI document, so the
// document and the checks cannot drift apart. Response schemas list every field that goes out:
// anything else on a record (a password hash, a secret hash) is never serialised.

const Timestamp = Type.String({ format: 'date-time' });
const NullableTimestamp = Type.Union([Timestamp, Type.Null()]);
const NullableString = Type.Union([Type.String(), Type.Null()]);
export const Id = Type.String({ minLength: 1, maxLength: 128 });
const GroupId = Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,62}$' });

export const ref = (id: string) => Type.Unsafe<unknown>({ $ref: `${id}#` });

export const FieldError = Type.Object(
  {
    field: Type.String({
      description: 'the request body field refused, as a path: `name`, or `redirectUris/1` for the second item of a list',
    }),
    message: Type.String({ description: 'what is wrong with it, in words for a person' }),
  },
  { $id: 'FieldError' },
);

export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String(),
    instance: Type.Optional(Type.String()),
    errors: Type.Optional(
      Type.Array(ref('FieldError'), {
        description: 'present when the refusal is about fields of the request body (a validation problem): one entry per field',
      }),
    ),
  },
  { $id: 'Problem', description: 'RFC 9457 problem details' },
);

/** A user as lists name them: who acted, who asked, whose login. */
export const UserRef = Type.Object(
  { id: Id, name: NullableString, email: NullableString, username: NullableString },
  { $id: 'UserRef', description: 'a user as lists name them' },
);
const NullableUserRef = (description: string) => Type.Union([ref('UserRef'), Type.Null()], { description });
const NameOrNull = (description: string) => Type.Union([Type.String(), Type.Null()], { description });

export const User = Type.Object(
  {
    id: Id,
    authMethod: Type.String(),
    email: NullableString,
    username: NullableString,
    name: NullableString,
    groups: Type.Array(Type.String()),
    admin: Type.Boolean(),
    approverOf: Type.Array(Type.String()),
    disabled: Type.Boolean(),
    pending: Type.Boolean({ description: 'a self sign-up awaiting an admin’s approval (it cannot sign in)' }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    passwordChangedAt: NullableTimestamp,
  },
  { $id: 'User' },
);

export const Application = Type.Object(
  {
    id: Id,
    name: Type.String(),
    clientType: Type.Union([Type.Literal('confidential'), Type.Literal('public')]),
    redirectUris: Type.Array(Type.String()),
    ownerIds: Type.Array(Type.String()),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'Application' },
);

export const Subscription = Type.Object(
  {
    id: Id,
    applicationId: Id,
    apiId: Type.String(),
    apiName: NameOrNull('null if the API is no longer configured'),
    plan: Type.String(),
    planName: NameOrNull('null if the plan is no longer configured'),
    trusted: Type.Boolean(),
    status: Type.Union([Type.Literal('pending'), Type.Literal('approved'), Type.Literal('declined')]),
    clientId: NullableString,
    hasClientSecret: Type.Boolean(),
    decidedBy: NullableString,
    decidedAt: NullableTimestamp,
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'Subscription' },
);

/** A subscription in the approval queue, with what approvers know an application by. */
export const Approval = Type.Object(
  {
    ...Subscription.properties,
    applicationName: Type.Union([Type.String(), Type.Null()], { description: 'null if the application was deleted meanwhile' }),
    clientType: Type.Union([Type.Literal('confidential'), Type.Literal('public'), Type.Null()], {
      description: 'the application’s client type: a public client is anyone who knows its client_id; send it with the decision',
    }),
    requestedBy: NullableUserRef('who subscribed, or last changed trust or plan; null if that user is gone'),
    requestedAt: Type.String({ format: 'date-time', description: 'when the subscription entered the queue' }),
  },
  { $id: 'Approval' },
);

export const IssuedSubscription = Type.Object(
  {
    subscription: ref('Subscription'),
    clientId: Type.String(),
    clientSecret: Type.Union([Type.String(), Type.Null()], { description: 'shown this once; null for a public client' }),
  },
  { $id: 'IssuedSubscription' },
);

export const Login = Type.Object(
  {
    id: Id,
    userId: Type.Union([Id, Type.Null()], { description: 'null for a client-credentials token: the application acting for itself' }),
    applicationId: Id,
    applicationName: NameOrNull('null if the application was deleted'),
    subscriptionId: Id,
    apiId: Type.String(),
    apiName: NameOrNull('null if the API is no longer configured'),
    authMethod: Type.String(),
    scope: Type.String(),
    createdAt: Timestamp,
    expiresAt: Timestamp,
  },
  { $id: 'Login', description: 'one sign-in (a token family: password or authorization code grant), or one client-credentials grant (no user)' },
);

export const AuditEvent = Type.Object(
  {
    id: Id,
    at: Timestamp,
    type: Type.String(),
    actorUserId: NullableString,
    actor: NullableUserRef('who acted; null for none, or a user deleted since'),
    userId: NullableString,
    user: NullableUserRef('whom it concerns; null for none, or a user deleted since'),
    applicationId: NullableString,
    applicationName: NameOrNull('null for none, or an application deleted since'),
    subscriptionId: NullableString,
    apiId: NullableString,
    apiName: NameOrNull('null for none, or an API no longer configured'),
    familyId: NullableString,
    ip: NullableString,
    details: Type.Record(Type.String(), Type.Unknown()),
  },
  { $id: 'AuditEvent' },
);

export const AuthMethod = Type.Object(
  { id: Type.String(), name: Type.String(), kind: Type.Union([Type.Literal('local'), Type.Literal('external')]) },
  { $id: 'AuthMethod' },
);

const RateLimitWindows = {
  perSecond: Type.Optional(Type.Integer({ description: 'requests per second' })),
  perMinute: Type.Optional(Type.Integer({ description: 'requests per minute' })),
  perHour: Type.Optional(Type.Integer({ description: 'requests per hour' })),
};
const RateLimit = Type.Object({
  ...RateLimitWindows,
  perUser: Type.Optional(Type.Object(RateLimitWindows, { description: 'the same windows for each user of a subscription' })),
});

export const Api = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    description: Type.String(),
    group: NullableString,
    endpoint: Type.String({ description: 'the gateway URL of the API' }),
    tokenUrls: Type.Array(Type.Object({ authMethod: Type.String(), url: Type.String() })),
    accessTokenLifetime: Type.Integer({ description: 'seconds' }),
    refreshTokenIdleLifetime: Type.Integer({ description: 'seconds a refresh token lasts unused' }),
    sessionLifetime: Type.Integer({ description: 'seconds a login lasts at most, however often it is refreshed' }),
    scopes: Type.Array(Type.Object({ id: Type.String(), description: Type.String() })),
    plans: Type.Array(
      Type.Object({
        id: Type.String(),
        name: Type.String(),
        description: Type.String(),
        requiresApproval: Type.Boolean(),
        rateLimit: Type.Union([RateLimit, Type.Null()], { description: 'null: no limit of its own' }),
      }),
    ),
    grants: Type.Array(Type.String(), { description: 'the grant types its token endpoint accepts' }),
    hasReference: Type.Boolean({ description: 'GET /apis/{apiId}/openapi serves its OpenAPI document' }),
  },
  { $id: 'Api' },
);

export const Consent = Type.Object(
  {
    userId: Id,
    subscriptionId: Id,
    applicationId: Id,
    applicationName: NameOrNull('null if the application was deleted'),
    apiId: Type.String(),
    apiName: NameOrNull('null if the API is no longer configured'),
    scope: Type.String(),
    grantedAt: Timestamp,
  },
  { $id: 'Consent', description: 'a user allowed a subscription that is not trusted to act for them (authorization code grant)' },
);

export const RedirectUris = Type.Object(
  { redirectUris: Type.Array(Type.String()) },
  { $id: 'RedirectUris', description: 'an application’s registered redirect URIs, matched exactly (RFC 9700 section 4.1.3)' },
);

export const SHARED_SCHEMAS: readonly TSchema[] = [
  FieldError, Problem, UserRef, User, Application, Subscription, Approval, IssuedSubscription, Login, AuditEvent, AuthMethod, Api, Consent, RedirectUris,
];

/** A page of `item` (by $id) with the cursor of the next page. */
export function pageOf(itemId: string) {
  return Type.Object({ items: Type.Array(ref(itemId)), nextCursor: Type.Union([Type.String(), Type.Null()]) });
}

export const PageQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
});

export const Groups = Type.Array(GroupId, { maxItems: 100, uniqueItems: true });
