import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { InjectOptions } from 'fastify';
import { hashTokenValue } from '../../src/domain/token-values.js';
import { createClient, createUser, oauthRawConfig, passwordLogin, startOAuthGatehouse, type OAuthHarness } from '../support/oauth-fixtures.js';
import { gatewayRequest, tokenEndpointRequest, type Known } from './fuzz-requests.js';

// Property: whatever arrives, the public listener answers 4xx (never 5xx), with an OAuth error
// body on the OAuth endpoints, the process stays up, and the store is as it was (a refused
// sign-in may add its audit event, nothing else). Bounded: a few thousand cases, a fixed seed
// per run printed on failure so that it can be replayed.

const TOKEN_RUNS = 2500;
const GATEWAY_RUNS = 1000;

async function world() {
  const raw = oauthRawConfig();
  // High limits, so that the fuzzer keeps reaching the grants instead of the throttle.
  raw.bruteForce = { accounts: { failuresAllowed: 100_000 }, addresses: { failuresAllowed: 100_000 } };
  const harness = await startOAuthGatehouse({ raw });
  // Public: client_id alone authenticates, so that generated requests reach the grants.
  const client = await createClient(harness, { clientType: 'public' });
  const user = await createUser(harness);
  const tokens = await passwordLogin(harness, client, user.login, user.password);
  const known: Known = { clientId: client.clientId, login: user.login };
  return { harness, known, tokens };
}

async function snapshot(harness: OAuthHarness, tokens: { access_token: string; refresh_token: string }): Promise<unknown> {
  const { store } = harness;
  const page = { limit: 500 };
  const audit = await store.audit.list({}, page);
  return {
    users: (await store.users.list(page)).items,
    applications: (await store.applications.list({}, page)).items,
    subscriptions: (await store.subscriptions.list({}, page)).items,
    families: (await store.tokens.listActiveFamilies({}, harness.now(), page)).items,
    access: await store.tokens.findAccessToken(hashTokenValue(tokens.access_token)),
    refresh: await store.tokens.findRefreshToken(hashTokenValue(tokens.refresh_token)),
    auditOtherThanRefusals: audit.items.filter((event) => event.type !== 'login.refused' && event.type !== 'client_credentials.refused'),
  };
}

function describeRequest(request: InjectOptions): string {
  return JSON.stringify({ ...request, payload: String(request.payload ?? '').slice(0, 300) });
}

describe('hostile requests (property-based, fast-check)', () => {
  it(`token, revocation, introspection and metadata endpoints: ${TOKEN_RUNS} malformed requests, no 5xx, OAuth bodies, store unchanged`, async () => {
    const { harness, known, tokens } = await world();
    const before = await snapshot(harness, tokens);
    const app = harness.gatehouse.publicServer;
    await fc.assert(
      fc.asyncProperty(tokenEndpointRequest(known), async (request) => {
        const response = await app.inject(request);
        assert.ok(response.statusCode < 500, `${response.statusCode} ${response.body} for ${describeRequest(request)}`);
        if (response.statusCode >= 400) {
          const body = response.json() as Record<string, unknown>;
          assert.equal(typeof body.error, 'string', response.body);
          // RFC 6749 §5.1 on the endpoints it governs.
          if (/\/(token|revoke)(\?|$)/.test(request.url as string)) assert.equal(response.headers['cache-control'], 'no-store');
        }
        // Revocation of an unknown token (RFC 7009 §2.2) and metadata are 200s; a token never is.
        assert.doesNotMatch(response.body, /access_token/, `a hostile request must not be granted: ${describeRequest(request)}`);
      }),
      { numRuns: TOKEN_RUNS },
    );
    assert.deepEqual(await snapshot(harness, tokens), before);
    const health = await app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(health.statusCode, 200, 'the process still answers');
  });

  it(`gateway: ${GATEWAY_RUNS} requests with bad bearer tokens and forged identity headers → 401, never upstream, never 5xx`, async () => {
    const { harness, tokens } = await world();
    const before = await snapshot(harness, tokens);
    const app = harness.gatehouse.publicServer;
    await fc.assert(
      fc.asyncProperty(gatewayRequest(), async (request) => {
        const response = await app.inject(request);
        assert.ok(response.statusCode >= 400 && response.statusCode < 500, `${response.statusCode} ${response.body} for ${describeRequest(request)}`);
      }),
      { numRuns: GATEWAY_RUNS },
    );
    assert.deepEqual(await snapshot(harness, tokens), before);
  });
});
