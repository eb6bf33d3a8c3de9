import assert from 'node:assert/strict';
import { request } from 'node:http';
import { once } from 'node:events';
import { describe, test } from 'node:test';
import { WebSocket } from 'ws';
import { bearer, login, startGateway } from './gateway-harness.js';

// Through real sockets: Gatehouse listening on port 0, in front of the recording upstream.
describe('streaming and WebSockets through real sockets', async () => {
  const harness = await startGateway();
  const { public: base } = await harness.gatehouse.listen();
  const session = await login(harness);
  const CHUNK = Buffer.alloc(64 * 1024, 'g'); // 64 KiB

  test('bodies stream both ways: each chunk comes back before the next one is sent', async () => {
    const req = request(`${base}/orders/echo`, { method: 'POST', headers: { ...bearer(session.tokens.access_token), 'content-type': 'application/octet-stream' } });
    req.write(CHUNK);
    const [response] = (await once(req, 'response')) as [import('node:http').IncomingMessage];
    assert.equal(response.statusCode, 200);
    // A buffering proxy would answer only after the request ended, and this exchange would hang.
    let received = 0;
    let sent = 1;
    for await (const data of response as AsyncIterable<Buffer>) {
      received += data.length;
      if (received < sent * CHUNK.length) continue;
      if (sent === 8) req.end();
      else {
        req.write(CHUNK);
        sent += 1;
      }
    }
    assert.equal(received, 8 * CHUNK.length);
  });

  test('128 MiB through the gateway without the process holding it in memory', async () => {
    const total = 128 * 1024 * 1024;
    const echoedBefore = harness.upstream.echoedBytes();
    // What is in flight between the client's writes and what came back. A gateway that buffered
    // either body whole would hold back all of it before answering; streaming with backpressure
    // keeps this to the pipes' buffers. Those are large on loopback: eight socket buffers on the
    // way there and back, which Linux may autotune up to tcp_wmem/tcp_rmem's maximum (4 and 32 MiB
    // here), and 25 MiB were once in flight through a streaming gateway (a CI run, when the body
    // was 50 MiB and the bound its half). Half of 128 MiB is over twice that.
    let received = 0;
    let peakInFlight = 0;
    const req = request(`${base}/orders/echo`, { method: 'PUT', headers: { ...bearer(session.tokens.access_token), 'content-type': 'application/octet-stream' } });
    const responded = once(req, 'response');
    let sent = 0;
    const pump = async () => {
      while (sent < total) {
        sent += CHUNK.length;
        if (!req.write(CHUNK)) await once(req, 'drain');
        peakInFlight = Math.max(peakInFlight, sent - received);
      }
      req.end();
    };
    const pumping = pump();
    const [response] = (await responded) as [import('node:http').IncomingMessage];
    response.on('data', (data: Buffer) => {
      received += data.length;
    });
    await Promise.all([pumping, once(response, 'end')]);
    assert.equal(received, total);
    assert.equal(harness.upstream.echoedBytes() - echoedBefore, total);
    assert.ok(peakInFlight < total / 2, `${Math.round(peakInFlight / 1024 / 1024)} MiB were in flight at once`);
  });

  test('a WebSocket echo through the gateway, with the identity headers on the upgrade', async () => {
    const socket = new WebSocket(`${base.replace('http', 'ws')}/orders/socket?room=1`, {
      headers: {
        ...bearer(session.tokens.access_token),
        'x-authenticated-userid': 'spoofed',
        X_Authenticated_Userid: 'spoofed',
        'X-Consumer_ID': 'spoofed',
      },
    });
    await once(socket, 'open');
    socket.send('hello');
    const [message] = (await once(socket, 'message')) as [Buffer];
    assert.equal(String(message), 'echo: hello');
    socket.close();
    await once(socket, 'close');
    const upgrade = harness.upstream.upgrades.at(-1);
    assert.ok(upgrade);
    assert.equal(upgrade['x-authenticated-userid'], session.userId);
    assert.equal(upgrade['x-consumer-custom-id'], session.client.subscription.id);
    // A WSGI upstream reads _ as -: these would be the identity headers there (issue 13).
    assert.equal(upgrade.x_authenticated_userid, undefined);
    assert.equal(upgrade['x-consumer_id'], undefined);
    assert.equal(upgrade.authorization, undefined);
  });

  test('a WebSocket upgrade without a valid token is refused with 401 before reaching the upstream', async () => {
    const upgrades = harness.upstream.upgrades.length;
    for (const headers of [{}, bearer('NotATokenNotATokenNotATokenNotATokenNotAToke')]) {
      const socket = new WebSocket(`${base.replace('http', 'ws')}/orders/socket`, { headers });
      socket.on('error', () => {}); // terminate() below reports the aborted handshake as an error
      const [, response] = (await once(socket, 'unexpected-response')) as [unknown, import('node:http').IncomingMessage];
      assert.equal(response.statusCode, 401);
      assert.match(String(response.headers['www-authenticate']), /^Bearer realm="orders"/);
      socket.terminate();
    }
    assert.equal(harness.upstream.upgrades.length, upgrades);
  });
});
