import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startManagement, type ManagementHarness, type Person } from './management-fixtures.js';
import { makeWorld, type World } from './world.js';

// Who may do what, route by route: every management route × every role. The application and
// subscription belong to "owner"; the subscription is to "orders", an API of group "partners".

const ROLES = ['admin', 'approver', 'otherApprover', 'owner', 'stranger', 'anonymous'] as const;
type Role = (typeof ROLES)[number];

interface Request {
  readonly method: string;
  readonly url: string;
  readonly body?: unknown;
}

type Row = readonly [string, (w: World, self: Person | null) => Request, Readonly<Record<Role, number>>];

const expect = (admin: number, approver: number, otherApprover: number, owner: number, stranger: number, anonymous = 401) =>
  ({ admin, approver, otherApprover, owner, stranger, anonymous }) as const;

const v1 = '/api/v1';
const fresh = () => `new-${Math.random().toString(36).slice(2)}@example.com`;

const MATRIX: readonly Row[] = [
  ['list users', () => ({ method: 'GET', url: `${v1}/users` }), expect(200, 403, 403, 403, 403)],
  ['create a user', () => ({ method: 'POST', url: `${v1}/users`, body: { email: fresh() } }), expect(201, 403, 403, 403, 403)],
  ['read yourself', () => ({ method: 'GET', url: `${v1}/users/me` }), expect(200, 200, 200, 200, 200)],
  ['read another user', (w) => ({ method: 'GET', url: `${v1}/users/${w.target.id}` }), expect(200, 403, 403, 403, 403)],
  ['rename another user', (w) => ({ method: 'PATCH', url: `${v1}/users/${w.target.id}`, body: { name: 'X' } }), expect(200, 403, 403, 403, 403)],
  ['make another user admin', (w) => ({ method: 'PATCH', url: `${v1}/users/${w.target.id}`, body: { admin: true } }), expect(200, 403, 403, 403, 403)],
  [
    'raise your own role',
    (w, self) => ({ method: 'PATCH', url: `${v1}/users/${self?.user.id ?? w.target.id}`, body: { approverOf: ['partners', 'internal'] } }),
    expect(403, 403, 403, 403, 403),
  ],
  ['rename yourself', (w, self) => ({ method: 'PATCH', url: `${v1}/users/${self?.user.id ?? w.target.id}`, body: { name: 'Me' } }), expect(200, 200, 200, 200, 200)],
  ['delete a user', (w) => ({ method: 'DELETE', url: `${v1}/users/${w.target.id}` }), expect(204, 403, 403, 403, 403)],
  ['reset a password', (w) => ({ method: 'PUT', url: `${v1}/users/${w.target.id}/password`, body: { password: 'a new password' } }), expect(204, 403, 403, 403, 403)],
  ["list a user's logins", (w) => ({ method: 'GET', url: `${v1}/users/${w.target.id}/logins` }), expect(200, 403, 403, 403, 403)],
  ["end a user's logins", (w) => ({ method: 'DELETE', url: `${v1}/users/${w.target.id}/logins` }), expect(200, 403, 403, 403, 403)],
  ['end one login of another user', (w) => ({ method: 'DELETE', url: `${v1}/logins/${w.family.id}` }), expect(204, 404, 404, 404, 404)],
  ['list applications', () => ({ method: 'GET', url: `${v1}/applications` }), expect(200, 200, 200, 200, 200)],
  ['register an application', () => ({ method: 'POST', url: `${v1}/applications`, body: { name: 'Mine', clientType: 'public' } }), expect(201, 201, 201, 201, 201)],
  ['read the application', (w) => ({ method: 'GET', url: `${v1}/applications/${w.application.id}` }), expect(200, 403, 403, 200, 403)],
  ['update the application', (w) => ({ method: 'PATCH', url: `${v1}/applications/${w.application.id}`, body: { name: 'Renamed' } }), expect(200, 403, 403, 200, 403)],
  ['delete the application', (w) => ({ method: 'DELETE', url: `${v1}/applications/${w.application.id}` }), expect(204, 403, 403, 204, 403)],
  ["list the application's subscriptions", (w) => ({ method: 'GET', url: `${v1}/applications/${w.application.id}/subscriptions` }), expect(200, 403, 403, 200, 403)],
  ["list the application's logins", (w) => ({ method: 'GET', url: `${v1}/applications/${w.application.id}/logins` }), expect(200, 403, 403, 200, 403)],
  [
    'subscribe the application',
    (w) => ({ method: 'POST', url: `${v1}/subscriptions`, body: { applicationId: w.application.id, apiId: 'billing', trusted: true } }),
    expect(201, 403, 403, 201, 403),
  ],
  ['read the subscription', (w) => ({ method: 'GET', url: `${v1}/subscriptions/${w.subscription.id}` }), expect(200, 200, 403, 200, 403)],
  ['change its plan', (w) => ({ method: 'PATCH', url: `${v1}/subscriptions/${w.subscription.id}`, body: { plan: 'gold' } }), expect(200, 403, 403, 200, 403)],
  ['revoke the subscription', (w) => ({ method: 'DELETE', url: `${v1}/subscriptions/${w.subscription.id}` }), expect(204, 204, 403, 204, 403)],
  ['approve the subscription', (w) => ({ method: 'POST', url: `${v1}/subscriptions/${w.subscription.id}/approve`, body: { trusted: w.subscription.trusted, plan: w.subscription.plan } }), expect(200, 200, 403, 403, 403)],
  ['decline the subscription', (w) => ({ method: 'POST', url: `${v1}/subscriptions/${w.subscription.id}/decline`, body: { trusted: w.subscription.trusted, plan: w.subscription.plan } }), expect(200, 200, 403, 403, 403)],
  ['regenerate the client secret', (w) => ({ method: 'POST', url: `${v1}/subscriptions/${w.subscription.id}/secret` }), expect(200, 403, 403, 200, 403)],
  ['read the approval queue', () => ({ method: 'GET', url: `${v1}/approvals` }), expect(200, 200, 200, 403, 403)],
  ['list APIs', () => ({ method: 'GET', url: `${v1}/apis` }), expect(200, 200, 200, 200, 200)],
  ['read an API', () => ({ method: 'GET', url: `${v1}/apis/orders` }), expect(200, 200, 200, 200, 200)],
  ['list auth methods', () => ({ method: 'GET', url: `${v1}/auth-methods` }), expect(200, 200, 200, 200, 200)],
  ['read the audit log', () => ({ method: 'GET', url: `${v1}/audit-events` }), expect(200, 403, 403, 403, 403)],
  ['list lockouts', () => ({ method: 'GET', url: `${v1}/lockouts` }), expect(200, 403, 403, 403, 403)],
  // Nothing is locked in this world: the admin passes the permission check and finds nothing.
  ['release a locked account', () => ({ method: 'DELETE', url: `${v1}/lockouts/accounts/local/nobody@example.com` }), expect(404, 403, 403, 403, 403)],
  ['release a throttled address', () => ({ method: 'DELETE', url: `${v1}/lockouts/addresses/192.0.2.7` }), expect(404, 403, 403, 403, 403)],
  ["list the application's redirect URIs", (w) => ({ method: 'GET', url: `${v1}/applications/${w.application.id}/redirect-uris` }), expect(200, 403, 403, 200, 403)],
  ['register a redirect URI', (w) => ({ method: 'POST', url: `${v1}/applications/${w.application.id}/redirect-uris`, body: { uri: 'https://app.example/cb' } }), expect(201, 403, 403, 201, 403)],
  // Not registered in this world: the admin and the owner pass the permission check and find nothing.
  ['remove a redirect URI', (w) => ({ method: 'DELETE', url: `${v1}/applications/${w.application.id}/redirect-uris?uri=https%3A%2F%2Fnone.example%2F` }), expect(404, 403, 403, 404, 403)],
  ["list a user's consents", (w) => ({ method: 'GET', url: `${v1}/users/${w.target.id}/consents` }), expect(200, 403, 403, 403, 403)],
  ["revoke a user's consent", (w) => ({ method: 'DELETE', url: `${v1}/users/${w.target.id}/consents/${w.subscription.id}` }), expect(404, 403, 403, 403, 403)],
  ['how to sign in', () => ({ method: 'GET', url: `${v1}/sign-in` }), expect(200, 200, 200, 200, 200, 200)],
  // portal.signUp is closed in this world: refused for everyone, signed in or not.
  ['sign up', () => ({ method: 'POST', url: `${v1}/sign-up`, body: { email: fresh(), password: 'long enough pw' } }), expect(403, 403, 403, 403, 403, 403)],
  // The target is no pending sign-up: the admin passes the permission check and is told so.
  ['approve a sign-up', (w) => ({ method: 'POST', url: `${v1}/users/${w.target.id}/sign-up/approve` }), expect(409, 403, 403, 403, 403)],
  ['decline a sign-up', (w) => ({ method: 'POST', url: `${v1}/users/${w.target.id}/sign-up/decline` }), expect(409, 403, 403, 403, 403)],
  // "orders" has no reference document in this world: every signed-in role gets as far as that.
  ["read an API's reference", () => ({ method: 'GET', url: `${v1}/apis/orders/openapi` }), expect(404, 404, 404, 404, 404)],
];

