import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import {
  assertIssuedTo,
  assertTokenRequests,
  startLiveGatehouse,
  tokenPath,
  USER_PASSWORD,
  type ClientAuthentication,
} from '../support/client-fixtures.js';

// Python's OAuth2 clients from Debian's packages (python3-requests-oauthlib, python3-authlib;
// scripts/install-system-deps.sh installs them), run by the system interpreter against a Gatehouse
// listening on a port: password grant, refresh, and the rotated refresh token refused.

const PYTHON = '/usr/bin/python3';
const SCRIPTS = path.resolve('test/clients/python');

interface TokenResponse {
  readonly access_token: string;
  readonly refresh_token: string;
  readonly token_type: string;
  readonly expires_in: number;
}

interface FlowResult {
  readonly first: TokenResponse;
  readonly second: TokenResponse;
  readonly reuse: { readonly error?: string; readonly unexpected_token?: unknown };
  /** HTTP status of each token request, in order. */
  readonly statuses: readonly number[];
}

async function runFlow(script: string, input: Record<string, unknown>): Promise<FlowResult> {
  const child = spawn(PYTHON, [path.join(SCRIPTS, script)], {
    // Both libraries refuse plain http unless told; the Gatehouse under test is on 127.0.0.1.
    env: { ...process.env, OAUTHLIB_INSECURE_TRANSPORT: '1', AUTHLIB_INSECURE_TRANSPORT: '1', PYTHONDONTWRITEBYTECODE: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(JSON.stringify(input));
  const [code] = (await once(child, 'close')) as [number | null];
  assert.equal(code, 0, `${script} failed:\n${stderr}`);
  return JSON.parse(stdout) as FlowResult;
}

before(async () => {
  const probe = await promisify(execFile)(PYTHON, ['-c', 'import requests_oauthlib, authlib; print("ok")']).catch((error: unknown) => ({
    stdout: '',
    stderr: String(error),
  }));
  assert.equal(
    probe.stdout.trim(),
    'ok',
    `${PYTHON} lacks requests-oauthlib or authlib; run scripts/install-system-deps.sh (${probe.stderr.trim()})`,
  );
});

const libraries = [
  { name: 'requests-oauthlib (LegacyApplicationClient + OAuth2Session)', script: 'requests_oauthlib_flow.py' },
  { name: 'authlib (OAuth2Session, grant_type=password)', script: 'authlib_flow.py' },
] as const;

const cases: ReadonlyArray<{ client: 'confidential' | 'public'; auth: ClientAuthentication }> = [
  { client: 'confidential', auth: 'client_secret_basic' },
  { client: 'confidential', auth: 'client_secret_post' },
  { client: 'public', auth: 'none' },
];

for (const library of libraries) {
  // Each case has a Gatehouse of its own (its token log is asserted): they run at once, the file
  // mostly waits for Python (issue 15).
  describe(library.name, { concurrency: true }, () => {
    for (const { client: which, auth } of cases) {
      it(`${which} client, ${auth}: password grant, refresh, old refresh token refused`, async () => {
        const live = await startLiveGatehouse();
        const client = live[which];
        const result = await runFlow(library.script, {
          token_url: `${live.baseUrl}${tokenPath()}`,
          client_id: client.clientId,
          client_secret: client.clientSecret,
          auth,
          username: live.login,
          password: USER_PASSWORD,
        });

        assert.equal(result.first.token_type, 'bearer');
        assert.equal(result.first.expires_in, 900);
        assert.notEqual(result.second.access_token, result.first.access_token);
        assert.notEqual(result.second.refresh_token, result.first.refresh_token);
        assert.deepEqual(result.reuse, { error: 'invalid_grant' });
        // The script ran to the end, so the reuse has already ended the login.
        const family = await assertIssuedTo(live, result.first.access_token, client, { revoked: true });
        assert.equal((await assertIssuedTo(live, result.second.access_token, client, { revoked: true })).id, family.id);
        assert.deepEqual(result.statuses, [200, 200, 400]);
        assertTokenRequests(live, ['password', 'refresh_token', 'refresh_token'], auth);
      });
    }
  });
}
