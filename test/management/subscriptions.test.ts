import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hashTokenValue } from '../../src/domain/token-values.js';
import { startManagement, type ManagementHarness, type Person, TRUSTED_BASIC } from './management-fixtures.js';

// Trusted subscriptions, approval and client secrets through the management API.

interface Issued {
  readonly subscription: { id: string; status: string; trusted: boolean; plan: string; hasClientSecret: boolean };
  readonly clientId: string;
  readonly clientSecret: string | null;
}

async function application(h: ManagementHarness, owner: Person, clientType = 'confidential'): Promise<string> {
  const response = await h.call(owner.token, 'POST', '/api/v1/applications', { name: 'Shop', clientType });
  assert.equal(response.statusCode, 201);
  return (response.json() as { id: string }).id;
}

async function subscribe(h: ManagementHarness, owner: Person, body: Record<string, unknown>): Promise<Issued> {
  const response = await h.call(owner.token, 'POST', '/api/v1/subscriptions', body);
  assert.equal(response.statusCode, 201, response.body);
  return response.json() as Issued;
}

function grant(h: ManagementHarness, issued: Pick<Issued, 'clientId' | 'clientSecret'>, person: Person) {
  return h.gatehouse.publicServer.inject({
    method: 'POST',
    url: '/auth/local/api/orders/token',
    payload: { grant_type: 'password', client_id: issued.clientId, client_secret: issued.clientSecret ?? undefined, username: person.login, password: person.password },
  });
}

// One instance per file (each test makes its own users and applications): fewer PostgreSQL schemas.
const h = await startManagement();

