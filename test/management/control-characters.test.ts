import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startManagement } from './management-fixtures.js';

// Issue 13 item 6: a NUL (or any control character) in a management API string was stored by
// SQLite and answered 500 by PostgreSQL. Both stores now refuse it with 400 problem+json before
// anything is read or written (this file runs on whichever store the environment selects).

const h = await startManagement();

function assertRefused(response: { statusCode: number; headers: Record<string, unknown>; body: string }, where: RegExp): void {
  assert.equal(response.statusCode, 400, response.body);
  assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
  const problem = JSON.parse(response.body) as { code: string; detail: string };
  assert.equal(problem.code, 'invalid_request');
  assert.match(problem.detail, where);
  assert.match(problem.detail, /control character/);
}

describe('control characters in management API strings', () => {
  it('are refused in bodies, at any depth and in property names, and nothing is stored', async () => {
    const admin = await h.person({ admin: true });
    const before = (await h.store.applications.list({}, { limit: 500 })).items.length;
    for (const name of ['nul\u0000name', 'esc\u001b[31mred', 'bel\u0007', 'cr\rlf\n', 'del\u007f', 'csi\u009b2J']) {
      assertRefused(await h.call(admin.token, 'POST', '/api/v1/applications', { name, clientType: 'public' }), /body\.name/);
    }
    assertRefused(
      await h.call(admin.token, 'POST', '/api/v1/applications', { name: 'ok', clientType: 'public', redirectUris: ['https://a.example/cb', 'https://b.example/\u0000'] }),
      /body\.redirectUris\[1\]/,
    );
    assertRefused(await h.call(admin.token, 'POST', '/api/v1/applications', { name: 'ok', clientType: 'public', 'x\u0000': 1 }), /property name/);
    assertRefused(await h.call(admin.token, 'POST', '/api/v1/users', { email: 'nul\u0000@example.com', password: 'a long password 1' }), /body\.email/);
    assert.equal((await h.store.applications.list({}, { limit: 500 })).items.length, before);
  });

  it('are refused in path parameters and the query', async () => {
    const admin = await h.person({ admin: true });
    assertRefused(await h.call(admin.token, 'GET', '/api/v1/users/abc%00def'), /path\.userId/);
    assertRefused(await h.call(admin.token, 'GET', '/api/v1/subscriptions/%1B%5B2J'), /path\.subscriptionId/);
    assertRefused(await h.call(admin.token, 'GET', '/api/v1/audit-events?type=login%00refused'), /query\.type/);
    assertRefused(await h.call(admin.token, 'GET', '/api/v1/applications?cursor=%00'), /query\.cursor/);
    assertRefused(await h.call(admin.token, 'DELETE', '/api/v1/lockouts/accounts/local/bob%00'), /path\.username/);
  });

  it('leave ordinary text alone: tabs are control characters too, but non-ASCII names are fine', async () => {
    const dev = await h.person();
    const created = await h.call(dev.token, 'POST', '/api/v1/applications', { name: 'Café ✓ 日本 😀', clientType: 'public' });
    assert.equal(created.statusCode, 201, created.body);
    assert.equal((created.json() as { name: string }).name, 'Café ✓ 日本 😀');
  });
});
