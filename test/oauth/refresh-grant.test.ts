import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { INVALID_REFRESH_TOKEN } from '../../src/domain/grants/refresh-token-grant.js';
import { hashTokenValue } from '../../src/domain/token-values.js';
import {
  clientParameters,
  createClient,
  createUser,
  oauthRawConfig,
  passwordLogin,
  postForm,
  refresh,
  startOAuthGatehouse,
  type OAuthHarness,
  type TestClient,
  type TokenBody,
} from '../support/oauth-fixtures.js';

// RFC 6749 §6 with rotation and reuse detection (RFC 9700 §4.14.2).

const INVALID_GRANT_BODY = JSON.stringify({ error: 'invalid_grant', error_description: INVALID_REFRESH_TOKEN });

async function loggedIn(harness: OAuthHarness, clientOptions: Parameters<typeof createClient>[1] = {}) {
  const client = await createClient(harness, clientOptions);
  const user = await createUser(harness);
  const tokens = await passwordLogin(harness, client, user.login, user.password);
  return { client, user, tokens };
}

async function refreshOk(harness: OAuthHarness, client: TestClient, refreshToken: string): Promise<TokenBody> {
  const response = await refresh(harness, client, refreshToken);
  assert.equal(response.statusCode, 200, response.body);
  return response.json() as TokenBody;
}

async function familyOf(harness: OAuthHarness, accessToken: string) {
  const record = await harness.store.tokens.findAccessToken(hashTokenValue(accessToken));
  assert.ok(record, 'the access token exists');
  return record.family;
}

describe('grant_type=refresh_token', () => {
  it('rotates: a new pair in the same family; the used refresh token is dead', async () => {
    const harness = await startOAuthGatehouse();
    const { client, tokens } = await loggedIn(harness);
    harness.advance(5_000);
    const next = await refreshOk(harness, client, tokens.refresh_token);
    assert.notEqual(next.access_token, tokens.access_token);
    assert.notEqual(next.refresh_token, tokens.refresh_token);
    assert.equal(next.token_type, 'bearer');
    assert.equal(next.expires_in, 900);
    assert.equal(next.scope, 'orders:read orders:write');
    assert.equal((await familyOf(harness, next.access_token)).id, (await familyOf(harness, tokens.access_token)).id);
    const old = await harness.store.tokens.findRefreshToken(hashTokenValue(tokens.refresh_token));
    assert.equal(old?.consumedAt, harness.now());
    assert.equal(old?.replacedBy, hashTokenValue(next.refresh_token));
  });

  it('a public client refreshes with a JSON body and client_id only', async () => {
    const harness = await startOAuthGatehouse();
    const { client, tokens } = await loggedIn(harness, { clientType: 'public' });
    const response = await postForm(harness, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: client.clientId }, { json: true });
    assert.equal(response.statusCode, 200, response.body);
  });

  it('reuse of a rotated refresh token revokes the whole family: its latest access token is refused, and it is audited', async () => {
    const harness = await startOAuthGatehouse();
    const { client, tokens } = await loggedIn(harness);
    const second = await refreshOk(harness, client, tokens.refresh_token);
    const third = await refreshOk(harness, client, second.refresh_token);
    assert.equal((await familyOf(harness, third.access_token)).revokedAt, null);

    harness.advance(1_000);
    const replay = await refresh(harness, client, tokens.refresh_token);
    assert.equal(replay.statusCode, 400);
    assert.equal(replay.body, INVALID_GRANT_BODY);

    const family = await familyOf(harness, third.access_token);
    assert.equal(family.revokedAt, harness.now(), 'the latest access token belongs to a revoked family');
    assert.equal(family.revokedReason, 'refresh_token_reuse');
    const latest = await refresh(harness, client, third.refresh_token);
    assert.equal(latest.body, INVALID_GRANT_BODY, 'the latest refresh token died with its family');

    const events = await harness.store.audit.list({ type: 'refresh_token.reused' });
    assert.equal(events.items.length, 1);
    assert.equal(events.items[0]?.familyId, family.id);
    assert.equal(events.items[0]?.details.familyRevoked, true);
  });

  it('unknown, rotated, expired, revoked, foreign, and orphaned tokens all get the same body', async () => {
    const harness = await startOAuthGatehouse({ raw: oauthRawConfig({ refreshTokenIdleLifetime: 600 }) });
    const bodies = new Map<string, string>();
    const record = async (name: string, client: TestClient, token: string) => {
      const response = await refresh(harness, client, token);
      assert.equal(response.statusCode, 400, `${name}: ${response.body}`);
      bodies.set(name, response.body);
    };

    const a = await loggedIn(harness);
    await record('unknown', a.client, 'A'.repeat(43));

    await refreshOk(harness, a.client, a.tokens.refresh_token);
    await record('rotated', a.client, a.tokens.refresh_token);

    const b = await loggedIn(harness);
    const other = await createClient(harness);
    await record("another client's", other, b.tokens.refresh_token);
    await refreshOk(harness, b.client, b.tokens.refresh_token); // not consumed by the other client

    const c = await loggedIn(harness);
    await harness.store.tokens.revokeFamilies({ userId: c.user.user.id }, 'test', harness.now());
    await record('revoked', c.client, c.tokens.refresh_token);

    const d = await loggedIn(harness);
    await harness.store.users.update(d.user.user.id, { disabled: true }, harness.now());
    await record('user disabled', d.client, d.tokens.refresh_token);

    const e = await loggedIn(harness);
    await harness.store.users.delete(e.user.user.id);
    await record('user deleted', e.client, e.tokens.refresh_token);

    const f = await loggedIn(harness);
    harness.advance(601_000);
    await record('idle-expired', f.client, f.tokens.refresh_token);

    assert.deepEqual([...new Set(bodies.values())], [INVALID_GRANT_BODY], JSON.stringify(Object.fromEntries(bodies)));
    assert.equal(bodies.size, 7);
  });

  it('a token of another API or auth method is refused without consuming it', async () => {
    const harness = await startOAuthGatehouse();
    const { client, tokens } = await loggedIn(harness);
    const atCorp = await postForm(
      harness,
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, ...clientParameters(client) },
      { url: '/auth/corp/api/orders/token' },
    );
    assert.equal(atCorp.body, INVALID_GRANT_BODY);
    await refreshOk(harness, client, tokens.refresh_token);
  });

  it('nothing outlives the session: tokens are capped at its absolute end, after which refresh fails', async () => {
    const harness = await startOAuthGatehouse({ raw: oauthRawConfig({ sessionLifetime: 1000, refreshTokenIdleLifetime: 600 }) });
    const { client, tokens } = await loggedIn(harness);
    harness.advance(500_000);
    const second = await refreshOk(harness, client, tokens.refresh_token);
    harness.advance(300_000);
    const third = await refreshOk(harness, client, second.refresh_token);
    assert.equal(third.expires_in, 200, 'the access token ends with the session, not 900 s later');
    const stored = await harness.store.tokens.findRefreshToken(hashTokenValue(third.refresh_token));
    assert.equal(stored?.expiresAt, stored?.family.expiresAt, 'idle expiry capped at the session end');
    harness.advance(200_001);
    assert.equal((await refresh(harness, client, third.refresh_token)).body, INVALID_GRANT_BODY);
  });

  it('a subscription that lost its trust or approval gets unauthorized_client', async () => {
    const harness = await startOAuthGatehouse();
    const { client, tokens } = await loggedIn(harness);
    await harness.store.subscriptions.update(client.subscription.id, { status: 'declined' }, harness.now());
    const declined = await refresh(harness, client, tokens.refresh_token);
    assert.equal(declined.statusCode, 400);
    assert.equal((declined.json() as { error: string }).error, 'unauthorized_client');
    assert.match((declined.json() as { error_description: string }).error_description, /not approved/);
    await harness.store.subscriptions.update(client.subscription.id, { status: 'approved', trusted: false }, harness.now());
    const untrusted = await refresh(harness, client, tokens.refresh_token);
    assert.match((untrusted.json() as { error_description: string }).error_description, /not trusted/);
    await harness.store.subscriptions.update(client.subscription.id, { trusted: true }, harness.now());
    await refreshOk(harness, client, tokens.refresh_token);
  });
});

