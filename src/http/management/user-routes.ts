import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { MAX_PASSWORD_LENGTH } from '../../domain/password-policy.js';
import { listUserLogins, revokeLogin, revokeUserLogins } from '../../domain/management/logins.js';
import { createUser, deleteUser, getUser, listUsers, setPassword, updateUser } from '../../domain/management/users.js';
import type { Services } from '../services.js';
import { addManagementRoute } from './management-route.js';
import { Groups, Id, PageQuery, pageOf, ref } from './schemas.js';
import { loginView, pageView, userView } from './views.js';

// /api/v1/users and /api/v1/logins: accounts of the local auth method, their roles, passwords
// and logins.

const UserParams = Type.Object({ userId: Id });
const Email = Type.String({ format: 'email', maxLength: 254 });
const Username = Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$' });
const Name = Type.String({ minLength: 1, maxLength: 200 });
const Password = Type.String({ minLength: 1, maxLength: MAX_PASSWORD_LENGTH });

const NewUser = Type.Object(
  {
    email: Type.Optional(Email),
    username: Type.Optional(Username),
    name: Type.Optional(Name),
    password: Type.Optional(Password),
    groups: Type.Optional(Groups),
    admin: Type.Optional(Type.Boolean()),
    approverOf: Type.Optional(Groups),
  },
  { additionalProperties: false },
);

const UserPatch = Type.Object(
  {
    email: Type.Optional(Type.Union([Email, Type.Null()])),
    username: Type.Optional(Type.Union([Username, Type.Null()])),
    name: Type.Optional(Type.Union([Name, Type.Null()])),
    groups: Type.Optional(Groups),
    admin: Type.Optional(Type.Boolean()),
    approverOf: Type.Optional(Groups),
    disabled: Type.Optional(Type.Boolean({ description: 'true ends all of the user’s logins at once' })),
  },
  { additionalProperties: false, minProperties: 1 },
);

const UserListQuery = Type.Object({
  ...PageQuery.properties,
  pending: Type.Optional(Type.Boolean({ description: 'true: only the sign-ups awaiting approval; false: only the others' })),
});

const PasswordChange = Type.Object(
  { password: Password, currentPassword: Type.Optional(Password) },
  { additionalProperties: false, description: 'currentPassword is required when changing your own password' },
);

export function userRoutes(app: FastifyInstance, services: Services): void {
  const tag = 'users';
  addManagementRoute(app, services, {
    method: 'GET', url: '/users', tag, summary: 'List users (admin)',
    querystring: UserListQuery, response: pageOf('User'),
    handle: async (context, { query }) => {
      const { pending, ...page } = query;
      return pageView(await listUsers(context, page, pending === undefined ? {} : { pending }), userView);
    },
  });
  addManagementRoute(app, services, {
    method: 'POST', url: '/users', tag, summary: 'Create a local user (admin)', status: 201,
    body: NewUser, response: ref('User'),
    handle: async (context, { body }) => userView(await createUser(context, body)),
  });
  addManagementRoute(app, services, {
    method: 'GET', url: '/users/me', tag, summary: 'The signed-in user',
    response: ref('User'),
    handle: async (context) => userView(context.actor),
  });
  addManagementRoute(app, services, {
    method: 'GET', url: '/users/:userId', tag, summary: 'Read a user (admin, or yourself)',
    params: UserParams, response: ref('User'),
    handle: async (context, { params }) => userView(await getUser(context, params.userId)),
  });
  addManagementRoute(app, services, {
    method: 'PATCH', url: '/users/:userId', tag, summary: 'Update a user; roles, groups and disabling are for admins, never on yourself',
    params: UserParams, body: UserPatch, response: ref('User'),
    handle: async (context, { params, body }) => userView(await updateUser(context, params.userId, body)),
  });
  addManagementRoute(app, services, {
    method: 'DELETE', url: '/users/:userId', tag, summary: 'Delete a user (admin); their logins end first',
    params: UserParams,
    handle: async (context, { params }) => deleteUser(context, params.userId),
  });
  addManagementRoute(app, services, {
    method: 'PUT', url: '/users/:userId/password', tag, summary: 'Set your password, or reset a user’s (admin); all their logins end',
    params: UserParams, body: PasswordChange,
    handle: async (context, { params, body }) => setPassword(context, params.userId, body),
  });
  addManagementRoute(app, services, {
    method: 'GET', url: '/users/:userId/logins', tag: 'logins', summary: 'A user’s active logins (admin, or yourself)',
    params: UserParams, querystring: PageQuery, response: pageOf('Login'),
    handle: async (context, { params, query }) => pageView(await listUserLogins(context, params.userId, query), loginView),
  });
  addManagementRoute(app, services, {
    method: 'DELETE', url: '/users/:userId/logins', tag: 'logins', summary: 'End all of a user’s logins (admin, or yourself)',
    params: UserParams, response: Type.Object({ revoked: Type.Integer() }),
    handle: async (context, { params }) => ({ revoked: await revokeUserLogins(context, params.userId) }),
  });
  addManagementRoute(app, services, {
    method: 'DELETE', url: '/logins/:loginId', tag: 'logins', summary: 'End one login (yours, or any as an admin); its tokens stop working at once',
    params: Type.Object({ loginId: Id }),
    handle: async (context, { params }) => revokeLogin(context, params.loginId),
  });
}
