import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PORTAL_CLIENT_ID } from '../../src/domain/portal-sign-in.js';
import { runCli } from '../support/cli-process.js';
import { startTestGatehouse, testConfig } from '../support/gatehouse-instance.js';
import { fastHasher } from '../support/oauth-fixtures.js';
import { managementRawConfig, SIGN_IN_URL } from './management-fixtures.js';

// Issue 13 item 15: a name holding terminal escapes (stored before the API refused them, or from
// an external auth method's profile) must not reach an admin's terminal through the real CLI's
// tables and records; --json prints the API's strings exactly.

const passwords = fastHasher();
const gatehouse = await startTestGatehouse(testConfig(managementRawConfig()), { passwords });
const { portal } = await gatehouse.listen();
const { store } = gatehouse.services;

// ESC [2J clears the screen; OSC 0 retitles the window; BEL rings; CR rewrites the line; CSI (C1);
// U+202E reverses what follows.
const HOSTILE = 'Shop\u001b[2J\u001b]0;pwned\u0007\rFAKE\u009b31m\u202Eevil';
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

async function adminToken(): Promise<string> {
  const password = 'correct horse battery';
  await store.users.create({ authMethod: 'local', email: 'root@example.com', passwordHash: await passwords.hash(password), admin: true, name: HOSTILE }, Date.now());
  const response = await gatehouse.portalServer.inject({
    method: 'POST',
    url: SIGN_IN_URL,
    payload: { grant_type: 'password', client_id: PORTAL_CLIENT_ID, username: 'root@example.com', password },
  });
  assert.equal(response.statusCode, 200, response.body);
  return (response.json() as { access_token: string }).access_token;
}

describe('CLI output and control characters', () => {
  it('tables and records show escapes visibly; --json stays exact', async () => {
    const token = await adminToken();
    const admin = (await store.users.findLocalByLogin('root@example.com'))!;
    const application = await store.applications.create({ name: HOSTILE, clientType: 'public', ownerIds: [admin.id] }, Date.now());
    const env = { GATEHOUSE_URL: portal, GATEHOUSE_TOKEN: token, XDG_CONFIG_HOME: '/nonexistent' };

    for (const args of [['applications', 'list'], ['applications', 'get', application.id], ['users', 'me']]) {
      const human = await runCli(args, { env });
      assert.equal(human.code, 0, `${args.join(' ')}: ${human.stderr}`);
      assert.doesNotMatch(human.stdout, RAW_CONTROL, `${args.join(' ')} prints no raw control character`);
      assert.ok(human.stdout.includes('Shop\\x1b[2J\\x1b]0;pwned\\x07\\rFAKE\\x9b31m\\u202eevil'), `${args.join(' ')}: ${human.stdout}`);
    }
    const json = await runCli(['applications', 'get', application.id, '--json'], { env });
    assert.equal(json.code, 0, json.stderr);
    assert.equal((JSON.parse(json.stdout) as { name: string }).name, HOSTILE);
  });
});
