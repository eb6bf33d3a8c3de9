// The baseline of the gateway scenario: Fastify and @fastify/reply-from (the proxy library under
// Gatehouse's gateway) forwarding /bench/* to the upstream, with no token check and no identity
// headers. Usage: bare-proxy.mjs <upstream URL> [reply-from|http-proxy] [log level].
// `http-proxy` uses @fastify/http-proxy (reply-from behind a route, as Gatehouse does); the log
// level is Fastify's default logger's (at info: its two request lines, as a plain app logs).
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
} else {
  await app.register(replyFrom, { base: upstream });
  app.all('/bench/*', (request, reply) => reply.from(request.url.slice('/bench'.length)));
}
const address = await app.listen({ host: '127.0.0.1', port: 0 });
console.error(`listening ${new URL(address).port}`); // stderr: stdout is the log
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
