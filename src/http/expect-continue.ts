import type { IncomingMessage, Server, ServerResponse } from 'node:http';

// RFC 9110 §10.1.1: a client sending `Expect: 100-continue` waits for 100 (Continue) before the
// body. Node answers 100 as soon as the headers arrive, before anything has checked the request;
// here it is deferred until the route has admitted the request (a refused request gets its final
// status and the body is never sent), and the expectation is not forwarded upstream.

const awaitingContinue = new WeakSet<ServerResponse>();

export function deferContinue(server: Server): void {
  server.on('checkContinue', (request: IncomingMessage, response: ServerResponse) => {
    awaitingContinue.add(response);
    server.emit('request', request, response);
  });
}

/** Sends the deferred 100 (Continue), if the client is waiting for one. */
export function sendContinue(request: IncomingMessage, response: ServerResponse): void {
  if (request.headers.expect !== undefined && awaitingContinue.delete(response)) response.writeContinue();
}
