// The baseline of the gateway scenario: Fastify and @fastify/reply-from (the proxy library under
// Gatehouse's gateway) forwarding /bench/* to the upstream, with no token check and no identity
// headers. Usage: bare-proxy.mjs <upstream URL> [reply-from|reply-from-identity|http-proxy] [log level].
// `http-proxy` uses @fastify/http-proxy (reply-from behind a route, as Gatehouse does);
// `reply-from-identity` adds the ten headers Gatehouse sends the upstream (X-Forwarded-* and the
// identity, src/http/gateway/upstream-headers.ts; values of the same length), to tell what those
// cost the proxy and the upstream from what the token check costs. The log level is Fastify's
// default logger's (at info: its two request lines, as a plain app logs).
// Prints "listening <port>".
import Fastify from 'fastify';
import httpProxy from '@fastify/http-proxy';
import replyFrom from '@fastify/reply-from';

const [upstream, kind = 'reply-from', level = 'warn'] = process.argv.slice(2);
const app = Fastify({ logger: level === 'off' ? false : { level } });
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
if (kind === 'http-proxy') {
  await app.register(httpProxy, { prefix: '/bench', upstream, rewritePrefix: '' });
} else if (kind === 'reply-from-identity') {
  const uuid = 'f07076b3-6c86-4fb9-8179-f08954340147';
  const identity = {
    'x-authenticated-scope': 'bench:read',
    'x-consumer-id': uuid,
    'x-consumer-custom-id': uuid,
    'x-consumer-username': uuid,
    'x-credential-identifier': '55c8d57e55b92f4de46fd1b04c6b79c2',
    'x-authenticated-userid': uuid,
    'x-authenticated-auth-method': 'local',
  };
  await app.register(replyFrom, { base: upstream });
  const rewriteRequestHeaders = (request, headers) => ({
    ...headers,
    'x-forwarded-for': request.ip,
    'x-forwarded-proto': request.protocol,
    'x-forwarded-host': request.host,
    ...identity,
  });
  app.all('/bench/*', (request, reply) => reply.from(request.url.slice('/bench'.length), { rewriteRequestHeaders }));
} else {
  await app.register(replyFrom, { base: upstream });
  app.all('/bench/*', (request, reply) => reply.from(request.url.slice('/bench'.length)));
}
const address = await app.listen({ host: '127.0.0.1', port: 0 });
console.error(`listening ${new URL(address).port}`); // stderr: stdout is the log
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
