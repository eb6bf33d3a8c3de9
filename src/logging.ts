import pino, { type Logger } from 'pino';

// Structured JSON logs. Passwords, client secrets and tokens must never reach a log, so every
// place they can travel is redacted, and requests are logged by path only (a query string may
// carry an access_token, RFC 6750 §2.3).

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.client_secret',
  '*.clientSecret',
  '*.refresh_token',
  '*.access_token',
  '*.token',
  '*.passwordHash',
  '*.clientSecretHash',
  'body',
  '*.body',
];

interface RequestLike {
  method?: string;
  url?: string;
  ip?: string;
  id?: string;
}

export function pathOnly(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      serializers: {
        req: (req: RequestLike) => ({ id: req.id, method: req.method, path: pathOnly(req.url), ip: req.ip }),
        err: pino.stdSerializers.err,
      },
      base: { service: 'gatehouse' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
