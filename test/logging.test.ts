import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '../src/logging.js';
import { captureLogs } from './support/gatehouse-instance.js';

describe('logging', () => {
  it('redacts passwords, client secrets, tokens and credentials headers wherever they appear', async () => {
    const logs = captureLogs();
    const logger = createLogger('info', logs.stream);
    logger.info({
      params: { username: 'ann', password: 'pw-123456', client_secret: 'cs-abcdef', refresh_token: 'rt-xyz', access_token: 'at-xyz' },
      user: { passwordHash: '$argon2id$hash', email: 'ann@example.com' },
      req: { method: 'POST', url: '/auth/local/api/a/token?access_token=at-query', headers: { authorization: 'Basic Y2xpZW50OnNlY3JldA==' } },
    });
    const line = logs.lines.join('\n');
    for (const secret of ['pw-123456', 'cs-abcdef', 'rt-xyz', 'at-xyz', '$argon2id$hash', 'at-query', 'Y2xpZW50OnNlY3JldA==']) {
      assert.ok(!line.includes(secret), `${secret} leaked into the log: ${line}`);
    }
    assert.ok(line.includes('ann@example.com'), 'non-secret fields stay');
    assert.ok(line.includes('"path":"/auth/local/api/a/token"'), 'requests are logged by path');
  });
});
