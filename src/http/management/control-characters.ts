import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendProblem } from './problem-details.js';

// No management string may carry a control character (Unicode Cc: U+0000-001F, U+007F-009F):
// PostgreSQL refuses a NUL in text (the request would fail with 500 there and be stored by
// SQLite), and ESC, CSI, BEL or CR in a stored name would reach an admin's terminal or log. No
// field of this API needs one, so the body (keys and values, at any depth), the path parameters
// and the query are checked once, before validation, the same way on both stores.

const CONTROL_CHARACTER = /\p{Cc}/u;
const MAX_DEPTH = 32; // deeper than any schema of this API; Fastify's validation refuses the rest

/** The path (`body.ownerIds[0]`) of the first string that holds a control character, or null. */
export function findControlCharacter(value: unknown, path: string, depth = 0): string | null {
  if (typeof value === 'string') return CONTROL_CHARACTER.test(value) ? path : null;
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return null;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = findControlCharacter(item, `${path}[${index}]`, depth + 1);
      if (found) return found;
    }
    return null;
  }
  for (const [key, item] of Object.entries(value)) {
    if (CONTROL_CHARACTER.test(key)) return `${path} (a property name)`;
    const found = findControlCharacter(item, `${path}.${key}`, depth + 1);
    if (found) return found;
  }
  return null;
}

export async function refuseControlCharacters(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
  const found =
    findControlCharacter(request.params, 'path') ?? findControlCharacter(request.query, 'query') ?? findControlCharacter(request.body, 'body');
  if (found === null) return undefined;
  const detail = `${found} contains a control character (U+0000-001F or U+007F-009F), which no field of this API accepts`;
  // `body.redirectUris[1]` is the field `redirectUris/1`, as validation problems name fields.
  const field = /^body\.([^ ]+)$/.exec(found)?.[1]?.replace(/\[(\d+)\]/g, '.$1').replaceAll('.', '/');
  const errors = field ? [{ field, message: 'contains a control character, which no field accepts' }] : [];
  return sendProblem(request, reply, 'invalid_request', detail, undefined, errors);
}
