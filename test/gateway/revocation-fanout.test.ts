import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { clientParameters, postForm, REVOKE_URL } from '../support/oauth-fixtures.js';
import { bearer, login, startTwoInstances, TWO_INSTANCES_SKIP } from './gateway-harness.js';

// Two Gatehouse processes' worth of state in one test process, sharing PostgreSQL and Redis: a
// revocation on A must reach B's gateway cache. B's cache TTL is a minute, so only the Redis
// fan-out can make B refuse the token within the loop's bound.

test('a revocation on instance A is felt by the gateway of instance B', { skip: TWO_INSTANCES_SKIP ?? false }, async () => {
  const { b, harnessA } = await startTwoInstances();
  const { tokens, client } = await login(harnessA);
  const callB = () => b.publicServer.inject({ method: 'GET', url: '/orders/x', headers: bearer(tokens.access_token) });

  assert.equal((await callB()).statusCode, 201, 'B admits the token and caches it');
  const revoked = await postForm(harnessA, { token: tokens.access_token, ...clientParameters(client) }, { url: REVOKE_URL });
  assert.equal(revoked.statusCode, 200);

  let status = 0;
  for (let attempt = 0; attempt < 100 && status !== 401; attempt += 1) {
    status = (await callB()).statusCode;
    if (status !== 401) await sleep(20);
  }
  assert.equal(status, 401, 'B still admits a token revoked on A');
});