describe('the refresh grace window (refreshGraceSeconds)', () => {
  const graceful = () => startOAuthGatehouse({ raw: oauthRawConfig({ refreshGraceSeconds: 30 }) });

  it('within the window, the same client that lost the response gets a new pair replacing the unused successor', async () => {
    const harness = await graceful();
    const { client, tokens } = await loggedIn(harness);
    const lost = await refreshOk(harness, client, tokens.refresh_token);
    harness.advance(10_000);
    const retried = await refreshOk(harness, client, tokens.refresh_token);
    assert.notEqual(retried.refresh_token, lost.refresh_token);
    assert.equal((await familyOf(harness, retried.access_token)).revokedAt, null);
    const successor = await harness.store.tokens.findRefreshToken(hashTokenValue(lost.refresh_token));
    assert.equal(successor?.replacedBy, hashTokenValue(retried.refresh_token), 'the lost successor is replaced');
    await refreshOk(harness, client, retried.refresh_token);
    const events = await harness.store.audit.list({ type: 'refresh_token.grace_retry' });
    assert.equal(events.items.length, 1);
  });

  it('after the window, the replay is reuse: the family is revoked', async () => {
    const harness = await graceful();
    const { client, tokens } = await loggedIn(harness);
    const next = await refreshOk(harness, client, tokens.refresh_token);
    harness.advance(30_001);
    assert.equal((await refresh(harness, client, tokens.refresh_token)).body, INVALID_GRANT_BODY);
    assert.notEqual((await familyOf(harness, next.access_token)).revokedAt, null);
  });

  it('once the successor was used, a replay inside the window is reuse too', async () => {
    const harness = await graceful();
    const { client, tokens } = await loggedIn(harness);
    const next = await refreshOk(harness, client, tokens.refresh_token);
    const after = await refreshOk(harness, client, next.refresh_token);
    assert.equal((await refresh(harness, client, tokens.refresh_token)).body, INVALID_GRANT_BODY);
    assert.notEqual((await familyOf(harness, after.access_token)).revokedAt, null);
  });

  it('strict by default: the example of the issue, replayed at once, revokes', async () => {
    const harness = await startOAuthGatehouse();
    const { client, tokens } = await loggedIn(harness);
    const next = await refreshOk(harness, client, tokens.refresh_token);
    assert.equal((await refresh(harness, client, tokens.refresh_token)).body, INVALID_GRANT_BODY);
    assert.notEqual((await familyOf(harness, next.access_token)).revokedAt, null);
  });
});
