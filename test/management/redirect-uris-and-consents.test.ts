import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startManagement } from './management-fixtures.js';

// The management API's side of the authorization code grant: an owner registers redirect URIs
// (RFC 6749 §3.1.2; the rules of redirect-uri-rules.ts) and a user lists and revokes consents.
// Every change has its audit row.

const h = await startManagement();

async function application(token: string): Promise<string> {
  const created = await h.call(token, 'POST', '/api/v1/applications', { name: 'Web app', clientType: 'public' });
  assert.equal(created.statusCode, 201, created.body);
  return (created.json() as { id: string }).id;
}

describe('redirect URIs', () => {
  it('an owner adds, lists and removes them, each change audited; another developer may not', async () => {
    const owner = await h.person();
    const other = await h.person();
    const id = await application(owner.token);
    const path = `/api/v1/applications/${id}/redirect-uris`;
    for (const uri of ['https://app.example/cb', 'http://127.0.0.1:8765/cb', 'http://[::1]/cb', 'http://localhost:3000/cb?x=1']) {
      const added = await h.call(owner.token, 'POST', path, { uri });
      assert.equal(added.statusCode, 201, `${uri}: ${added.body}`);
      assert.ok((added.json() as { redirectUris: string[] }).redirectUris.includes(uri));
    }
    assert.equal((await h.call(other.token, 'POST', path, { uri: 'https://evil.example/cb' })).statusCode, 403);
    assert.equal((await h.call(other.token, 'GET', path)).statusCode, 403);
    const removed = await h.call(owner.token, 'DELETE', `${path}?uri=${encodeURIComponent('http://[::1]/cb')}`);
    assert.equal(removed.statusCode, 204, removed.body);
    assert.equal((await h.call(owner.token, 'DELETE', `${path}?uri=${encodeURIComponent('http://[::1]/cb')}`)).statusCode, 404);
    const listed = (await h.call(owner.token, 'GET', path)).json() as { redirectUris: string[] };
    assert.deepEqual(listed.redirectUris, ['https://app.example/cb', 'http://127.0.0.1:8765/cb', 'http://localhost:3000/cb?x=1']);
    const events = await h.store.audit.list({ applicationId: id });
    const types = events.items.map((e) => e.type);
    assert.equal(types.filter((t) => t === 'application.redirect_uri_added').length, 4);
    assert.equal(types.filter((t) => t === 'application.redirect_uri_removed').length, 1);
    assert.equal(events.items.find((e) => e.type === 'application.redirect_uri_removed')?.actorUserId, owner.user.id);
  });

  const refused: ReadonlyArray<[string, string]> = [
    ['plain http to a public host', 'http://app.example/cb'],
    ['a fragment', 'https://app.example/cb#x'],
    ['userinfo', 'https://user:pw@app.example/cb'],
    ['a wildcard host', 'https://*.example/cb'],
    ['a wildcard path', 'https://app.example/*'],
    ['javascript:', 'javascript:alert(1)'],
    ['data:', 'data:text/html,hi'],
    ['a relative URI', '/cb'],
    ['a custom scheme', 'com.example.app:/cb'],
    ['an IDN in Unicode', 'https://äpp.example/cb'],
    ['a space', 'https://app.example/a b'],
    ['http to a host that only starts like loopback', 'http://127.0.0.1.evil.example/cb'],
  ];
  for (const [name, uri] of refused) {
    it(`refuses ${name}, and writes nothing`, async () => {
      const owner = await h.person();
      const id = await application(owner.token);
      const response = await h.call(owner.token, 'POST', `/api/v1/applications/${id}/redirect-uris`, { uri });
      assert.equal(response.statusCode, 400, response.body);
      assert.deepEqual((response.json() as { errors?: Array<{ field: string }> }).errors?.map((e) => e.field), ['uri'], 'the refusal names the field');
      assert.deepEqual((await h.store.applications.findById(id))?.redirectUris, []);
      assert.equal((await h.store.audit.list({ applicationId: id, type: 'application.redirect_uri_added' })).items.length, 0);
    });
  }

  it('creating or updating an application checks its redirect URIs by the same rules', async () => {
    const owner = await h.person();
    const bad = await h.call(owner.token, 'POST', '/api/v1/applications', { name: 'X', clientType: 'public', redirectUris: ['http://app.example/cb'] });
    assert.equal(bad.statusCode, 400);
    const id = await application(owner.token);
    const patch = await h.call(owner.token, 'PATCH', `/api/v1/applications/${id}`, { redirectUris: ['https://ok.example/cb', 'https://x.example/#f'] });
    assert.equal(patch.statusCode, 400);
    assert.deepEqual((patch.json() as { errors?: Array<{ field: string }> }).errors?.map((e) => e.field), ['redirectUris/1']);
    assert.deepEqual((await h.store.applications.findById(id))?.redirectUris, []);
  });
});

