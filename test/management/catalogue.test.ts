import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startManagement } from './management-fixtures.js';

describe('/api/v1/apis', () => {
  it('names the port the public listener is bound to, when the config asks for any free one', async () => {
    const h = await startManagement();
    const developer = await h.person({ name: 'dev' });
    const { public: publicAddress } = await h.gatehouse.listen();
    const port = new URL(publicAddress).port;
    assert.notEqual(port, '0');
    const response = await h.call(developer.token, 'GET', '/api/v1/apis/orders');
    assert.equal(response.statusCode, 200);
    const api = response.json() as { endpoint: string; tokenUrls: { url: string }[] };
    assert.equal(new URL(api.endpoint).port, port);
    assert.equal(new URL(api.tokenUrls[0]?.url ?? 'http://x').port, port);
    assert.equal(new URL(api.endpoint).pathname, '/orders');
  });

  it('lists the grants each API’s token endpoint serves', async () => {
    const h = await startManagement();
    const developer = await h.person({ name: 'dev' });
    const response = await h.call(developer.token, 'GET', '/api/v1/apis/orders');
    const { grants } = response.json() as { grants: string[] };
    assert.ok(grants.includes('client_credentials') && grants.includes('password') && grants.includes('refresh_token'), grants.join());
    assert.ok(grants.every((grant) => ['password', 'refresh_token', 'authorization_code', 'client_credentials'].includes(grant)), grants.join());
  });
});
