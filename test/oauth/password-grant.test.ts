import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hashTokenValue } from '../../src/domain/token-values.js';
import { captureLogs } from '../support/gatehouse-instance.js';
import {
  basicAuthorization,
  clientParameters,
  createClient,
  countingHasher,
  createUser,
  postForm,
  startOAuthGatehouse,
  type TokenBody,
} from '../support/oauth-fixtures.js';

// RFC 6749 §4.3 through the public listener (app.inject).

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43,}$/;

describe('grant_type=password', () => {
  it('a confidential client (form body) gets a bearer pair with the API lifetime and full scope, stored only as SHA-256', async () => {
    const harness = await startOAuthGatehouse();
    const client = await createClient(harness);
    const { user, login, password } = await createUser(harness);
    const response = await postForm(harness, { grant_type: 'password', username: login, password, scope: 'orders:read', ...clientParameters(client) });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.headers['cache-control'], 'no-store');
    assert.equal(response.headers.pragma, 'no-cache');
    const body = response.json() as TokenBody;
    assert.deepEqual(Object.keys(body).sort(), ['access_token', 'expires_in', 'refresh_token', 'scope', 'token_type']);
    assert.equal(body.token_type, 'bearer');
    assert.equal(body.expires_in, 900);
    assert.equal(body.scope, 'orders:read orders:write', 'scope is ignored: the full scope of the API');
    assert.match(body.access_token, TOKEN_SHAPE);
    assert.match(body.refresh_token, TOKEN_SHAPE);
    assert.notEqual(body.access_token, body.refresh_token);

    assert.equal(await harness.store.tokens.findAccessToken(body.access_token), null, 'the raw value is not stored');
    const access = await harness.store.tokens.findAccessToken(hashTokenValue(body.access_token));
    assert.ok(access);
    assert.equal(access.family.userId, user.id);
    assert.equal(access.family.subscriptionId, client.subscription.id);
    assert.equal(access.family.authMethod, 'local');
    assert.equal(access.expiresAt, harness.now() + 900_000);
    assert.ok(await harness.store.tokens.findRefreshToken(hashTokenValue(body.refresh_token)));
  });

  it('HTTP Basic with form-urlencoded halves and a JSON body', async () => {
    const harness = await startOAuthGatehouse();
    const client = await createClient(harness);
    const { login, password } = await createUser(harness);
    const response = await postForm(
      harness,
      { grant_type: 'password', username: login, password },
      { json: true, headers: { authorization: basicAuthorization(client.clientId, client.clientSecret as string) } },
    );
    assert.equal(response.statusCode, 200, response.body);
  });

  it('Basic plus the same client_id repeated in the body (some libraries do) is accepted', async () => {
    const harness = await startOAuthGatehouse();
    const client = await createClient(harness);
    const { login, password } = await createUser(harness);
    const response = await postForm(
      harness,
      { grant_type: 'password', username: login, password, client_id: client.clientId },
      { headers: { authorization: basicAuthorization(client.clientId, client.clientSecret as string) } },
    );
    assert.equal(response.statusCode, 200, response.body);
  });

  it('a public client sends client_id only, in the body or as Basic with an empty secret', async () => {
    const harness = await startOAuthGatehouse();
    const client = await createClient(harness, { clientType: 'public' });
    const { login, password } = await createUser(harness);
    const inBody = await postForm(harness, { grant_type: 'password', username: login, password, client_id: client.clientId });
    assert.equal(inBody.statusCode, 200, inBody.body);
    const asBasic = await postForm(
      harness,
      { grant_type: 'password', username: login, password },
      { headers: { authorization: `Basic ${Buffer.from(`${client.clientId}:`).toString('base64')}` } },
    );
    assert.equal(asBasic.statusCode, 200, asBasic.body);
  });

  it('emails match case-insensitively; usernames work too', async () => {
    const harness = await startOAuthGatehouse();
    const client = await createClient(harness);
    const byEmail = await createUser(harness, { email: 'mixed.case@example.com' });
    const r1 = await postForm(harness, { grant_type: 'password', username: 'Mixed.Case@EXAMPLE.com', password: byEmail.password, ...clientParameters(client) });
    assert.equal(r1.statusCode, 200, r1.body);
    const byName = await createUser(harness, { username: 'jdoe' });
    const r2 = await postForm(harness, { grant_type: 'password', username: 'jdoe', password: byName.password, ...clientParameters(client) });
    assert.equal(r2.statusCode, 200, r2.body);
  });

  it('an API without scopes answers without a scope member', async () => {
    const harness = await startOAuthGatehouse();
    const client = await createClient(harness, { apiId: 'billing' });
    const { login, password } = await createUser(harness);
    const response = await postForm(
      harness,
      { grant_type: 'password', username: login, password, ...clientParameters(client) },
      { url: '/auth/local/api/billing/token' },
    );
    assert.equal(response.statusCode, 200, response.body);
    assert.equal('scope' in (response.json() as object), false);
    assert.equal((response.json() as TokenBody).expires_in, 3600, 'the default access-token lifetime');
  });

  it('unknown user, wrong password and disabled user get one identical answer, for one password verification each', async () => {
    const passwords = countingHasher();
    const harness = await startOAuthGatehouse({ passwords });
    const client = await createClient(harness);
    const active = await createUser(harness);
    const disabled = await createUser(harness, { disabled: true });
    const attempts = {
      'unknown user': { username: 'nobody@example.com', password: active.password },
      'wrong password': { username: active.login, password: `${active.password}x` },
      'disabled user': { username: disabled.login, password: disabled.password },
    };
    const answers: Record<string, { status: number; body: string }> = {};
    for (const [name, credentials] of Object.entries(attempts)) {
      const before = passwords.calls();
      const response = await postForm(harness, { grant_type: 'password', ...credentials, ...clientParameters(client) });
      assert.equal(passwords.calls() - before, 1, `${name}: exactly one verification`);
      answers[name] = { status: response.statusCode, body: response.body };
    }
    const distinct = new Set(Object.values(answers).map((a) => JSON.stringify(a)));
    assert.equal(distinct.size, 1, JSON.stringify(answers));
    assert.equal(answers['unknown user']?.status, 400);
    assert.equal(JSON.parse(answers['unknown user']?.body ?? '{}').error, 'invalid_grant');
  });

  it('records granted and refused logins in the audit log, without the password; logs never carry it either', async () => {
    const logs = captureLogs();
    const harness = await startOAuthGatehouse({ logs });
    const client = await createClient(harness);
    const { user, login, password } = await createUser(harness, { password: 'Correct-Horse-Battery-Staple-42' });
    const ok = await postForm(harness, { grant_type: 'password', username: login, password, ...clientParameters(client) });
    assert.equal(ok.statusCode, 200);
    const bad = await postForm(harness, { grant_type: 'password', username: login, password: 'Wrong-Horse-Battery-Staple-42', ...clientParameters(client) });
    assert.equal(bad.statusCode, 400);

    const granted = await harness.store.audit.list({ type: 'login.granted', subscriptionId: client.subscription.id });
    assert.equal(granted.items.length, 1);
    assert.equal(granted.items[0]?.userId, user.id);
    assert.ok(granted.items[0]?.familyId);
    const refused = await harness.store.audit.list({ type: 'login.refused', subscriptionId: client.subscription.id });
    assert.equal(refused.items.length, 1);
    assert.equal(refused.items[0]?.details.reason, 'invalid_credentials');
    const everything = JSON.stringify([...granted.items, ...refused.items]) + logs.lines.join('\n');
    assert.doesNotMatch(everything, /Horse-Battery/);
    assert.doesNotMatch(everything, new RegExp((ok.json() as TokenBody).access_token));
    assert.doesNotMatch(everything, new RegExp(client.clientSecret?.slice(0, 20) ?? 'unreachable'));
  });

  it('a refused untrusted client is audited with the reason', async () => {
    const harness = await startOAuthGatehouse();
    const client = await createClient(harness, { trusted: false });
    const response = await postForm(harness, { grant_type: 'password', username: 'a@example.com', password: 'whatever1', ...clientParameters(client) });
    assert.equal(response.statusCode, 400);
    const refused = await harness.store.audit.list({ type: 'login.refused', subscriptionId: client.subscription.id });
    assert.equal(refused.items[0]?.details.reason, 'subscription_not_trusted');
  });
});
