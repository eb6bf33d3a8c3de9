import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { MAX_PASSWORD_LENGTH } from '../../src/domain/password-policy.js';
import { WIRE_ERRORS } from '../../src/http/oauth/wire-errors.js';
import { BODY_LIMIT } from '../../src/http/create-server.js';
import {
  basicAuthorization,
  clientParameters,
  createClient,
  createUser,
  oauthRawConfig,
  postForm,
  startOAuthGatehouse,
  TOKEN_URL,
  type OAuthHarness,
  type TestClient,
} from '../support/oauth-fixtures.js';

// Every error the OAuth endpoints raise, one row each: status, `error`, and headers (a header
// expected as undefined must be absent). Every row also checks RFC 6749 §5.1's no-store.

interface World {
  readonly harness: OAuthHarness;
  readonly confidential: TestClient & { clientSecret: string };
  readonly publicClient: TestClient;
  readonly untrusted: TestClient & { clientSecret: string };
  readonly pending: TestClient & { clientSecret: string };
  readonly billing: TestClient & { clientSecret: string };
  readonly login: string;
  readonly password: string;
}

interface Row {
  readonly name: string;
  readonly request: (world: World) => Promise<LightMyRequestResponse>;
  readonly status: number;
  readonly error: string;
  readonly headers?: Record<string, string | undefined>;
  readonly description?: RegExp;
}

const raw = (world: World, options: { method?: string; url?: string; contentType?: string; payload?: string; headers?: Record<string, string> }) =>
  world.harness.gatehouse.publicServer.inject({
    method: (options.method ?? 'POST') as 'POST',
    url: options.url ?? TOKEN_URL,
    headers: { ...(options.contentType ? { 'content-type': options.contentType } : {}), ...options.headers },
    ...(options.payload !== undefined ? { payload: options.payload } : {}),
  });

const password = (world: World, extra: Record<string, string> = {}) => ({
  grant_type: 'password',
  username: world.login,
  password: world.password,
  ...extra,
});

// RFC 9110 §15.5.2: every 401 carries a challenge, whether the client used Basic or the body.
const BASIC = { 'www-authenticate': 'Basic realm="gatehouse", charset="UTF-8"' };