// Started at the top level: startTestGatehouse closes the instance when the file's tests end.
const h: ManagementHarness = await startManagement();
const people = new Map<Role, Person | null>([
  ['admin', await h.person({ admin: true, name: 'admin' })],
  ['approver', await h.person({ approverOf: ['partners'], name: 'approver' })],
  ['otherApprover', await h.person({ approverOf: ['internal'], name: 'other-approver' })],
  ['owner', await h.person({ name: 'owner' })],
  ['stranger', await h.person({ name: 'stranger' })],
  ['anonymous', null],
]);

describe('management API permission matrix', () => {
  for (const [label, build, expected] of MATRIX) {
    it(`${label}: ${ROLES.map((role) => `${role} ${expected[role]}`).join(', ')}`, async () => {
      const actual: Partial<Record<Role, number>> = {};
      for (const role of ROLES) {
        const self = people.get(role) ?? null;
        const world = await makeWorld(h, (people.get('owner') as Person).user.id);
        const request = build(world, self);
        const response = await h.call(self?.token ?? null, request.method, request.url, request.body);
        actual[role] = response.statusCode;
        if (response.statusCode >= 400) assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
      }
      assert.deepEqual(actual, expected);
    });
  }

  it('covers every route of the OpenAPI document', async () => {
    const document = (await h.call(null, 'GET', '/openapi.json')).json() as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(document.paths).flatMap(([path, operations]) => Object.keys(operations).map((m) => `${m.toUpperCase()} ${path}`));
    const world = await makeWorld(h, (people.get('owner') as Person).user.id);
    const tested = new Set(
      MATRIX.map(([, build]) => {
        const { method, url } = build(world, people.get('admin') ?? null);
        const templated = url
          .replace(world.target.id, '{userId}')
          .replace((people.get('admin') as Person).user.id, '{userId}')
          .replace(world.application.id, '{applicationId}')
          .replace(world.subscription.id, '{subscriptionId}')
          .replace(world.family.id, '{loginId}')
          .replace('/apis/orders', '/apis/{apiId}')
          .replace('/lockouts/accounts/local/nobody@example.com', '/lockouts/accounts/{authMethodId}/{username}')
          .replace('/lockouts/addresses/192.0.2.7', '/lockouts/addresses/{address}')
          .replace(/\?.*$/, '');
        return `${method} ${templated}`;
      }),
    );
    assert.deepEqual(documented.filter((route) => !tested.has(route)), []);
  });
});