describe('consents', () => {
  it('a user lists and revokes their consent (audited; the logins it allowed end); others may not', async () => {
    const user = await h.person();
    const other = await h.person();
    const owner = await h.person();
    const applicationId = await application(owner.token);
    const subscription = await h.store.subscriptions.create({ applicationId, apiId: 'orders', plan: 'basic', trusted: false, status: 'approved', clientId: `c-${Date.now()}` }, h.now());
    const requestId = crypto.randomUUID();
    await h.store.authorizations.createRequest({
      id: requestId, formTokenHash: 'f'.repeat(64), subscriptionId: subscription.id, apiId: 'orders', authMethod: 'local', redirectUri: 'https://a.example/cb',
      state: null, codeChallenge: 'c'.repeat(43), scope: 'orders:read', browserHash: 'b'.repeat(64), createdAt: h.now(), expiresAt: h.now() + 60_000,
    });
    const consent = { userId: user.user.id, subscriptionId: subscription.id, applicationId, apiId: 'orders', scope: 'orders:read', grantedAt: h.now() };
    const code = { hash: 'a'.repeat(64), subscriptionId: subscription.id, apiId: 'orders', authMethod: 'local', userId: user.user.id, redirectUri: 'https://a.example/cb', codeChallenge: 'c'.repeat(43), scope: 'orders:read', createdAt: h.now(), expiresAt: h.now() + 60_000 };
    assert.ok(await h.store.authorizations.issueCode(requestId, code, { consent, audit: { type: 'consent.granted', at: h.now(), userId: user.user.id } }));
    const family = { id: crypto.randomUUID(), subscriptionId: subscription.id, applicationId, apiId: 'orders', authMethod: 'local', userId: user.user.id, scope: 'orders:read', createdAt: h.now(), expiresAt: h.now() + 3_600_000 };
    await h.store.tokens.createFamily(family, { accessToken: { hash: 'd'.repeat(64), expiresAt: h.now() + 60_000 }, refreshToken: { hash: 'e'.repeat(64), expiresAt: h.now() + 60_000 } });

    const path = `/api/v1/users/${user.user.id}/consents`;
    const listed = await h.call(user.token, 'GET', path);
    assert.equal(listed.statusCode, 200, listed.body);
    const items = (listed.json() as { items: Array<Record<string, unknown>> }).items;
    assert.deepEqual(items.map((c) => [c.subscriptionId, c.scope, c.applicationId, c.apiName]), [[subscription.id, 'orders:read', applicationId, 'Orders']]);
    assert.equal(typeof items[0]?.applicationName, 'string');
    assert.equal((await h.call(other.token, 'GET', path)).statusCode, 403);
    assert.equal((await h.call(other.token, 'DELETE', `${path}/${subscription.id}`)).statusCode, 403);

    assert.equal((await h.call(user.token, 'DELETE', `${path}/${subscription.id}`)).statusCode, 204);
    assert.equal((await h.call(user.token, 'DELETE', `${path}/${subscription.id}`)).statusCode, 404);
    assert.deepEqual((await h.call(user.token, 'GET', path)).json(), { items: [], nextCursor: null });
    assert.notEqual((await h.store.tokens.findFamily(family.id))?.revokedAt, null, 'the login the consent allowed has ended');
    const revoked = (await h.store.audit.list({ userId: user.user.id, type: 'consent.revoked' })).items;
    assert.equal(revoked.length, 1);
    assert.equal(revoked[0]?.actorUserId, user.user.id);
    assert.deepEqual(revoked[0]?.details, { loginsEnded: 1 });
  });

  it('the OpenAPI document lists the new routes', async () => {
    const document = (await h.call(null, 'GET', '/openapi.json')).json() as { paths: Record<string, unknown>; components: { schemas: Record<string, unknown> } };
    for (const path of ['/api/v1/applications/{applicationId}/redirect-uris', '/api/v1/users/{userId}/consents', '/api/v1/users/{userId}/consents/{subscriptionId}']) {
      assert.ok(document.paths[path], path);
    }
    assert.ok(document.components.schemas.Consent);
  });
});
