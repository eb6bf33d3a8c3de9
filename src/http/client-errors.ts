import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

// Requests Node's HTTP parser refuses before Fastify sees them: headers over Node's limit
// (--max-http-header-size, 16 KiB by default), a malformed request line or header, a request
// that takes too long to arrive. Fastify's default answers these with its own JSON shape; here
// they get the OAuth error shape every other refusal has (RFC 6749 §5.2), and never a 5xx.

interface Refusal {
  readonly status: number;
  readonly reason: string;
  readonly description: string;
}

const REFUSALS: Readonly<Record<string, Refusal>> = {
  HPE_HEADER_OVERFLOW: { status: 431, reason: 'Request Header Fields Too Large', description: 'the request headers are too large' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, reason: 'Request Timeout', description: 'the request did not arrive in time' },
};

const MALFORMED: Refusal = { status: 400, reason: 'Bad Request', description: 'the request is not valid HTTP/1.1' };

export const REQUEST_TIMEOUT = REFUSALS.ERR_HTTP_REQUEST_TIMEOUT as Refusal;

function wireResponse(refusal: Refusal): Buffer {
  const body = JSON.stringify({ error: 'invalid_request', error_description: refusal.description });
  return Buffer.from(
    `HTTP/1.1 ${refusal.status} ${refusal.reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Cache-Control: no-store\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

// Built once: these answers are the same every time.
const WIRE = new Map<Refusal, Buffer>([...Object.values(REFUSALS), MALFORMED].map((refusal) => [refusal, wireResponse(refusal)]));

/** The response in progress on a socket of Node's HTTP server (what Node's own error path checks). */
export function responseOnSocket(socket: Socket): ServerResponse | null {
  return (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage ?? null;
}

type ParsedSocket = Socket & { parser?: { incoming?: unknown } | null };

/**
 * Whether the request on the socket may still get an answer: no response of it has started. No
 * response attached while a request is being read means it was answered already (a refusal that
 * did not wait for the body).
 */
function mayStillAnswer(socket: Socket): boolean {
  const response = responseOnSocket(socket);
  if (response !== null) return !response.headersSent;
  return !(socket as ParsedSocket).parser?.incoming;
}

/**
 * Answers `refusal` and closes the connection, which frees whatever the request held (an upstream
 * request reading its body is aborted with it). Once a response has started on the socket, a
 * second one would corrupt it: the connection is only closed.
 */
export function refuseAndClose(socket: Socket, refusal: Refusal, cause?: Error): void {
  if (socket.writable && mayStillAnswer(socket)) socket.write(WIRE.get(refusal) ?? wireResponse(refusal));
  socket.destroy(cause);
}

export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  // The client went away: nobody to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  refuseAndClose(socket, REFUSALS[error.code ?? ''] ?? MALFORMED, error);
}
