// The baseline of the gateway scenario: the proxy library Gatehouse uses (@fastify/http-proxy on
// Fastify), with no token check, no identity headers and no logging. Usage: bare-proxy.mjs <upstream URL>.
// Prints "listening <port>".
import Fastify from 'fastify';
import httpProxy from '@fastify/http-proxy';

const app = Fastify({ logger: false });
app.removeAllContentTypeParsers();
await app.register(httpProxy, { prefix: '/bench', upstream: process.argv[2], rewritePrefix: '', disableRequestLogging: true });
const address = await app.listen({ host: '127.0.0.1', port: 0 });
console.log(`listening ${new URL(address).port}`);
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
