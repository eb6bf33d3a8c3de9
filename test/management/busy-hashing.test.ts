import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify from 'fastify';
import { PasswordHashingBusy } from '../../src/domain/hashing-pool.js';
import { managementErrorHandler, PROBLEM_CONTENT_TYPE } from '../../src/http/management/problem-details.js';

// Issue 12 bounds the queue of password hashes; a management write that needs one (a password set
// or changed, a sign-up) while it is full is told when to come back, not given a 500.
test('a full password-hashing queue is 503 temporarily_unavailable with its Retry-After', async () => {
  const app = Fastify();
  app.setErrorHandler(managementErrorHandler);
  app.post('/users/me/password', async () => {
    throw new PasswordHashingBusy(3);
  });
  try {
    const response = await app.inject({ method: 'POST', url: '/users/me/password' });
    assert.equal(response.statusCode, 503);
    assert.equal(response.headers['retry-after'], '3');
    assert.match(String(response.headers['content-type']), new RegExp(`^${PROBLEM_CONTENT_TYPE.replace('+', '\\+')}`));
    const body = response.json();
    assert.equal(body.code, 'temporarily_unavailable');
    assert.match(body.detail, /try again/);
  } finally {
    await app.close();
  }
});
