import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startManagement, type ManagementHarness, type Person } from './management-fixtures.js';

// Issue 13 items 2 and 5, through the management API on whichever store the environment selects:
// a decision carries what it decides on; changing an application's client type withdraws the
// approvals given to the old type and ends its logins.

interface Issued {
  readonly subscription: { id: string; status: string; trusted: boolean; plan: string };
  readonly clientId: string;
  readonly clientSecret: string | null;
}

const h = await startManagement();

async function trustedSubscription(owner: Person, clientType: 'confidential' | 'public', plan = 'basic'): Promise<Issued & { applicationId: string }> {
  const created = await h.call(owner.token, 'POST', '/api/v1/applications', { name: 'Shop', clientType });
  assert.equal(created.statusCode, 201, created.body);
  const applicationId = (created.json() as { id: string }).id;
  const subscribed = await h.call(owner.token, 'POST', '/api/v1/subscriptions', { applicationId, apiId: 'orders', trusted: true, plan });
  assert.equal(subscribed.statusCode, 201, subscribed.body);
  return { ...(subscribed.json() as Issued), applicationId };
}

function passwordGrant(harness: ManagementHarness, client: { clientId: string; clientSecret?: string | null }, user: Person) {
  return harness.gatehouse.publicServer.inject({
    method: 'POST',
    url: '/auth/local/api/orders/token',
    payload: { grant_type: 'password', client_id: client.clientId, ...(client.clientSecret ? { client_secret: client.clientSecret } : {}), username: user.login, password: user.password },
  });
}

describe('a decision carries what it decides on (item 5)', () => {
  it('an approval of "not trusted" is refused once the owner made the subscription trusted, and nothing changes', async () => {
    const owner = await h.person();
    const approver = await h.person({ approverOf: ['partners'] });
    const created = await h.call(owner.token, 'POST', '/api/v1/applications', { name: 'Shop', clientType: 'confidential' });
    const applicationId = (created.json() as { id: string }).id;
    // A plan that needs approval: the subscription waits, not trusted.
    const issued = (await h.call(owner.token, 'POST', '/api/v1/subscriptions', { applicationId, apiId: 'orders', plan: 'gold' })).json() as Issued;
    assert.equal(issued.subscription.status, 'pending');
    const queue = (await h.call(approver.token, 'GET', '/api/v1/approvals?limit=500')).json() as { items: { id: string; trusted: boolean; plan: string; clientType: string }[] };
    const seen = queue.items.find((item) => item.id === issued.subscription.id);
    assert.deepEqual({ trusted: seen?.trusted, plan: seen?.plan, clientType: seen?.clientType }, { trusted: false, plan: 'gold', clientType: 'confidential' });

    // Meanwhile the owner asks for trust; it stays in the queue.
    assert.equal((await h.call(owner.token, 'PATCH', `/api/v1/subscriptions/${issued.subscription.id}`, { trusted: true })).statusCode, 200);
    const before = await h.store.subscriptions.findById(issued.subscription.id);
    const stale = await h.call(approver.token, 'POST', `/api/v1/subscriptions/${issued.subscription.id}/approve`, { trusted: false, plan: 'gold', clientType: 'confidential' });
    assert.equal(stale.statusCode, 409, stale.body);
    assert.match(String(stale.headers['content-type']), /^application\/problem\+json/);
    assert.match((stale.json() as { detail: string }).detail, /changed since you read it.*now trusted/);
    assert.deepEqual(await h.store.subscriptions.findById(issued.subscription.id), before, 'nothing changed');
    const staleDecline = await h.call(approver.token, 'POST', `/api/v1/subscriptions/${issued.subscription.id}/decline`, { trusted: false, plan: 'gold' });
    assert.equal(staleDecline.statusCode, 409);
    assert.deepEqual(await h.store.subscriptions.findById(issued.subscription.id), before, 'nothing changed');
    const wrongPlan = await h.call(approver.token, 'POST', `/api/v1/subscriptions/${issued.subscription.id}/approve`, { trusted: true, plan: 'basic' });
    assert.equal(wrongPlan.statusCode, 409);

    // Read again, decided on what it is: approved.
    const approved = await h.call(approver.token, 'POST', `/api/v1/subscriptions/${issued.subscription.id}/approve`, { trusted: true, plan: 'gold', clientType: 'confidential' });
    assert.equal(approved.statusCode, 200, approved.body);
    assert.equal((approved.json() as { status: string }).status, 'approved');
  });

  it('a decision without what it decides on is refused (400), and so is one on a client type the application no longer has (409)', async () => {
    const owner = await h.person();
    const admin = await h.person({ admin: true });
    const issued = await trustedSubscription(owner, 'confidential');
    const bare = await h.call(admin.token, 'POST', `/api/v1/subscriptions/${issued.subscription.id}/approve`);
    assert.equal(bare.statusCode, 400);
    assert.equal((bare.json() as { code: string }).code, 'validation_failed');
    assert.equal((await h.call(owner.token, 'PATCH', `/api/v1/applications/${issued.applicationId}`, { clientType: 'public' })).statusCode, 200);
    const stale = await h.call(admin.token, 'POST', `/api/v1/subscriptions/${issued.subscription.id}/approve`, { trusted: true, plan: 'basic', clientType: 'confidential' });
    assert.equal(stale.statusCode, 409, stale.body);
    assert.equal((await h.store.subscriptions.findById(issued.subscription.id))?.status, 'pending');
  });

  it('the store applies a decision only to the version it was read from (compare-and-set)', async () => {
    const owner = await h.person();
    const issued = await trustedSubscription(owner, 'confidential');
    const read = (await h.store.subscriptions.findById(issued.subscription.id))!;
    assert.ok(await h.store.subscriptions.update(read.id, { trusted: false }, h.now()));
    // Same millisecond (the harness clock stands still): the version still differs.
    assert.equal(await h.store.subscriptions.update(read.id, { status: 'approved' }, h.now(), read), null);
    assert.equal((await h.store.subscriptions.findById(read.id))?.status, 'pending');
    const fresh = (await h.store.subscriptions.findById(read.id))!;
    assert.equal((await h.store.subscriptions.update(read.id, { status: 'approved' }, h.now(), fresh))?.status, 'approved');
  });
});

