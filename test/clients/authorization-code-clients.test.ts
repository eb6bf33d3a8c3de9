import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import * as oauth from 'oauth4webapi';
import { generators, Issuer } from 'openid-client';
import { authorizePath, authorizeWithForms, registerRedirectUri } from '../support/authorization-code-fixtures.js';
import { assertIssuedTo, startLiveGatehouse, tokenPath, USER_PASSWORD, type LiveGatehouse } from '../support/client-fixtures.js';

// Real client libraries completing the authorization code + PKCE flow (RFC 6749 §4.1, RFC 7636)
// against a Gatehouse on a port, each in its documented usage: openid-client v5 (discovery from
// the RFC 8414 metadata URL), oauth4webapi (which checks RFC 9207's iss), Python's authlib. The
// user's part, the sign-in form, is played by plain form posts; one Gatehouse for the file.

const CALLBACK = 'https://app.example/callback';
const METADATA_PATH = '/.well-known/oauth-authorization-server/auth/local/api/orders';

// Started outside any test, so that its clean-up runs when the file ends.
const started = startLiveGatehouse();
let live: LiveGatehouse;

before(async () => {
  live = await started;
  for (const client of [live.confidential, live.public]) await registerRedirectUri(live.harness, client, CALLBACK);
});

const signIn = (url: string) => authorizeWithForms(url, { login: live.login, password: USER_PASSWORD });

describe('openid-client v5 (Issuer.discover, authorizationUrl, oauthCallback)', () => {
  for (const which of ['confidential', 'public'] as const) {
    it(`${which} client: code + PKCE, then refresh`, async () => {
      const issuer = await Issuer.discover(`${live.baseUrl}${METADATA_PATH}`);
      assert.equal(issuer.metadata.authorization_endpoint, `${issuer.metadata.issuer}/authorize`);
      const registered = live[which];
      const client = new issuer.Client({
        client_id: registered.clientId,
        ...(registered.clientSecret === null ? { token_endpoint_auth_method: 'none' } : { client_secret: registered.clientSecret, token_endpoint_auth_method: 'client_secret_basic' }),
        redirect_uris: [CALLBACK],
        response_types: ['code'],
      });
      const codeVerifier = generators.codeVerifier();
      const state = generators.state();
      const url = client.authorizationUrl({ code_challenge: generators.codeChallenge(codeVerifier), code_challenge_method: 'S256', state, scope: 'orders:read' });
      const callback = await signIn(url);
      const tokens = await client.oauthCallback(CALLBACK, client.callbackParams(callback.toString()), { code_verifier: codeVerifier, state });
      assert.equal(tokens.scope, 'orders:read');
      await assertIssuedTo(live, tokens.access_token, registered);
      const refreshed = await client.refresh(tokens.refresh_token as string);
      await assertIssuedTo(live, refreshed.access_token, registered);
    });
  }
});

describe('oauth4webapi (discovery, validateAuthResponse with iss, authorizationCodeGrantRequest)', () => {
  for (const which of ['confidential', 'public'] as const) {
    it(`${which} client: code + PKCE`, async () => {
      const issuerUrl = new URL(`${live.baseUrl}/auth/local/api/orders`);
      const insecure = { [oauth.allowInsecureRequests]: true };
      const as = await oauth.processDiscoveryResponse(issuerUrl, await oauth.discoveryRequest(issuerUrl, { algorithm: 'oauth2', ...insecure }));
      assert.equal(as.authorization_response_iss_parameter_supported, true);
      const registered = live[which];
      const client: oauth.Client = { client_id: registered.clientId };
      const auth = registered.clientSecret === null ? oauth.None() : oauth.ClientSecretPost(registered.clientSecret);
      const codeVerifier = oauth.generateRandomCodeVerifier();
      const state = oauth.generateRandomState();
      const url = new URL(as.authorization_endpoint as string);
      url.search = new URLSearchParams({
        client_id: client.client_id,
        redirect_uri: CALLBACK,
        response_type: 'code',
        code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
        state,
      }).toString();
      const callback = await signIn(url.toString());
      const params = oauth.validateAuthResponse(as, client, callback, state);
      const response = await oauth.authorizationCodeGrantRequest(as, client, auth, params, CALLBACK, codeVerifier, insecure);
      const tokens = await oauth.processAuthorizationCodeResponse(as, client, response);
      assert.equal(tokens.scope, 'orders:read orders:write');
      await assertIssuedTo(live, tokens.access_token, registered);

      // A callback whose iss names another server is refused by the library (RFC 9207 §2.4).
      const forged = new URL(callback);
      forged.searchParams.set('iss', 'https://evil.example');
      assert.throws(() => oauth.validateAuthResponse(as, client, forged, state));
    });
  }
});

describe("Python's authlib (OAuth2Session, create_authorization_url, fetch_token)", () => {
  for (const [which, auth] of [['confidential', 'client_secret_basic'], ['public', 'none']] as const) {
    it(`${which} client, ${auth}: code + PKCE, then refresh`, async () => {
      const registered = live[which];
      const child = spawn('/usr/bin/python3', [path.resolve('test/clients/python/authlib_code_flow.py')], {
        env: { ...process.env, AUTHLIB_INSECURE_TRANSPORT: '1', PYTHONDONTWRITEBYTECODE: '1' },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.stdin.end(
        JSON.stringify({
          authorize_url: `${live.baseUrl}${authorizePath()}`,
          token_url: `${live.baseUrl}${tokenPath()}`,
          redirect_uri: CALLBACK,
          client_id: registered.clientId,
          client_secret: registered.clientSecret,
          auth,
          username: live.login,
          password: USER_PASSWORD,
        }),
      );
      const [code] = (await once(child, 'close')) as [number | null];
      assert.equal(code, 0, `authlib_code_flow.py failed:\n${stderr}`);
      const result = JSON.parse(stdout) as { token: { access_token: string; scope: string }; refreshed: { access_token: string } };
      assert.equal(result.token.scope, 'orders:read');
      await assertIssuedTo(live, result.token.access_token, registered);
      await assertIssuedTo(live, result.refreshed.access_token, registered);
    });
  }
});
