import type { FastifyReplyFromHooks } from '@fastify/reply-from';

// An upstream may close an idle keep-alive connection just as the gateway sends the next request
// on it (RFC 9112 §9.3: either side may close an idle connection at any time); the request then
// fails with a reset before any response, and the client would get a 502 for nothing. RFC 9110
// §9.2.2 lets an intermediary repeat an idempotent request after such a failure, so it is sent
// once more, on another connection — only when it has no body to send again (the gateway streams
// bodies through unbuffered, so a body that has been read once is gone).

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']); // RFC 9110 §9.2.2
// ECONNRESET / EPIPE from the socket, undici's own "other side closed".
const CONNECTION_LOST = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);
const RETRY_AFTER_MS = 1; // reply-from takes 0 as "do not retry"

type RetryDelay = NonNullable<FastifyReplyFromHooks['retryDelay']>;

export const retryLostConnection: RetryDelay = ({ err, req, attempt }) => {
  if (attempt > 0 || err === null || err === undefined) return null;
  if (!CONNECTION_LOST.has((err as { code?: string }).code ?? '')) return null;
  const { method, body } = req as unknown as { method: string; body: unknown };
  const bodiless = body === undefined || body === null || body === '';
  return IDEMPOTENT.has(method) && bodiless ? RETRY_AFTER_MS : null;
};