const ROWS: readonly Row[] = [
  // Routing
  { name: 'unknown API', request: (w) => postForm(w.harness, password(w), { url: '/auth/local/api/nope/token' }), status: 404, error: 'not_found', description: /nope/ },
  { name: 'unknown auth method', request: (w) => postForm(w.harness, password(w), { url: '/auth/nope/api/orders/token' }), status: 404, error: 'not_found', description: /nope/ },
  {
    name: 'auth method the API does not accept',
    request: (w) => postForm(w.harness, password(w, clientParameters(w.confidential)), { url: '/auth/staff/api/orders/token' }),
    status: 400,
    error: 'invalid_request',
    description: /'orders'.*'staff'/,
  },
  { name: 'GET on the token URL', request: (w) => raw(w, { method: 'GET' }), status: 405, error: 'method_not_allowed', headers: { allow: 'POST' } },
  { name: 'DELETE on the token URL', request: (w) => raw(w, { method: 'DELETE' }), status: 405, error: 'method_not_allowed', headers: { allow: 'POST' } },
  { name: 'PUT on the revocation URL', request: (w) => raw(w, { method: 'PUT', url: '/auth/local/api/orders/revoke' }), status: 405, error: 'method_not_allowed', headers: { allow: 'POST' } },
  {
    name: 'POST on the metadata URL',
    request: (w) => raw(w, { url: '/.well-known/oauth-authorization-server/auth/local/api/orders', contentType: 'application/json', payload: '{}' }),
    status: 405,
    error: 'method_not_allowed',
    headers: { allow: 'GET, HEAD' },
  },
  // Bodies
  { name: 'text/plain body', request: (w) => raw(w, { contentType: 'text/plain', payload: 'grant_type=password' }), status: 400, error: 'invalid_request', description: /content type/ },
  { name: 'multipart body', request: (w) => raw(w, { contentType: 'multipart/form-data; boundary=x', payload: '--x--' }), status: 400, error: 'invalid_request' },
  { name: 'malformed JSON', request: (w) => raw(w, { contentType: 'application/json', payload: '{"grant_type":' }), status: 400, error: 'invalid_request', description: /JSON/ },
  { name: 'JSON that is not an object', request: (w) => raw(w, { contentType: 'application/json', payload: '["password"]' }), status: 400, error: 'invalid_request' },
  { name: 'JSON number value', request: (w) => raw(w, { contentType: 'application/json', payload: '{"grant_type":"password","username":42}' }), status: 400, error: 'invalid_request', description: /'username' must be a string/ },
  { name: 'JSON array value', request: (w) => raw(w, { contentType: 'application/json', payload: '{"grant_type":["password","password"]}' }), status: 400, error: 'invalid_request', description: /grant_type/ },
  { name: 'JSON duplicate key', request: (w) => raw(w, { contentType: 'application/json', payload: '{"grant_type":"password","grant_type":"refresh_token"}' }), status: 400, error: 'invalid_request', description: /more than once/ },
  { name: 'form parameter sent twice', request: (w) => raw(w, { contentType: 'application/x-www-form-urlencoded', payload: 'grant_type=password&username=a&username=b' }), status: 400, error: 'invalid_request', description: /username.*more than once/ },
  { name: 'form parameter sent twice, once empty', request: (w) => raw(w, { contentType: 'application/x-www-form-urlencoded', payload: 'grant_type=password&client_id=&client_id=x' }), status: 400, error: 'invalid_request' },
  { name: 'body over the size limit', request: (w) => raw(w, { contentType: 'application/x-www-form-urlencoded', payload: `grant_type=password&username=${'a'.repeat(BODY_LIMIT)}` }), status: 400, error: 'invalid_request' },
  // Client authentication
  {
    name: 'Basic and client_secret in the body at once',
    request: (w) => postForm(w.harness, password(w, { client_secret: w.confidential.clientSecret }), { headers: { authorization: basicAuthorization(w.confidential.clientId, w.confidential.clientSecret) } }),
    status: 400,
    error: 'invalid_request',
    description: /both/,
  },
  {
    name: 'Basic naming one client, body client_id another',
    request: (w) => postForm(w.harness, password(w, { client_id: w.publicClient.clientId }), { headers: { authorization: basicAuthorization(w.confidential.clientId, w.confidential.clientSecret) } }),
    status: 400,
    error: 'invalid_request',
  },
  { name: 'an Authorization scheme other than Basic', request: (w) => postForm(w.harness, password(w, clientParameters(w.confidential)), { headers: { authorization: 'Bearer abc' } }), status: 400, error: 'invalid_request' },
  { name: 'no client authentication at all', request: (w) => postForm(w.harness, password(w)), status: 401, error: 'invalid_client', headers: BASIC },
  { name: 'unknown client_id', request: (w) => postForm(w.harness, password(w, { client_id: 'nobody', client_secret: 'x' })), status: 401, error: 'invalid_client', headers: BASIC },
  {
    name: 'wrong secret via Basic',
    request: (w) => postForm(w.harness, password(w), { headers: { authorization: basicAuthorization(w.confidential.clientId, 'wrong') } }),
    status: 401,
    error: 'invalid_client',
    headers: BASIC,
  },
  {
    name: 'unknown client via Basic',
    request: (w) => postForm(w.harness, password(w), { headers: { authorization: basicAuthorization('nobody', 'x') } }),
    status: 401,
    error: 'invalid_client',
    headers: BASIC,
  },
  { name: 'malformed Basic credentials', request: (w) => postForm(w.harness, password(w), { headers: { authorization: 'Basic bm9jb2xvbg==' } }), status: 401, error: 'invalid_client', headers: BASIC },
  { name: 'wrong secret in the body', request: (w) => postForm(w.harness, password(w, { client_id: w.confidential.clientId, client_secret: 'wrong' })), status: 401, error: 'invalid_client', headers: BASIC },
  { name: 'confidential client without its secret', request: (w) => postForm(w.harness, password(w, { client_id: w.confidential.clientId })), status: 401, error: 'invalid_client', description: /confidential/ },
  { name: 'public client presenting a secret', request: (w) => postForm(w.harness, password(w, { client_id: w.publicClient.clientId, client_secret: 'anything' })), status: 401, error: 'invalid_client', description: /public/ },
  { name: "another API's client_id", request: (w) => postForm(w.harness, password(w, clientParameters(w.billing))), status: 401, error: 'invalid_client' },
  // Grant selection
  { name: 'missing grant_type', request: (w) => postForm(w.harness, { ...clientParameters(w.confidential) }), status: 400, error: 'invalid_request', description: /grant_type/ },
  { name: 'unsupported grant_type', request: (w) => postForm(w.harness, { grant_type: 'urn:example:unknown', ...clientParameters(w.confidential) }), status: 400, error: 'unsupported_grant_type', description: /grant_type 'urn:example:unknown' is not supported \(supported: password, refresh_token, authorization_code/ },
  // Values the client chose, echoed back: quotes, backslashes and non-ASCII are percent-encoded (RFC 6749 §5.2).
  { name: 'hostile grant_type', request: (w) => postForm(w.harness, { grant_type: 'foo"\\§é', ...clientParameters(w.confidential) }), status: 400, error: 'unsupported_grant_type', description: /'foo%22%5C%C2%A7%C3%A9'/ },
  { name: 'hostile content type', request: (w) => raw(w, { contentType: 'text/plain; x="a\\"b"', payload: 'x' }), status: 400, error: 'invalid_request', description: /'text\/plain; x=%22a%5C%22b%22'/ },
  { name: 'hostile charset', request: (w) => raw(w, { contentType: 'application/x-www-form-urlencoded; charset=a\\b', payload: 'x=1' }), status: 400, error: 'invalid_request', description: /charset 'a%5Cb' is not supported/ },
  { name: 'hostile API id', request: (w) => postForm(w.harness, password(w), { url: `/auth/local/api/${encodeURIComponent('é"\\§')}/token` }), status: 404, error: 'not_found', description: /unknown API '%C3%A9%22%5C%C2%A7'/ },
  { name: 'hostile repeated parameter name', request: (w) => raw(w, { contentType: 'application/json', payload: '{"§\\"":"a","§\\"":"b"}' }), status: 400, error: 'invalid_request', description: /parameter '%C2%A7%22' is sent more than once \(RFC 6749 section 3.2\)/ },
  { name: 'empty JSON body (Fastify refuses it)', request: (w) => raw(w, { contentType: 'application/json', payload: '' }), status: 400, error: 'invalid_request' },
  // Password grant
  { name: 'untrusted subscription', request: (w) => postForm(w.harness, password(w, clientParameters(w.untrusted))), status: 400, error: 'unauthorized_client', description: /not trusted/ },
  { name: 'trusted subscription not approved', request: (w) => postForm(w.harness, password(w, clientParameters(w.pending))), status: 400, error: 'unauthorized_client', description: /not approved/ },
  { name: 'missing username', request: (w) => postForm(w.harness, { grant_type: 'password', password: w.password, ...clientParameters(w.confidential) }), status: 400, error: 'invalid_request', description: /username/ },
  { name: 'missing password', request: (w) => postForm(w.harness, { grant_type: 'password', username: w.login, ...clientParameters(w.confidential) }), status: 400, error: 'invalid_request', description: /password/ },
  { name: 'empty password (= absent)', request: (w) => postForm(w.harness, password(w, { password: '', ...clientParameters(w.confidential) })), status: 400, error: 'invalid_request', description: /password/ },
  { name: 'over-long password', request: (w) => postForm(w.harness, password(w, { password: 'p'.repeat(MAX_PASSWORD_LENGTH + 1), ...clientParameters(w.confidential) })), status: 400, error: 'invalid_request', description: /longer/ },
  { name: 'over-long username', request: (w) => postForm(w.harness, password(w, { username: `${'u'.repeat(400)}@example.com`, ...clientParameters(w.confidential) })), status: 400, error: 'invalid_request', description: /longer/ },
  { name: 'wrong password', request: (w) => postForm(w.harness, password(w, { password: 'not-the-password', ...clientParameters(w.confidential) })), status: 400, error: 'invalid_grant' },
  {
    name: 'external auth method unreachable',
    request: (w) => postForm(w.harness, password(w, clientParameters(w.confidential)), { url: '/auth/corp/api/orders/token' }),
    status: 503,
    error: 'temporarily_unavailable',
    headers: { 'retry-after': '5' },
  },
  { name: 'address throttled after failed sign-ins', request: () => throttledAddress(), status: 429, error: 'too_many_requests', headers: { 'retry-after': '60' } },
  // Refresh grant
  { name: 'missing refresh_token', request: (w) => postForm(w.harness, { grant_type: 'refresh_token', ...clientParameters(w.confidential) }), status: 400, error: 'invalid_request', description: /refresh_token/ },
  { name: 'unknown refresh_token', request: (w) => postForm(w.harness, { grant_type: 'refresh_token', refresh_token: 'x'.repeat(43), ...clientParameters(w.confidential) }), status: 400, error: 'invalid_grant' },
  { name: 'over-long refresh_token', request: (w) => postForm(w.harness, { grant_type: 'refresh_token', refresh_token: 'x'.repeat(600), ...clientParameters(w.confidential) }), status: 400, error: 'invalid_request' },
  { name: 'refresh by an untrusted subscription', request: (w) => postForm(w.harness, { grant_type: 'refresh_token', refresh_token: 'x'.repeat(43), ...clientParameters(w.untrusted) }), status: 400, error: 'unauthorized_client' },
  // Revocation
  { name: 'revocation without token', request: (w) => postForm(w.harness, { ...clientParameters(w.confidential) }, { url: '/auth/local/api/orders/revoke' }), status: 400, error: 'invalid_request' },
  { name: 'revocation without client', request: (w) => postForm(w.harness, { token: 'abc' }, { url: '/auth/local/api/orders/revoke' }), status: 401, error: 'invalid_client', headers: BASIC },
  { name: 'revocation with a wrong secret in the body', request: (w) => postForm(w.harness, { token: 'abc', client_id: w.confidential.clientId, client_secret: 'wrong' }, { url: '/auth/local/api/orders/revoke' }), status: 401, error: 'invalid_client', headers: BASIC },
  // Introspection (RFC 7662 §2.1)
  { name: 'introspection without client', request: (w) => postForm(w.harness, { token: 'abc' }, { url: '/auth/local/api/orders/introspect' }), status: 401, error: 'invalid_client', headers: BASIC },
  { name: 'introspection by a public client', request: (w) => postForm(w.harness, { token: 'abc', ...clientParameters(w.publicClient) }, { url: '/auth/local/api/orders/introspect' }), status: 401, error: 'invalid_client', headers: BASIC },
  { name: 'introspection by a pending subscription', request: (w) => postForm(w.harness, { token: 'abc', ...clientParameters(w.pending) }, { url: '/auth/local/api/orders/introspect' }), status: 401, error: 'invalid_client', headers: BASIC },
  // Discovery
  { name: 'metadata of an unknown API', request: (w) => raw(w, { method: 'GET', url: '/.well-known/oauth-authorization-server/auth/local/api/nope' }), status: 404, error: 'not_found' },
];

/** A Gatehouse that throttles an address after one failure: the second attempt is refused. */
async function throttledAddress(): Promise<LightMyRequestResponse> {
  const raw = oauthRawConfig();
  raw.bruteForce = { addresses: { failuresAllowed: 1, waitIncrementSeconds: 60 } };
  const harness = await startOAuthGatehouse({ raw });
  const client = await createClient(harness);
  const attempt = () => postForm(harness, { grant_type: 'password', username: 'nobody@example.com', password: 'not-it', ...clientParameters(client) });
  await attempt();
  return attempt();
}

// Made at the top level so that the after() hooks of the fixtures close it when the file ends.
async function makeWorld(): Promise<World> {
  const harness = await startOAuthGatehouse();
  const { login, password: userPassword } = await createUser(harness);
  const secretOf = (client: TestClient) => client as TestClient & { clientSecret: string };
  return {
    harness,
    login,
    password: userPassword,
    confidential: secretOf(await createClient(harness)),
    publicClient: await createClient(harness, { clientType: 'public' }),
    untrusted: secretOf(await createClient(harness, { trusted: false })),
    pending: secretOf(await createClient(harness, { status: 'pending' })),
    billing: secretOf(await createClient(harness, { apiId: 'billing' })),
  };
}
const world = await makeWorld();

describe('the wire error table', () => {
  for (const row of ROWS) {
    it(`${row.name} → ${row.status} ${row.error}`, async () => {
      const response = await row.request(world);
      assert.equal(response.statusCode, row.status, response.body);
      assert.equal(response.statusCode, WIRE_ERRORS[row.error as keyof typeof WIRE_ERRORS].status, 'the table agrees');
      const body = response.json() as Record<string, unknown>;
      assert.equal(body.error, row.error);
      assert.equal(typeof body.error_description, 'string');
      if (row.description) assert.match(body.error_description as string, row.description);
      // RFC 6749 §5.2: error_description = 1*( %x20-21 / %x23-5B / %x5D-7E )
      assert.match(body.error_description as string, /^[\x20-\x21\x23-\x5B\x5D-\x7E]+$/, 'RFC 6749 §5.2 characters only');
      // RFC 9110 §15.5.2: a 401 always says how to authenticate.
      if (response.statusCode === 401) assert.ok(response.headers['www-authenticate'], 'a 401 carries WWW-Authenticate');
      assert.equal(response.headers['cache-control'], 'no-store');
      assert.equal(response.headers.pragma, 'no-cache');
      assert.match(String(response.headers['content-type']), /^application\/json/);
      for (const [name, value] of Object.entries(row.headers ?? {})) assert.equal(response.headers[name], value, name);
    });
  }

  it('covers every code of the table', () => {
    const covered = new Set(ROWS.map((row) => row.error));
    covered.add('server_error'); // the test below
    assert.deepEqual([...covered].sort(), Object.keys(WIRE_ERRORS).sort());
  });

  it('any other failure → 500 server_error with fixed text; the cause is logged, never sent', async () => {
    const harness = await startOAuthGatehouse();
    const client = await createClient(harness);
    const { store } = harness;
    const original = store.subscriptions.findClient.bind(store.subscriptions);
    store.subscriptions.findClient = async () => {
      throw new Error('connection to db-7.internal:5432 refused');
    };
    try {
      const response = await postForm(harness, { grant_type: 'password', username: 'a', password: 'b', ...clientParameters(client) });
      assert.equal(response.statusCode, 500);
      const body = response.json() as Record<string, unknown>;
      assert.equal(body.error, 'server_error');
      assert.equal(body.error_description, 'internal error');
      assert.doesNotMatch(response.body, /db-7|5432/);
      assert.equal(response.headers['cache-control'], 'no-store');
      assert.equal(response.headers.pragma, 'no-cache');
    } finally {
      store.subscriptions.findClient = original;
    }
  });
});

