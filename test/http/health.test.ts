import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createServer } from '../../src/http/create-server.js';
import { createLogger } from '../../src/logging.js';
import { minimalConfig } from '../support/config-files.js';
import { captureLogs, startTestGatehouse, testConfig } from '../support/gatehouse-instance.js';

describe('health probes', () => {
  it('/healthz answers while the process is up, on both listeners', async () => {
    const gatehouse = await startTestGatehouse();
    for (const server of [gatehouse.publicServer, gatehouse.portalServer]) {
      const response = await server.inject({ method: 'GET', url: '/healthz' });
      assert.equal(response.statusCode, 200);
      assert.equal(response.headers['cache-control'], 'no-store');
      assert.deepEqual(response.json(), { status: 'ok' });
    }
  });

  it('/readyz is 200 while the store (and Redis, when configured) answer', async () => {
    const gatehouse = await startTestGatehouse();
    const response = await gatehouse.publicServer.inject({ method: 'GET', url: '/readyz' });
    assert.equal(response.statusCode, 200);
    const expected: Record<string, string> = { store: 'up' };
    if (process.env.REDIS_URL) expected.redis = 'up';
    const counters = process.env.REDIS_URL ? 'redis' : 'memory';
    assert.deepEqual(response.json(), { status: 'ready', checks: expected, bruteForceCounters: counters, rateLimitCounters: counters });
  });

  it('/readyz is 503 once the store is unreachable, and says which dependency is down', async () => {
    const gatehouse = await startTestGatehouse();
    await gatehouse.services.store.close();
    const response = await gatehouse.portalServer.inject({ method: 'GET', url: '/readyz' });
    assert.equal(response.statusCode, 503);
    const body = response.json() as { status: string; checks: Record<string, string> };
    assert.equal(body.status, 'unavailable');
    assert.equal(body.checks.store, 'down');
  });

  it('/readyz is 200 but degraded when the configured Redis cannot be reached, naming the local fallback', async () => {
    const logs = captureLogs();
    const gatehouse = await startTestGatehouse(testConfig(minimalConfig(), { REDIS_URL: 'redis://127.0.0.1:1' }), { logs });
    const response = await gatehouse.publicServer.inject({ method: 'GET', url: '/readyz' });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), {
      status: 'degraded',
      checks: { store: 'up', redis: 'down' },
      bruteForceCounters: 'local-fallback',
      rateLimitCounters: 'local-fallback',
    });
    assert.equal(logs.lines.filter((line) => line.includes('redis unavailable')).length, 1, 'logged once, at start-up');
  });
});

describe('error bodies', () => {
  it('a server error carries fixed text and the request id, never the cause', async () => {
    const gatehouse = await startTestGatehouse();
    const logs = captureLogs();
    const app = createServer({ ...gatehouse.services, logger: createLogger('info', logs.stream) }, 'public');
    app.get('/boom', async () => {
      throw new Error('connection to db-7.internal:5432 failed for user gatehouse');
    });
    const response = await app.inject({ method: 'GET', url: '/boom' });
    assert.equal(response.statusCode, 500);
    const body = response.json() as Record<string, unknown>;
    assert.equal(body.error, 'server_error');
    assert.equal(body.error_description, 'internal error');
    assert.equal(typeof body.request_id, 'string');
    assert.doesNotMatch(response.body, /db-7|5432|gatehouse/);
    assert.ok(logs.lines.some((line) => line.includes('db-7.internal')), 'the cause is logged');
    await app.close();
  });

  it('an unknown route is a JSON 404', async () => {
    const gatehouse = await startTestGatehouse();
    const response = await gatehouse.publicServer.inject({ method: 'GET', url: '/nowhere?x=1' });
    assert.equal(response.statusCode, 404);
    assert.deepEqual(response.json(), { error: 'not_found', error_description: 'no route for GET /nowhere' });
  });
});