describe('changing the client type withdraws approvals (item 2)', () => {
  it('confidential → public: the approved trusted subscription goes back to the queue, its secret and logins end; audited', async () => {
    const owner = await h.person();
    const admin = await h.person({ admin: true });
    const user = await h.person();
    const issued = await trustedSubscription(owner, 'confidential');
    assert.equal((await h.call(admin.token, 'POST', `/api/v1/subscriptions/${issued.subscription.id}/approve`, { trusted: true, plan: 'basic' })).statusCode, 200);
    const login = await passwordGrant(h, issued, user);
    assert.equal(login.statusCode, 200, login.body);
    const { refresh_token: refreshToken } = login.json() as { refresh_token: string };

    const changed = await h.call(owner.token, 'PATCH', `/api/v1/applications/${issued.applicationId}`, { clientType: 'public' });
    assert.equal(changed.statusCode, 200, changed.body);

    // The client_id alone no longer gets tokens: the approval was for a client that proves a secret.
    const byIdAlone = await passwordGrant(h, { clientId: issued.clientId }, user);
    assert.equal(byIdAlone.statusCode, 400, byIdAlone.body);
    assert.equal((byIdAlone.json() as { error: string }).error, 'unauthorized_client');
    const subscription = await h.store.subscriptions.findById(issued.subscription.id);
    assert.equal(subscription?.status, 'pending');
    assert.equal(subscription?.clientSecretHash, null);
    assert.equal(subscription?.decidedBy, null);
    // The login made before the change has ended.
    const refreshed = await h.gatehouse.publicServer.inject({
      method: 'POST',
      url: '/auth/local/api/orders/token',
      payload: { grant_type: 'refresh_token', client_id: issued.clientId, refresh_token: refreshToken },
    });
    assert.equal(refreshed.statusCode, 400);
    const families = await h.store.tokens.listActiveFamilies({ applicationId: issued.applicationId }, h.now());
    assert.equal(families.items.length, 0);

    const queue = (await h.call(admin.token, 'GET', '/api/v1/approvals?limit=500')).json() as { items: { id: string; clientType: string }[] };
    assert.equal(queue.items.find((item) => item.id === issued.subscription.id)?.clientType, 'public');
    const audit = await h.store.audit.list({ applicationId: issued.applicationId }, { limit: 100 });
    const updated = audit.items.find((event) => event.type === 'application.updated');
    assert.deepEqual(updated?.details.clientType, { from: 'confidential', to: 'public' });
    assert.deepEqual(updated?.details.subscriptionsBackToQueue, [issued.subscription.id]);
    assert.ok(audit.items.some((event) => event.type === 'subscription.updated' && event.details.reason === 'client_type_changed' && event.details.status === 'pending'));

    // Approved again, knowingly, as a public client: now its client_id alone works.
    assert.equal((await h.call(admin.token, 'POST', `/api/v1/subscriptions/${issued.subscription.id}/approve`, { trusted: true, plan: 'basic', clientType: 'public' })).statusCode, 200);
    assert.equal((await passwordGrant(h, { clientId: issued.clientId }, user)).statusCode, 200);
  });

  it('public → confidential: back to the queue too, and the client needs a new secret from its owner', async () => {
    const owner = await h.person();
    const admin = await h.person({ admin: true });
    const issued = await trustedSubscription(owner, 'public');
    assert.equal((await h.call(admin.token, 'POST', `/api/v1/subscriptions/${issued.subscription.id}/approve`, { trusted: true, plan: 'basic' })).statusCode, 200);
    assert.equal((await h.call(owner.token, 'PATCH', `/api/v1/applications/${issued.applicationId}`, { clientType: 'confidential' })).statusCode, 200);
    assert.equal((await h.store.subscriptions.findById(issued.subscription.id))?.status, 'pending');
    const secret = await h.call(owner.token, 'POST', `/api/v1/subscriptions/${issued.subscription.id}/secret`);
    assert.equal(secret.statusCode, 200, secret.body);
    assert.ok((secret.json() as { clientSecret: string | null }).clientSecret);
  });

  it('a change that keeps the type, or touches only the name, leaves approvals alone', async () => {
    const owner = await h.person();
    const admin = await h.person({ admin: true });
    const issued = await trustedSubscription(owner, 'confidential');
    assert.equal((await h.call(admin.token, 'POST', `/api/v1/subscriptions/${issued.subscription.id}/approve`, { trusted: true, plan: 'basic' })).statusCode, 200);
    assert.equal((await h.call(owner.token, 'PATCH', `/api/v1/applications/${issued.applicationId}`, { clientType: 'confidential', name: 'Renamed' })).statusCode, 200);
    const subscription = await h.store.subscriptions.findById(issued.subscription.id);
    assert.equal(subscription?.status, 'approved');
    assert.notEqual(subscription?.clientSecretHash, null);
  });
});
