import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger } from '../../src/logging.js';
import { captureLogs, startTestGatehouse, testConfig } from '../support/gatehouse-instance.js';

// Issue 12: one access-log line per request, written on the response, at `info`; none at `warn`.
// It names method, path (no query), status, duration and request id, and never a credential.

const SECRET_TOKEN = 'at-never-in-the-log-123';

async function hitGatehouse(level: string) {
  const logs = captureLogs();
  const gatehouse = await startTestGatehouse(testConfig(), { logs, logger: createLogger(level, logs.stream) });
  const { public: base } = await gatehouse.listen();
  const before = logs.lines.length;
  const response = await fetch(`${base}/orders/items?access_token=${SECRET_TOKEN}`, { headers: { authorization: `Bearer ${SECRET_TOKEN}` } });
  await response.text();
  await new Promise((resolve) => setImmediate(resolve)); // onResponse runs after the last byte is written
  return { status: response.status, lines: logs.lines.slice(before).map((line) => JSON.parse(line) as Record<string, unknown>) };
}

test('at info, one line per request with method, path, status, duration and request id', async () => {
  const { status, lines } = await hitGatehouse('info');
  assert.equal(status, 401);
  const access = lines.filter((line) => line.msg === 'request' && line.listener === 'public');
  assert.equal(access.length, 1, JSON.stringify(lines));
  const [line] = access as [Record<string, unknown>];
  assert.equal(line.method, 'GET');
  assert.equal(line.path, '/orders/items');
  assert.equal(line.status, 401);
  assert.equal(typeof line.ms, 'number');
  assert.match(String(line.reqId), /\S/);
  assert.ok(!lines.some((l) => l.msg === 'incoming request' || l.msg === 'request completed'), "Fastify's two lines are gone");
  assert.ok(!JSON.stringify(lines).includes(SECRET_TOKEN), 'no token in the log');
});

test('at warn, no access line', async () => {
  const { status, lines } = await hitGatehouse('warn');
  assert.equal(status, 401);
  assert.deepEqual(lines, []);
});
