import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { runCli, startServe } from '../support/cli-process.js';
import { exampleStoreEnv, printedAssignments } from '../support/example-env.js';

// The quick start, end to end, as a person runs it: `gatehouse example` seeds the example config,
// `gatehouse serve` runs it, and the seed documents' curl commands (the real curl binary) get and
// refresh tokens. Only the placeholders are filled in, and the URL points at the test's port.

const run = promisify(execFile);

async function curl(...args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run('curl', ['--silent', '--show-error', ...args]);
  return JSON.parse(stdout) as Record<string, unknown>;
}

function assertTokens(body: Record<string, unknown>): { access_token: string; refresh_token: string } {
  assert.equal(typeof body.access_token, 'string', JSON.stringify(body));
  assert.equal(typeof body.refresh_token, 'string');
  assert.equal(body.token_type, 'bearer');
  assert.equal(body.expires_in, 3600);
  return body as { access_token: string; refresh_token: string };
}

describe('the quick start: gatehouse example + the seed curl flow', () => {
  it('gets and refreshes tokens for the confidential and the public client', async () => {
    const env = exampleStoreEnv('gatehouse-quickstart-');
    const first = await runCli(['example', '--config', 'gatehouse.example.yaml'], { env });
    assert.equal(first.code, 0, first.stderr);
    const second = await runCli(['example', '--config', 'gatehouse.example.yaml'], { env });
    assert.equal(second.code, 0, second.stderr);
    const before = printedAssignments(first.stdout);
    const vars = printedAssignments(second.stdout);
    assert.equal(vars.CLIENT_ID, before.CLIENT_ID, 're-running keeps the client ids');
    assert.equal(vars.PUBLIC_CLIENT_ID, before.PUBLIC_CLIENT_ID);
    assert.notEqual(vars.CLIENT_SECRET, before.CLIENT_SECRET, 're-running resets the secret');
    assert.notEqual(vars.DEMO_PASSWORD, before.DEMO_PASSWORD, 're-running resets the password');
    assert.equal(vars.TOKEN_URL, 'http://127.0.0.1:0/auth/local/api/echo/token');

    const gatehouse = await startServe('gatehouse.example.yaml', env);
    try {
      const url = `${gatehouse.publicUrl}/auth/local/api/echo/token`;
      const { CLIENT_ID: id, CLIENT_SECRET: secret, PUBLIC_CLIENT_ID: publicId, DEMO_USERNAME: user, DEMO_PASSWORD: password } = vars;

      // Confidential client, credentials in the form body.
      const confidential = assertTokens(
        await curl('-X', 'POST', '-d', `grant_type=password&client_id=${id}&client_secret=${secret}&username=${user}&password=${password}`, url),
      );
      // ... refreshed with JSON.
      const refreshed = assertTokens(
        await curl('-X', 'POST', '-H', 'Content-Type: application/json', '-d', JSON.stringify({ grant_type: 'refresh_token', client_id: id, client_secret: secret, refresh_token: confidential.refresh_token }), url),
      );
      assert.notEqual(refreshed.refresh_token, confidential.refresh_token);
      // "the refresh token which was used for this, is no longer valid"
      const reused = await curl('-X', 'POST', '-H', 'Content-Type: application/json', '-d', JSON.stringify({ grant_type: 'refresh_token', client_id: id, client_secret: secret, refresh_token: confidential.refresh_token }), url);
      assert.equal(reused.error, 'invalid_grant');

      // Public client (the seed's "password(password)" typo corrected to "password=").
      const publicTokens = assertTokens(await curl('-X', 'POST', '-d', `grant_type=password&client_id=${publicId}&username=${user}&password=${password}`, url));
      assertTokens(
        await curl('-X', 'POST', '-H', 'Content-Type: application/json', '-d', JSON.stringify({ grant_type: 'refresh_token', client_id: publicId, refresh_token: publicTokens.refresh_token }), url),
      );

      // The second seed: client credentials with -u, i.e. HTTP Basic.
      assertTokens(await curl('-k', '-d', `grant_type=password&username=${user}&password=${password}`, '-u', `${id}:${secret}`, url));

      // The credentials printed by the first run no longer work.
      const stale = await curl('-X', 'POST', '-d', `grant_type=password&client_id=${id}&client_secret=${before.CLIENT_SECRET}&username=${user}&password=${password}`, url);
      assert.equal(stale.error, 'invalid_client');
      const stalePassword = await curl('-d', `grant_type=password&username=${user}&password=${before.DEMO_PASSWORD}`, '-u', `${id}:${secret}`, url);
      assert.equal(stalePassword.error, 'invalid_grant');

      assert.doesNotMatch(gatehouse.output(), new RegExp(`${password}|${secret}`), 'no secret reaches the log');
    } finally {
      assert.equal(await gatehouse.stop(), 0);
    }
  });
});
