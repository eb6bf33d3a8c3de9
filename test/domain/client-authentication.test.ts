import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { authenticateClient, parseBasicAuthorization } from '../../src/domain/client-authentication.js';
import { OAuthError } from '../../src/domain/oauth-error.js';
import { hashTokenValue, matchesTokenHash, newTokenValue } from '../../src/domain/token-values.js';
import type { Application, Subscription } from '../../src/store/store.js';

const basic = (raw: string) => `Basic ${Buffer.from(raw).toString('base64')}`;

describe('RFC 6749 §2.3.1 HTTP Basic', () => {
  it('decodes both halves as application/x-www-form-urlencoded', () => {
    assert.deepEqual(parseBasicAuthorization(basic('my+client%3Aid:s%C3%A9cret%2B%3A+x')), { clientId: 'my client:id', clientSecret: 'sécret+: x' });
  });

  it('splits at the first colon, and an empty secret means none', () => {
    assert.deepEqual(parseBasicAuthorization(basic('id:a:b')), { clientId: 'id', clientSecret: 'a:b' });
    assert.deepEqual(parseBasicAuthorization(basic('public-id:')), { clientId: 'public-id', clientSecret: undefined });
  });

  it('is case-insensitive in the scheme; no header is null', () => {
    assert.deepEqual(parseBasicAuthorization(`basic ${Buffer.from('a:b').toString('base64')}`), { clientId: 'a', clientSecret: 'b' });
    assert.equal(parseBasicAuthorization(undefined), null);
  });

  for (const [name, header, code] of [
    ['no colon', basic('nocolon'), 'invalid_client'],
    ['empty client id', basic(':secret'), 'invalid_client'],
    ['bad percent-encoding', basic('id:%E0%A4%A'), 'invalid_client'],
    ['another scheme', 'Bearer abc', 'invalid_request'],
  ] as const) {
    it(`refuses ${name} with ${code}`, () => {
      assert.throws(
        () => parseBasicAuthorization(header),
        (error: unknown) => error instanceof OAuthError && error.code === code && error.clientUsedBasic === (code === 'invalid_client'),
      );
    });
  }
});

describe('authenticateClient', () => {
  const secret = newTokenValue();
  const subscription = { id: 's1', apiId: 'orders', applicationId: 'a1', clientId: 'c1', clientSecretHash: hashTokenValue(secret) } as Subscription;
  const deps = (clientType: 'confidential' | 'public') => ({
    subscriptions: {
      findClient: async (id: string) => (id === 'c1' ? { subscription, application: { id: 'a1', clientType } as Application } : null),
    },
  });
  const params = (entries: Record<string, string>) => new Map(Object.entries(entries));

  it('names the method used', async () => {
    const viaBasic = await authenticateClient({ authorization: basic(`c1:${secret}`), parameters: params({}) }, 'orders', deps('confidential'));
    assert.equal(viaBasic.method, 'client_secret_basic');
    const viaBody = await authenticateClient({ authorization: undefined, parameters: params({ client_id: 'c1', client_secret: secret }) }, 'orders', deps('confidential'));
    assert.equal(viaBody.method, 'client_secret_post');
    const publicClient = await authenticateClient({ authorization: undefined, parameters: params({ client_id: 'c1' }) }, 'orders', deps('public'));
    assert.equal(publicClient.method, 'none');
  });

  it("refuses the right secret at another API's endpoint", async () => {
    await assert.rejects(
      authenticateClient({ authorization: undefined, parameters: params({ client_id: 'c1', client_secret: secret }) }, 'billing', deps('confidential')),
      (error: unknown) => error instanceof OAuthError && error.code === 'invalid_client',
    );
  });
});

describe('token values', () => {
  it('are 256-bit base64url, distinct, and matched against their SHA-256 only', () => {
    const values = new Set(Array.from({ length: 100 }, newTokenValue));
    assert.equal(values.size, 100);
    for (const value of values) assert.match(value, /^[A-Za-z0-9_-]{43}$/);
    const [one] = values;
    assert.ok(one);
    assert.equal(hashTokenValue(one), hashTokenValue(one));
    assert.match(hashTokenValue(one), /^[0-9a-f]{64}$/);
    assert.equal(matchesTokenHash(one, hashTokenValue(one)), true);
    assert.equal(matchesTokenHash(`${one}x`, hashTokenValue(one)), false);
    assert.equal(matchesTokenHash(one, 'not-hex'), false);
  });
});
