import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { testConfig } from '../support/gatehouse-instance.js';
import { bearer, gatewayRawConfig, login, METERED_PLAN, startUpstream } from '../gateway/gateway-harness.js';
import { postForm, refresh, startOAuthGatehouse, type OAuthHarness } from '../support/oauth-fixtures.js';

// GET /metrics (Prometheus text format) after real traffic through the token endpoint and the
// gateway: the counters move by what happened, labels stay within their bounded sets, and the
// endpoint is where the config puts it.

async function scrape(harness: OAuthHarness, listener: 'portalServer' | 'publicServer' = 'portalServer', path = '/metrics') {
  return harness.gatehouse[listener].inject({ method: 'GET', url: path });
}

/** The value of one series, e.g. sample(text, 'gatehouse_token_requests_total', {outcome: 'granted'}). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  let total = 0;
  let found = false;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!wanted.every((pair) => line.includes(pair))) continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1));
    found = true;
  }
  return found ? total : Number.NaN;
}

async function startWithMetrics(metrics?: Record<string, unknown>) {
  const upstream = await startUpstream();
  const raw = await gatewayRawConfig(upstream.url);
  if (metrics) raw.metrics = metrics;
  return startOAuthGatehouse({ config: testConfig(raw) });
}

describe('metrics', () => {
  it('counts token requests by grant type and outcome, refresh reuse, and gateway traffic with bounded labels', async () => {
    const harness = await startWithMetrics();
    const session = await login(harness);
    const refreshed = await refresh(harness, session.client, session.tokens.refresh_token);
    assert.equal(refreshed.statusCode, 200, refreshed.body);
    // The rotated token again: reuse detection (RFC 9700 §4.14.2).
    const reused = await refresh(harness, session.client, session.tokens.refresh_token);
    assert.equal(reused.statusCode, 400);
    const unknownGrant = await postForm(harness, { grant_type: 'urn:made-up:grant', client_id: session.client.clientId, client_secret: session.client.clientSecret ?? '' });
    assert.equal(unknownGrant.statusCode, 400);
    const { access_token: accessToken } = (await login(harness)).tokens;
    for (let i = 0; i < 3; i += 1) {
      const proxied = await harness.gatehouse.publicServer.inject({ method: 'GET', url: '/orders/items', headers: bearer(accessToken) });
      assert.equal(proxied.statusCode, 201);
    }
    const refused = await harness.gatehouse.publicServer.inject({ method: 'GET', url: '/orders/items', headers: bearer('not-a-token') });
    assert.equal(refused.statusCode, 401);
    // The metered plan admits 3 a minute: the 4th and 5th are the plan's refusals.
    const metered = await login(harness);
    await harness.store.subscriptions.update(metered.client.subscription.id, { plan: METERED_PLAN.id }, harness.now());
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      statuses.push((await harness.gatehouse.publicServer.inject({ method: 'GET', url: '/orders/items', headers: bearer(metered.tokens.access_token) })).statusCode);
    }
    assert.deepEqual(statuses, [201, 201, 201, 429, 429]);

    // The gateway counts a request in its onResponse hook, which Fastify may run after inject() has
    // handed over the response: wait (bounded) for the last of the 9 to be counted.
    let response = await scrape(harness);
    for (let tries = 0; tries < 100 && sample(response.body, 'gatehouse_gateway_request_duration_seconds_count', { api: 'orders' }) < 9; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      response = await scrape(harness);
    }
    assert.equal(response.statusCode, 200);
    assert.match(response.headers['content-type'] as string, /^text\/plain; version=0\.0\.4/);
    assert.equal(response.headers['cache-control'], 'no-store');
    const text = response.body;
    const api = { api: 'orders', auth_method: 'local' };
    assert.equal(sample(text, 'gatehouse_token_requests_total', { ...api, grant_type: 'password', outcome: 'granted' }), 3);
    assert.equal(sample(text, 'gatehouse_token_requests_total', { ...api, grant_type: 'refresh_token', outcome: 'granted' }), 1);
    assert.equal(sample(text, 'gatehouse_token_requests_total', { ...api, grant_type: 'refresh_token', outcome: 'invalid_grant' }), 1);
    // A grant type a client made up is "other": client input never becomes a series.
    assert.equal(sample(text, 'gatehouse_token_requests_total', { grant_type: 'other', outcome: 'unsupported_grant_type' }), 1);
    assert.doesNotMatch(text, /made-up/);
    assert.equal(sample(text, 'gatehouse_token_request_duration_seconds_count', { grant_type: 'password' }), 3);
    assert.equal(sample(text, 'gatehouse_security_events_total', { type: 'refresh_token.reused' }), 1);
    assert.equal(sample(text, 'gatehouse_security_events_total', { type: 'login.granted' }), 3);
    assert.equal(sample(text, 'gatehouse_gateway_requests_total', { api: 'orders', status_class: '2xx' }), 6);
    assert.equal(sample(text, 'gatehouse_gateway_requests_total', { api: 'orders', status_class: '4xx' }), 3);
    assert.equal(sample(text, 'gatehouse_gateway_request_duration_seconds_count', { api: 'orders' }), 9);
    assert.equal(sample(text, 'gatehouse_rate_limit_refusals_total', { api: 'orders' }), 2);
    // The first request of each token asked the store, the others the cache; the bad token also missed.
    assert.equal(sample(text, 'gatehouse_gateway_token_lookups_total', { result: 'hit' }), 6);
    assert.equal(sample(text, 'gatehouse_gateway_token_lookups_total', { result: 'miss' }), 3);
    // Reuse detection revoked a family: one message out, and back in to this process's cache (on
    // a shared Redis, other processes' revocations arrive too: at least one).
    assert.equal(sample(text, 'gatehouse_revocation_fanout_messages_total', { event: 'sent' }), 1);
    assert.ok(sample(text, 'gatehouse_revocation_fanout_messages_total', { event: 'received' }) >= 1);
    assert.equal(sample(text, 'gatehouse_password_hash_queue_length'), 0);
    assert.equal(sample(text, 'gatehouse_redis_available'), 1);
    assert.ok(sample(text, 'gatehouse_store_operation_duration_seconds_count', { operation: 'tokens.rotateRefreshToken', outcome: 'ok' }) >= 2);
    assert.ok(sample(text, 'gatehouse_password_hash_duration_seconds_count', { operation: 'verify' }) >= 2);
    assert.equal(sample(text, 'gatehouse_locked_accounts'), 0);
    assert.ok(sample(text, 'gatehouse_process_resident_memory_bytes') > 0, 'Node process metrics');
    // Never a client id, a token or a user name in a label.
    assert.ok(!text.includes(session.client.clientId));
    assert.ok(!text.includes(accessToken));
    assert.doesNotMatch(text, /@example\.com/);
  });

  it('is served on the portal listener only, by default', async () => {
    const harness = await startWithMetrics();
    assert.equal((await scrape(harness, 'portalServer')).statusCode, 200);
    assert.equal((await scrape(harness, 'publicServer')).statusCode, 404);
  });

  it('moves to the public listener and another path, or off, as configured', async () => {
    const moved = await startWithMetrics({ listener: 'public', path: '/internal/metrics' });
    assert.equal((await scrape(moved, 'publicServer', '/internal/metrics')).statusCode, 200);
    assert.equal((await scrape(moved, 'portalServer', '/internal/metrics')).statusCode, 404);
    const off = await startWithMetrics({ enabled: false });
    assert.equal((await scrape(off, 'portalServer')).statusCode, 404);
    assert.equal(off.gatehouse.services.metrics, null);
  });
});

describe('metrics config', () => {
  it('refuses a metrics path that an API prefix or Gatehouse\'s own routes would shadow', async () => {
    const upstream = await startUpstream();
    const raw = await gatewayRawConfig(upstream.url);
    raw.metrics = { listener: 'public', path: '/orders/metrics' };
    assert.throws(() => testConfig(raw), /metrics\.path: "\/orders\/metrics" collides with \/orders on the public listener/);
    raw.metrics = { listener: 'public', path: '/auth' };
    assert.throws(() => testConfig(raw), /metrics\.path/);
  });
});
