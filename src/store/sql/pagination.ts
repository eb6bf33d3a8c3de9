import type { PageRequest } from '../store.js';

// Keyset pagination over (sort key, id): stable under concurrent inserts, unlike OFFSET.

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

export interface Keyset {
  readonly key: number | string;
  readonly id: string;
}

export function pageSize(page: PageRequest | undefined): number {
  const limit = page?.limit ?? DEFAULT_PAGE_SIZE;
  return Math.min(Math.max(Math.trunc(limit), 1), MAX_PAGE_SIZE);
}

export class InvalidCursorError extends Error {
  readonly code = 'invalid_cursor';
  constructor() {
    super('the page cursor is not valid');
    this.name = 'InvalidCursorError';
  }
}

export function decodeCursor(page: PageRequest | undefined): Keyset | null {
  if (!page?.cursor) return null;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(page.cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 2 && ['number', 'string'].includes(typeof parsed[0]) && typeof parsed[1] === 'string') {
      return { key: parsed[0] as number | string, id: parsed[1] };
    }
  } catch {
    // fall through: a malformed cursor is the caller's error, not ours
  }
  throw new InvalidCursorError();
}

/** Given `limit + 1` rows, the page of `limit` and the cursor of the next one. */
export function toPage<Row, T>(rows: readonly Row[], limit: number, keyOf: (row: Row) => Keyset, map: (row: Row) => T) {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  const nextCursor =
    rows.length > limit && last !== undefined
      ? Buffer.from(JSON.stringify([keyOf(last).key, keyOf(last).id])).toString('base64url')
      : null;
  return { items: items.map(map), nextCursor };
}
