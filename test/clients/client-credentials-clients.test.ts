import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ClientCredentials } from 'simple-oauth2';
import { loadConfig } from '../../src/config/load-config.js';
import { openStore } from '../../src/store/open-store.js';
import { startUpstream } from '../gateway/gateway-harness.js';
import { runCli, startServe } from '../support/cli-process.js';
import { scratchDir } from '../support/config-files.js';
import { exampleStoreEnv, printedAssignments } from '../support/example-env.js';

// Client credentials (RFC 6749 §4.4) as a machine client really gets them: the built
// `gatehouse serve` on the example config (its upstream pointed at a recording server),
// `gatehouse example`'s confidential client, simple-oauth2's ClientCredentials and the real curl
// binary; then a gateway call with the token, the upstream's headers, the metric and, once the
// server has stopped, the audit rows in its store.

const run = promisify(execFile);

async function curl(...args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run('curl', ['--silent', '--show-error', ...args]);
  return JSON.parse(stdout) as Record<string, unknown>;
}

/** simple-oauth2 surfaces error answers as Boom errors carrying the parsed body. */
function simpleOAuth2Error(error: unknown): { status: number; error: unknown } {
  const boom = error as { output?: { statusCode?: number }; data?: { payload?: { error?: unknown } } };
  return { status: boom.output?.statusCode ?? -1, error: boom.data?.payload?.error };
}

describe('client credentials against a running gatehouse serve', () => {
  it('simple-oauth2 and curl get tokens without a user; the gateway forwards the consumer, not a user', async () => {
    const upstream = await startUpstream();
    const configPath = path.join(scratchDir('gatehouse-cc-'), 'gatehouse.yaml');
    const example = readFileSync('gatehouse.example.yaml', 'utf8');
    assert.match(example, /upstreamUrl: http:\/\/127\.0\.0\.1:9090/);
    writeFileSync(configPath, example.replace('upstreamUrl: http://127.0.0.1:9090', `upstreamUrl: ${upstream.url}`));
    const env = exampleStoreEnv('gatehouse-cc-data-');
    const seeded = await runCli(['example', '--config', configPath], { env });
    assert.equal(seeded.code, 0, seeded.stderr);
    const { CLIENT_ID: id, CLIENT_SECRET: secret, PUBLIC_CLIENT_ID: publicId } = printedAssignments(seeded.stdout);
    assert.ok(id && secret && publicId);

    const gatehouse = await startServe(configPath, env);
    let stopped = false;
    try {
      const tokenPath = '/auth/local/api/echo/token';
      const url = `${gatehouse.publicUrl}${tokenPath}`;

      // simple-oauth2, HTTP Basic (its default) and then the secret in the body, with a scope.
      const basic = new ClientCredentials({ client: { id, secret }, auth: { tokenHost: gatehouse.publicUrl, tokenPath } });
      const viaBasic = await basic.getToken({});
      assert.equal(viaBasic.token.token_type, 'bearer');
      assert.equal(viaBasic.token.expires_in, 3600);
      assert.equal(viaBasic.token.scope, 'echo:read echo:write');
      assert.equal(viaBasic.token.refresh_token, undefined, 'RFC 6749 §4.4.3: no refresh token');
      const inBody = new ClientCredentials({ client: { id, secret }, auth: { tokenHost: gatehouse.publicUrl, tokenPath }, options: { authorizationMethod: 'body' } });
      const viaBody = await inBody.getToken({ scope: 'echo:read' });
      assert.equal(viaBody.token.scope, 'echo:read');
      const badScope = await inBody.getToken({ scope: ['echo:read', 'echo:admin'] }).then(
        () => assert.fail('an unknown scope got a token'),
        (error: unknown) => simpleOAuth2Error(error),
      );
      assert.deepEqual(badScope, { status: 400, error: 'invalid_scope' });

      // curl -u, the way the seed document calls the token endpoint.
      const viaCurl = await curl('-d', 'grant_type=client_credentials&scope=echo:write', '-u', `${id}:${secret}`, url);
      assert.equal(typeof viaCurl.access_token, 'string', JSON.stringify(viaCurl));
      assert.equal(viaCurl.scope, 'echo:write');
      assert.equal('refresh_token' in viaCurl, false);
      const publicRefused = await curl('-d', `grant_type=client_credentials&client_id=${publicId}`, url);
      assert.equal(publicRefused.error, 'unauthorized_client');

      // The gateway, with the token curl got and a forged user header.
      const before = upstream.received.length;
      const { stdout: answer } = await run('curl', [
        '--silent', '--show-error', '--write-out', '%{http_code}', '--output', '/dev/null',
        '-H', `Authorization: Bearer ${viaCurl.access_token as string}`, '-H', 'X-Authenticated-Userid: mallory',
        `${gatehouse.publicUrl}/echo/hello`,
      ]);
      assert.equal(answer, '201');
      assert.equal(upstream.received.length, before + 1);
      const headers = upstream.received.at(-1)?.headers ?? {};
      assert.equal(upstream.received.at(-1)?.url, '/hello');
      assert.equal('x-authenticated-userid' in headers, false, 'no user, and not the forged one');
      assert.equal(headers['x-authenticated-scope'], 'echo:write');
      assert.equal(headers['x-credential-identifier'], id);
      assert.equal(typeof headers['x-consumer-id'], 'string');

      const metrics = await (await fetch(`${gatehouse.portalUrl}/metrics`)).text();
      assert.match(metrics, /gatehouse_token_requests_total\{grant_type="client_credentials",auth_method="local",api="echo",outcome="granted"\} 3/);
      assert.match(metrics, /gatehouse_token_requests_total\{grant_type="client_credentials",auth_method="local",api="echo",outcome="invalid_scope"\} 1/);
      assert.doesNotMatch(gatehouse.output(), new RegExp(secret), 'the secret never reaches the log');
      assert.equal(await gatehouse.stop(), 0);
      stopped = true;

      const store = await openStore(loadConfig({ path: configPath, env }));
      try {
        const granted = await store.audit.list({ type: 'client_credentials.granted' });
        assert.equal(granted.items.length, 3);
        assert.ok(granted.items.every((event) => event.userId === null && event.details.clientId === id && event.familyId !== null));
        const refused = await store.audit.list({ type: 'client_credentials.refused' });
        assert.deepEqual(refused.items.map((event) => [event.details.clientId, event.details.reason]), [[publicId, 'public_client']]);
      } finally {
        await store.close();
      }
    } finally {
      if (!stopped) await gatehouse.stop();
    }
  });
});
