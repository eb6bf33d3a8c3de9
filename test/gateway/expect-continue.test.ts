import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, test } from 'node:test';
import { scratchDir } from '../support/config-files.js';
import { login, startGateway } from './gateway-harness.js';

// Issue 11, item 5: `curl -T` sends `Expect: 100-continue` (RFC 9110 §10.1.1). The proxy library
// refuses that header, so every upload was 502. Gatehouse now admits the request first, answers
// 100 (Continue) itself and forwards the body without the expectation; a refused request gets
// its final status without 100, and its body is never sent.

const run = promisify(execFile);

async function curlUpload(url: string, file: string, token: string): Promise<{ status: number; trace: string; body: string }> {
  const { stdout, stderr } = await run('curl', ['-sS', '-v', '-T', file, '-H', `Authorization: Bearer ${token}`, '-w', '\n%{http_code}', url], {
    maxBuffer: 16 * 1024 * 1024,
  });
  const lines = stdout.trimEnd().split('\n');
  const status = Number(lines.pop());
  return { status, trace: stderr, body: lines.join('\n') };
}

describe('Expect: 100-continue through the gateway, with real curl -T', async () => {
  const harness = await startGateway();
  const { public: base } = await harness.gatehouse.listen();
  const session = await login(harness);
  const file = path.join(scratchDir('upload-'), 'upload.bin');
  const size = 2 * 1024 * 1024; // 2 MiB: curl asks for 100-continue before a body this size
  writeFileSync(file, Buffer.alloc(size, 'u'));

  test('an admitted upload gets 100 Continue, then the upstream receives the whole body without the expectation', async () => {
    const received = harness.upstream.received.length;
    const upload = await curlUpload(`${base}/orders/upload`, file, session.tokens.access_token);
    assert.match(upload.trace, /> Expect: 100-continue/i, 'curl did not ask for 100-continue');
    assert.match(upload.trace, /< HTTP\/1\.1 100 Continue/);
    assert.equal(upload.status, 201, upload.body);
    const last = harness.upstream.received.at(-1);
    assert.equal(harness.upstream.received.length, received + 1);
    assert.equal(last?.method, 'PUT');
    assert.equal(last?.body.length, size);
    assert.equal(last?.headers.expect, undefined);
  });

  test('a refused upload gets its 401 without 100 Continue, and nothing reaches the upstream', async () => {
    const received = harness.upstream.received.length;
    const upload = await curlUpload(`${base}/orders/upload`, file, 'NotATokenNotATokenNotATokenNotATokenNotAToke');
    assert.equal(upload.status, 401);
    assert.doesNotMatch(upload.trace, /< HTTP\/1\.1 100 Continue/);
    assert.equal(harness.upstream.received.length, received);
  });
});
