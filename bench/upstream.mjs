// The upstream API of the gateway scenarios: the smallest node:http server that answers every
// request with a short JSON body. Its own process, so that it never shares an event loop with
// Gatehouse or the load generator. Prints "listening <port>".
import http from 'node:http';

const body = Buffer.from('{"ok":true}');
const server = http.createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    response.end(body);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
process.on('SIGTERM', () => process.exit(0));
