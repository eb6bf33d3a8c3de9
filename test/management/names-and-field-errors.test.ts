import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { managementRawConfig, startManagement } from './management-fixtures.js';

// Issue 14: lists name people, applications, APIs and plans, not only their ids; a refusal about
// request fields says which, in `errors: [{ field, message }]`, so that a form can mark them
// without reading the prose of `detail`. One server for the file: every case makes its own records.

interface UserRef {
  id: string;
  name: string | null;
  email: string | null;
}
interface Problem {
  code: string;
  detail: string;
  errors?: { field: string; message: string }[];
}

function rawConfig(): Record<string, unknown> {
  const raw = managementRawConfig();
  const [orders] = raw.apis as Record<string, unknown>[];
  Object.assign(orders as object, {
    name: 'Orders',
    scopes: [{ id: 'orders:read', description: 'Read your orders' }, { id: 'orders:write' }],
    refreshTokenIdleLifetime: 86_400,
    sessionLifetime: 604_800,
    plans: [
      { id: 'basic', name: 'Basic', description: 'For trying it out', requiresApproval: false, rateLimit: { perMinute: 60, perUser: { perSecond: 2 } } },
      { id: 'gold', name: 'Gold', requiresApproval: true },
    ],
  });
  return raw;
}

const h = await startManagement(rawConfig());
const admin = await h.person({ admin: true, name: 'admin' });

