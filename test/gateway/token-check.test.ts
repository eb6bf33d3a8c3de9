import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { clientParameters, postForm, refresh, REVOKE_URL } from '../support/oauth-fixtures.js';
import { bearer, login, startGateway } from './gateway-harness.js';

// RFC 6750 §3: what the gateway answers when the bearer token is missing or no good, and that
// nothing reaches the upstream then. The token cache TTL is set to a minute so that a revocation
// can only be felt through the fan-out, never by an entry merely running out.
describe("the gateway's token check (RFC 6750)", async () => {
  const harness = await startGateway({ tokenCacheTtlMs: 60_000 });
  const CHALLENGE = 'Bearer realm="orders"';
  const INVALID = 'Bearer realm="orders", error="invalid_token"';

  async function refused(headers: Record<string, string>, expectedChallenge: string): Promise<void> {
    const before = harness.upstream.received.length;
    const response = await harness.gatehouse.publicServer.inject({ method: 'POST', url: '/orders/items', headers, payload: 'x' });
    assert.equal(response.statusCode, 401, response.body);
    assert.equal(response.headers['www-authenticate'], expectedChallenge);
    assert.equal(typeof response.json().error, 'string');
    // RFC 6750 §3 (as RFC 6749 §5.2): error_description is printable ASCII without " and \.
    assert.match(response.json().error_description, /^[\x20\x21\x23-\x5B\x5D-\x7E]+$/);
    assert.equal(harness.upstream.received.length, before, 'the upstream was reached');
  }

  async function admitted(token: string): Promise<void> {
    const response = await harness.gatehouse.publicServer.inject({ method: 'GET', url: '/orders/items', headers: bearer(token) });
    assert.equal(response.statusCode, 201, response.body);
  }

  describe('requests without a usable token never reach the upstream', () => {
    test('no Authorization header → 401 with the bare challenge (RFC 6750 §3.1)', () => refused({}, CHALLENGE));
    test('another scheme (Basic) counts as no token', () => refused({ authorization: 'Basic dXNlcjpwdw==' }, CHALLENGE));
    test('"Bearer" without a value → invalid_token', () => refused({ authorization: 'Bearer' }, INVALID));
    test('a value that is no b64token → invalid_token', () => refused({ authorization: 'Bearer a b' }, INVALID));
    test('an overlong value → invalid_token', () => refused({ authorization: `Bearer ${'a'.repeat(5000)}` }, INVALID));
    test('an unknown token → invalid_token', () => refused(bearer('UnknownTokenUnknownTokenUnknownTokenUnknown'), INVALID));
    test('a refresh token is no access token', async () => {
      const { tokens } = await login(harness);
      await refused(bearer(tokens.refresh_token), INVALID);
    });
    test('a token issued for another API → invalid_token', async () => {
      const { tokens } = await login(harness, 'billing');
      await refused(bearer(tokens.access_token), INVALID);
    });
    test('the scheme name is case-insensitive (RFC 9110 §11.1)', async () => {
      const { tokens } = await login(harness);
      const response = await harness.gatehouse.publicServer.inject({ method: 'GET', url: '/orders/x', headers: { authorization: `bearer ${tokens.access_token}` } });
      assert.equal(response.statusCode, 201);
    });
  });

  describe('expiry and revocation are felt even when the token is cached', () => {
    test('an expired token → invalid_token (injected clock, no sleeping)', async () => {
      const { tokens } = await login(harness);
      await admitted(tokens.access_token);
      harness.advance(tokens.expires_in * 1000);
      await refused(bearer(tokens.access_token), INVALID);
    });

    test('RFC 7009 revocation → the cached token is refused at once', async () => {
      const { tokens, client } = await login(harness);
      await admitted(tokens.access_token);
      const revoked = await postForm(harness, { token: tokens.refresh_token, ...clientParameters(client) }, { url: REVOKE_URL });
      assert.equal(revoked.statusCode, 200);
      await refused(bearer(tokens.access_token), INVALID);
    });

    test('refresh-token reuse revokes the family → its newest access token is refused at once', async () => {
      const { tokens, client } = await login(harness);
      const rotated = await refresh(harness, client, tokens.refresh_token);
      assert.equal(rotated.statusCode, 200);
      const fresh = rotated.json().access_token as string;
      await admitted(fresh);
      const reuse = await refresh(harness, client, tokens.refresh_token);
      assert.equal(reuse.json().error, 'invalid_grant');
      await refused(bearer(fresh), INVALID);
    });

    test('any revokeFamilies call (e.g. a user disabled by an admin) is felt at once', async () => {
      const { tokens, userId } = await login(harness);
      await admitted(tokens.access_token);
      const revoked = await harness.gatehouse.services.store.tokens.revokeFamilies({ userId }, 'user_disabled', harness.now());
      assert.equal(revoked.length, 1);
      await refused(bearer(tokens.access_token), INVALID);
    });
  });

  describe('the fast path', () => {
    test('a validated token is not looked up in the store again', async () => {
      const { tokens } = await login(harness);
      const store = harness.gatehouse.services.store.tokens;
      const original = store.findAccessToken;
      let lookups = 0;
      store.findAccessToken = (hash) => {
        lookups += 1;
        return original.call(store, hash);
      };
      try {
        for (let i = 0; i < 5; i += 1) await admitted(tokens.access_token);
        await Promise.all([1, 2, 3].map(() => refused(bearer('NeverIssuedNeverIssuedNeverIssuedNeverIssue'), INVALID)));
        await refused(bearer('NeverIssuedNeverIssuedNeverIssuedNeverIssue'), INVALID);
      } finally {
        store.findAccessToken = original;
      }
      assert.equal(lookups, 2, 'one lookup for the valid token, one for the unknown one');
    });
  });
});
