import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { describe, it } from 'node:test';
import { AUTHORIZATION_REQUEST_LIFETIME } from '../../src/domain/authorization/authorization-flow.js';
import { authorizeUrl, pkcePair, registerRedirectUri } from '../support/authorization-code-fixtures.js';
import { createClient, oauthRawConfig, startOAuthGatehouse } from '../support/oauth-fixtures.js';
import { testConfig } from '../support/gatehouse-instance.js';

// Each authorization request waits in the store until it expires, so one address may start only
// so many (bruteForce.authorizationRequestsPerAddress); past that, nothing is stored and the
// client hears temporarily_unavailable at its redirect URI (RFC 6749 section 4.1.2.1).

const CALLBACK = 'https://app.example/callback';

describe('authorization requests per client address', () => {
  it('past the limit: temporarily_unavailable with state and iss, nothing stored; other addresses and a later minute go on', async () => {
    const raw = oauthRawConfig();
    raw.bruteForce = { authorizationRequestsPerAddress: { perMinute: 3 } };
    const harness = await startOAuthGatehouse({ config: testConfig(raw) });
    const client = await createClient(harness, { clientType: 'public' });
    await registerRedirectUri(harness, client, CALLBACK);
    // Documentation addresses (RFC 5737), random so that files sharing a Redis never share a count.
    const flooder = `203.0.113.${randomInt(1, 255)}`;
    const bystander = `198.51.100.${randomInt(1, 255)}`;
    const open = (remoteAddress: string, state: string) =>
      harness.gatehouse.publicServer.inject({
        method: 'GET',
        url: authorizeUrl('', { clientId: client.clientId, redirectUri: CALLBACK, challenge: pkcePair().challenge, state }),
        remoteAddress,
      });

    for (let i = 0; i < 3; i += 1) assert.equal((await open(flooder, `s${i}`)).statusCode, 200, 'a sign-in page');
    const refused = await open(flooder, 'over');
    assert.equal(refused.statusCode, 302);
    const location = new URL(refused.headers.location as string);
    assert.equal(`${location.origin}${location.pathname}`, CALLBACK);
    assert.equal(location.searchParams.get('error'), 'temporarily_unavailable');
    assert.match(location.searchParams.get('error_description') ?? '', /^too many sign-ins were started from this address; try again in \d+ seconds$/);
    assert.equal(location.searchParams.get('state'), 'over');
    assert.ok(location.searchParams.get('iss'));

    assert.equal((await open(bystander, 'b')).statusCode, 200, 'another address is not limited');
    harness.advance(62_000); // a minute and one slice of it (domain/sliding-window.ts: 1.2 s)
    const later = await open(flooder, 'later');
    assert.equal(later.statusCode, 200, `the next minute admits the address again: ${later.headers.location}`);

    // The refused request left no row: 3 + 1 + 1 requests expire, not 6.
    harness.advance(AUTHORIZATION_REQUEST_LIFETIME);
    assert.equal(await harness.store.authorizations.deleteExpired(harness.now()), 5);
  });
});