describe('management API: names next to ids, and field errors', () => {
  async function application(owner: { token: string }, name: string): Promise<string> {
    const created = await h.call(owner.token, 'POST', '/api/v1/applications', { name, clientType: 'confidential' });
    assert.equal(created.statusCode, 201, created.body);
    return (created.json() as { id: string }).id;
  }

  it('subscriptions carry their API and plan names; a duplicate names the application and API', async () => {
    const developer = await h.person({ name: 'dev' });
    const applicationId = await application(developer, 'Shop front');
    const created = await h.call(developer.token, 'POST', '/api/v1/subscriptions', { applicationId, apiId: 'orders', plan: 'gold' });
    assert.equal(created.statusCode, 201, created.body);
    assert.deepEqual(
      (({ apiName, planName }) => ({ apiName, planName }))((created.json() as { subscription: Record<string, unknown> }).subscription),
      { apiName: 'Orders', planName: 'Gold' },
    );
    const listed = await h.call(developer.token, 'GET', `/api/v1/applications/${applicationId}/subscriptions`);
    assert.deepEqual((listed.json() as { items: { apiName: string; planName: string }[] }).items.map((s) => [s.apiName, s.planName]), [['Orders', 'Gold']]);

    const again = await h.call(developer.token, 'POST', '/api/v1/subscriptions', { applicationId, apiId: 'orders' });
    assert.equal(again.statusCode, 409);
    const problem = again.json() as Problem;
    assert.match(problem.detail, /“Shop front” is already subscribed to Orders/);
    assert.doesNotMatch(problem.detail, new RegExp(applicationId), 'the application is named, not numbered');
    assert.deepEqual(problem.errors, [{ field: 'apiId', message: problem.detail }]);
  });

  it('an approval says who asked and when, for every card of the page in one lookup', async () => {
    const approver = await h.person({ approverOf: ['partners'], name: 'approver' });
    const first = await h.person({ name: 'first' });
    const second = await h.person({ name: 'second' });
    const firstApp = await application(first, 'First app');
    const secondApp = await application(second, 'Second app');
    // An admin subscribes the second developer's application: the admin asked, not the owner.
    for (const [token, applicationId] of [[first.token, firstApp], [admin.token, secondApp]] as const) {
      const response = await h.call(token, 'POST', '/api/v1/subscriptions', { applicationId, apiId: 'orders', plan: 'basic', trusted: true });
      assert.equal(response.statusCode, 201, response.body);
    }
    let applicationLookups = 0;
    let userLookups = 0;
    const { applications, users } = h.store;
    const findApplication = applications.findById.bind(applications);
    const findUser = users.findById.bind(users);
    applications.findById = (id) => ((applicationLookups += 1), findApplication(id));
    users.findById = (id) => ((userLookups += 1), findUser(id));
    let queue;
    try {
      queue = await h.call(approver.token, 'GET', '/api/v1/approvals?limit=500');
    } finally {
      applications.findById = findApplication;
      users.findById = findUser;
    }
    assert.equal(queue.statusCode, 200, queue.body);
    assert.equal(applicationLookups, 0, 'applications are looked up by the page, not one by one');
    assert.ok(userLookups <= 1, `only the signed-in user is looked up by id (${userLookups})`);
    const items = (queue.json() as { items: { applicationId: string; applicationName: string; apiName: string; requestedBy: UserRef | null; requestedAt: string }[] }).items;
    const card = (id: string) => items.find((item) => item.applicationId === id);
    assert.equal(card(firstApp)?.applicationName, 'First app');
    assert.equal(card(firstApp)?.apiName, 'Orders');
    assert.deepEqual(card(firstApp)?.requestedBy, { id: first.user.id, name: null, email: first.login, username: null });
    assert.equal(card(secondApp)?.requestedBy?.id, admin.user.id);
    assert.ok(Math.abs(Date.parse(card(firstApp)?.requestedAt ?? '') - h.now()) < 60_000);
  });

  it('logins and audit events name their application, API and people', async () => {
    const developer = await h.person({ name: 'named' });
    await h.store.users.update(developer.user.id, { name: 'Nora Named' }, h.now());
    const applicationId = await application(developer, 'Named app');
    const logins = await h.call(admin.token, 'GET', `/api/v1/users/${developer.user.id}/logins`);
    const [portalLogin] = (logins.json() as { items: { apiName: string; applicationName: string }[] }).items;
    assert.equal(portalLogin?.apiName, 'Gatehouse management API', 'the portal sign-in is named too');
    assert.equal(portalLogin?.applicationName, 'Gatehouse portal and CLI');

    const audit = await h.call(admin.token, 'GET', `/api/v1/audit-events?applicationId=${applicationId}`);
    const [created] = (audit.json() as { items: { type: string; actor: UserRef | null; applicationName: string | null }[] }).items;
    assert.equal(created?.type, 'application.created');
    assert.equal(created?.actor?.name, 'Nora Named');
    assert.equal(created?.actor?.email, developer.login);
    assert.equal(created?.applicationName, 'Named app');
    const reset = await h.call(admin.token, 'PUT', `/api/v1/users/${developer.user.id}/password`, { password: 'a long new password 1' });
    assert.equal(reset.statusCode, 204, reset.body);
    const changed = await h.call(admin.token, 'GET', `/api/v1/audit-events?type=user.password_changed&userId=${developer.user.id}`);
    const [event] = (changed.json() as { items: { actor: UserRef; user: UserRef }[] }).items;
    assert.deepEqual([event?.actor.id, event?.user.name], [admin.user.id, 'Nora Named']);
  });

  it('an API shows its scopes with descriptions, its plans with rate limits, and every lifetime', async () => {
    const response = await h.call(admin.token, 'GET', '/api/v1/apis/orders');
    const api = response.json() as Record<string, unknown>;
    assert.deepEqual(api.scopes, [{ id: 'orders:read', description: 'Read your orders' }, { id: 'orders:write', description: '' }]);
    assert.deepEqual([api.refreshTokenIdleLifetime, api.sessionLifetime], [86_400, 604_800]);
    const [basic, gold] = api.plans as Record<string, unknown>[];
    assert.deepEqual(basic, { id: 'basic', name: 'Basic', description: 'For trying it out', requiresApproval: false, rateLimit: { perMinute: 60, perUser: { perSecond: 2 } } });
    assert.equal(gold?.rateLimit, null);
  });

  it('a schema refusal names each body field by path, in words', async () => {
    const developer = await h.person({ name: 'fields' });
    const cases: [unknown, { field: string; message: RegExp }][] = [
      [{ name: '', clientType: 'public' }, { field: 'name', message: /^cannot be empty$/ }],
      [{ name: 'x'.repeat(201), clientType: 'public' }, { field: 'name', message: /^must be at most 200 characters$/ }],
      [{ clientType: 'public' }, { field: 'name', message: /^is required$/ }],
      [{ name: 'A', clientType: 'public', redirectUris: ['https://ok.example/cb', 'not a uri'] }, { field: 'redirectUris/1', message: /^must be an absolute URI/ }],
      [{ name: 'A\u0007', clientType: 'public' }, { field: 'name', message: /control character/ }],
    ];
    for (const [body, expected] of cases) {
      const response = await h.call(developer.token, 'POST', '/api/v1/applications', body);
      assert.equal(response.statusCode, 400, JSON.stringify(body));
      assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
      const problem = response.json() as Problem;
      assert.equal(problem.errors?.length, 1, response.body);
      assert.equal(problem.errors?.[0]?.field, expected.field, response.body);
      assert.match(problem.errors?.[0]?.message ?? '', expected.message, response.body);
    }
    // A refusal that is about no body field has no errors member.
    const query = await h.call(developer.token, 'GET', '/api/v1/applications?limit=0');
    assert.equal(query.statusCode, 400);
    assert.equal((query.json() as Problem).errors, undefined);
  });

  it('a domain refusal names its field', async () => {
    const cases: [string, string, unknown, string][] = [
      ['POST', '/api/v1/users', { email: 'weak@example.com', password: 'short' }, 'password'],
      ['POST', '/api/v1/users', { email: 'groups@example.com', approverOf: ['nope'] }, 'approverOf'],
      ['POST', '/api/v1/users', { name: 'Nobody' }, 'email'],
    ];
    for (const [method, url, body, field] of cases) {
      const response = await h.call(admin.token, method, url, body);
      assert.equal(response.statusCode, 400, response.body);
      const problem = response.json() as Problem;
      assert.deepEqual(problem.errors?.map((e) => e.field), [field], response.body);
      assert.equal(problem.errors?.[0]?.message, problem.detail);
    }
  });

  it('the OpenAPI document declares errors, the names and the lifetimes', async () => {
    const response = await h.gatehouse.portalServer.inject({ method: 'GET', url: '/openapi.json' });
    const schemas = (response.json() as { components: { schemas: Record<string, { properties: Record<string, unknown> }> } }).components.schemas;
    assert.ok(schemas.Problem?.properties.errors, 'Problem.errors');
    assert.deepEqual(Object.keys(schemas.FieldError?.properties ?? {}), ['field', 'message']);
    for (const [schema, field] of [
      ['Subscription', 'apiName'],
      ['Subscription', 'planName'],
      ['Approval', 'requestedBy'],
      ['Approval', 'requestedAt'],
      ['Login', 'applicationName'],
      ['AuditEvent', 'actor'],
      ['AuditEvent', 'user'],
      ['Api', 'sessionLifetime'],
      ['Api', 'refreshTokenIdleLifetime'],
    ] as const) {
      assert.ok(schemas[schema]?.properties[field], `${schema}.${field}`);
    }
  });
});
