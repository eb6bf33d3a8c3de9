import type { Socket } from 'node:net';

// Requests Node's HTTP parser refuses before Fastify sees them: headers over Node's limit
// (--max-http-header-size, 16 KiB by default), a malformed request line or header, a request
// that takes too long to arrive. Fastify's default answers these with its own JSON shape; here
// they get the OAuth error shape every other refusal has (RFC 6749 §5.2), and never a 5xx.

const REFUSALS: Readonly<Record<string, { status: number; reason: string; description: string }>> = {
  HPE_HEADER_OVERFLOW: { status: 431, reason: 'Request Header Fields Too Large', description: 'the request headers are too large' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, reason: 'Request Timeout', description: 'the request did not arrive in time' },
};

const MALFORMED = { status: 400, reason: 'Bad Request', description: 'the request is not valid HTTP/1.1' };

export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  // The client went away: nobody to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const refusal = REFUSALS[error.code ?? ''] ?? MALFORMED;
  const body = JSON.stringify({ error: 'invalid_request', error_description: refusal.description });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${refusal.status} ${refusal.reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Cache-Control: no-store\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