describe('subscriptions', () => {
  it('a trusted subscription waits for approval whatever the plan; a non-trusted one only when its plan says so', async () => {
    const dev = await h.person();
    const cases = [
      { trusted: true, plan: 'basic', status: 'pending' },
      { trusted: false, plan: 'basic', status: 'approved' },
      { trusted: false, plan: 'gold', status: 'pending' },
    ];
    for (const expected of cases) {
      const applicationId = await application(h, dev);
      const issued = await subscribe(h, dev, { applicationId, apiId: 'orders', plan: expected.plan, trusted: expected.trusted });
      assert.equal(issued.subscription.status, expected.status, JSON.stringify(expected));
    }
  });

  it('the client secret is shown once, only its SHA-256 is stored, and it works from approval on', async () => {
    const dev = await h.person();
    const approver = await h.person({ approverOf: ['partners'] });
    const issued = await subscribe(h, dev, { applicationId: await application(h, dev), apiId: 'orders', trusted: true });
    assert.ok(issued.clientSecret);
    const stored = await h.store.subscriptions.findById(issued.subscription.id);
    assert.equal(stored?.clientSecretHash, hashTokenValue(issued.clientSecret));
    const read = await h.call(dev.token, 'GET', `/api/v1/subscriptions/${issued.subscription.id}`);
    assert.equal(read.statusCode, 200);
    assert.ok(!read.body.includes(issued.clientSecret));
    assert.ok(!read.body.includes(hashTokenValue(issued.clientSecret)));
    assert.equal((read.json() as Issued['subscription']).hasClientSecret, true);

    const early = await grant(h, issued, dev);
    assert.equal(early.statusCode, 400);
    assert.equal((early.json() as { error: string }).error, 'unauthorized_client');
    assert.equal((await h.call(approver.token, 'POST', `/api/v1/subscriptions/${issued.subscription.id}/approve`, TRUSTED_BASIC)).statusCode, 200);
    assert.equal((await grant(h, issued, dev)).statusCode, 200);

    const audit = await h.store.audit.list({}, { limit: 500 });
    const text = JSON.stringify(audit.items);
    assert.ok(!text.includes(issued.clientSecret));
    assert.ok(!text.includes(hashTokenValue(issued.clientSecret)));
    assert.ok(audit.items.some((event) => event.type === 'subscription.approved' && event.actorUserId === approver.user.id));
  });

  it('a new secret replaces the old one at once and is shown once; a public client has none', async () => {
    const dev = await h.person();
    const admin = await h.person({ admin: true });
    const issued = await subscribe(h, dev, { applicationId: await application(h, dev), apiId: 'orders', trusted: true });
    await h.call(admin.token, 'POST', `/api/v1/subscriptions/${issued.subscription.id}/approve`, TRUSTED_BASIC);
    const renewed = (await h.call(dev.token, 'POST', `/api/v1/subscriptions/${issued.subscription.id}/secret`)).json() as Issued;
    assert.equal(renewed.clientId, issued.clientId);
    assert.ok(renewed.clientSecret && renewed.clientSecret !== issued.clientSecret);
    assert.equal((await grant(h, issued, dev)).statusCode, 401);
    assert.equal((await grant(h, renewed, dev)).statusCode, 200);

    const pub = await subscribe(h, dev, { applicationId: await application(h, dev, 'public'), apiId: 'orders' });
    assert.equal(pub.clientSecret, null);
    const refused = await h.call(dev.token, 'POST', `/api/v1/subscriptions/${pub.subscription.id}/secret`);
    assert.equal(refused.statusCode, 409);
  });

  it('an owner cannot make a subscription trusted or approved on their own', async () => {
    const dev = await h.person();
    const issued = await subscribe(h, dev, { applicationId: await application(h, dev), apiId: 'orders', plan: 'basic' });
    assert.equal(issued.subscription.status, 'approved');
    const trusted = await h.call(dev.token, 'PATCH', `/api/v1/subscriptions/${issued.subscription.id}`, { trusted: true });
    assert.equal(trusted.statusCode, 200);
    assert.deepEqual((({ trusted: t, status }) => ({ t, status }))(trusted.json() as Issued['subscription']), { t: true, status: 'pending' });
    assert.equal((await h.call(dev.token, 'POST', `/api/v1/subscriptions/${issued.subscription.id}/approve`, TRUSTED_BASIC)).statusCode, 403);
    // A status in the body is not a field of the patch: it is dropped, never applied.
    await h.call(dev.token, 'PATCH', `/api/v1/subscriptions/${issued.subscription.id}`, { plan: 'basic', status: 'approved' });
    assert.equal((await h.store.subscriptions.findById(issued.subscription.id))?.status, 'pending');
    assert.equal((await grant(h, issued, dev)).statusCode, 400);
  });

  it("an approver's right is checked again when deciding, and covers only their groups' APIs", async () => {
    const dev = await h.person();
    const admin = await h.person({ admin: true });
    const approver = await h.person({ approverOf: ['partners'] });
    const orders = await subscribe(h, dev, { applicationId: await application(h, dev), apiId: 'orders', trusted: true });
    const billing = await subscribe(h, dev, { applicationId: await application(h, dev), apiId: 'billing', trusted: true });
    const queue = (await h.call(approver.token, 'GET', '/api/v1/approvals?limit=500')).json() as { items: { id: string; apiId: string }[] };
    assert.ok(queue.items.some((s) => s.id === orders.subscription.id));
    assert.deepEqual([...new Set(queue.items.map((s) => s.apiId))], ['orders']);
    const adminQueue = (await h.call(admin.token, 'GET', '/api/v1/approvals?limit=500')).json() as { items: { id: string }[] };
    const adminIds = adminQueue.items.map((s) => s.id);
    assert.ok(adminIds.includes(orders.subscription.id) && adminIds.includes(billing.subscription.id));
    assert.equal((await h.call(approver.token, 'POST', `/api/v1/subscriptions/${billing.subscription.id}/approve`, TRUSTED_BASIC)).statusCode, 403);

    assert.equal((await h.call(admin.token, 'PATCH', `/api/v1/users/${approver.user.id}`, { approverOf: [] })).statusCode, 200);
    assert.equal((await h.call(approver.token, 'POST', `/api/v1/subscriptions/${orders.subscription.id}/approve`, TRUSTED_BASIC)).statusCode, 403);
    assert.equal((await h.store.subscriptions.findById(orders.subscription.id))?.status, 'pending');
  });

  it('an approver does not approve the subscription of an application they own; an admin may', async () => {
    const approverDeveloper = await h.person({ approverOf: ['partners'] });
    const admin = await h.person({ admin: true });
    const issued = await subscribe(h, approverDeveloper, { applicationId: await application(h, approverDeveloper), apiId: 'orders', trusted: true });
    const own = await h.call(approverDeveloper.token, 'POST', `/api/v1/subscriptions/${issued.subscription.id}/approve`, TRUSTED_BASIC);
    assert.equal(own.statusCode, 403);
    assert.match((own.json() as { detail: string }).detail, /own applications/);
    assert.equal((await h.call(admin.token, 'POST', `/api/v1/subscriptions/${issued.subscription.id}/approve`, TRUSTED_BASIC)).statusCode, 200);
  });

  it('lists are paginated with limit and cursor', async () => {
    const dev = await h.person();
    for (let i = 0; i < 3; i += 1) await application(h, dev);
    const first = (await h.call(dev.token, 'GET', '/api/v1/applications?limit=2')).json() as { items: { id: string }[]; nextCursor: string };
    assert.equal(first.items.length, 2);
    assert.ok(first.nextCursor);
    const second = (await h.call(dev.token, 'GET', `/api/v1/applications?limit=2&cursor=${first.nextCursor}`)).json() as typeof first;
    assert.equal(second.items.length, 1);
    assert.equal(second.nextCursor, null);
    assert.equal((await h.call(dev.token, 'GET', '/api/v1/applications?cursor=garbage')).statusCode, 400);
    assert.equal((await h.call(dev.token, 'GET', '/api/v1/applications?limit=0')).statusCode, 400);
  });
});
