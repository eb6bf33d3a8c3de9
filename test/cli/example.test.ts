import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load-config.js';
import { openStore } from '../../src/store/open-store.js';
import { runCli, startServe } from '../support/cli-process.js';
import { exampleStoreEnv, printedAssignments } from '../support/example-env.js';

// Issue 15: re-seeding the example wrote the new password straight into the store and left the
// demo user's logins alive. It now goes through the management API's use cases: a new password
// ends the logins, as an admin's reset does; client ids stay and secrets change, and it says so.

async function seed(env: NodeJS.ProcessEnv): Promise<{ stdout: string; vars: Record<string, string> }> {
  const result = await runCli(['example', '--config', 'gatehouse.example.yaml'], { env });
  assert.equal(result.code, 0, result.stderr);
  return { stdout: result.stdout, vars: printedAssignments(result.stdout) };
}

async function token(publicUrl: string, parameters: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${publicUrl}/auth/local/api/echo/token`, { method: 'POST', body: new URLSearchParams(parameters) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('gatehouse example, run again', () => {
  it("ends the demo user's logins, keeps the client ids, changes the secret, and says so", async () => {
    const env = exampleStoreEnv('gatehouse-example-');
    const first = await seed(env);
    const a = first.vars;

    // A login made with the first credentials: one of the confidential client, one of the public.
    let server = await startServe('gatehouse.example.yaml', env);
    const login = { grant_type: 'password', username: a.DEMO_USERNAME as string, password: a.DEMO_PASSWORD as string };
    const confidential = await token(server.publicUrl, { ...login, client_id: a.CLIENT_ID as string, client_secret: a.CLIENT_SECRET as string });
    assert.equal(confidential.status, 200, JSON.stringify(confidential.body));
    const publicLogin = await token(server.publicUrl, { ...login, client_id: a.PUBLIC_CLIENT_ID as string });
    assert.equal(publicLogin.status, 200, JSON.stringify(publicLogin.body));
    assert.equal(await server.stop(), 0); // the embedded store serves one process at a time

    const second = await seed(env);
    const b = second.vars;
    assert.equal(b.CLIENT_ID, a.CLIENT_ID);
    assert.equal(b.PUBLIC_CLIENT_ID, a.PUBLIC_CLIENT_ID);
    assert.notEqual(b.CLIENT_SECRET, a.CLIENT_SECRET);
    assert.notEqual(b.DEMO_PASSWORD, a.DEMO_PASSWORD);

    server = await startServe('gatehouse.example.yaml', env);
    try {
      const confidentialClient = { client_id: b.CLIENT_ID as string, client_secret: b.CLIENT_SECRET as string };
      for (const [tokens, client] of [[confidential, confidentialClient], [publicLogin, { client_id: b.PUBLIC_CLIENT_ID as string }]] as const) {
        const refreshed = await token(server.publicUrl, { grant_type: 'refresh_token', refresh_token: tokens.body.refresh_token as string, ...client });
        assert.equal(refreshed.status, 400, 'the login made before the re-seed has ended');
        assert.equal(refreshed.body.error, 'invalid_grant');
        const gateway = await fetch(`${server.publicUrl}/echo/hello`, { headers: { authorization: `Bearer ${tokens.body.access_token as string}` } });
        assert.equal(gateway.status, 401, 'its access token no longer opens the gateway');
      }
      const oldSecret = await token(server.publicUrl, { ...login, client_id: b.CLIENT_ID as string, client_secret: a.CLIENT_SECRET as string });
      assert.equal(oldSecret.body.error, 'invalid_client');
      const fresh = await token(server.publicUrl, { ...login, password: b.DEMO_PASSWORD as string, ...confidentialClient });
      assert.equal(fresh.status, 200, JSON.stringify(fresh.body));
    } finally {
      assert.equal(await server.stop(), 0);
    }

    // What it printed says so.
    assert.match(second.stdout, /keeps the user and the client ids, sets a new\n# password and a new client secret, and ends the demo user's logins/);

    // The audit log tells it as the management API would: a password reset and a new secret.
    const store = await openStore(loadConfig({ path: 'gatehouse.example.yaml', env: { ...process.env, ...env } }));
    try {
      const resets = await store.audit.list({ type: 'user.password_changed' });
      assert.equal(resets.items.length, 1);
      assert.deepEqual(resets.items[0]?.details, { reset: true });
      assert.equal((await store.audit.list({ type: 'subscription.secret_regenerated' })).items.length, 1);
      assert.equal((await store.audit.list({ type: 'subscription.approved' })).items.length, 2, 'each subscription approved once, on the first run');
    } finally {
      await store.close();
    }
  });
});
