import assert from 'node:assert/strict';
import { it } from 'node:test';
import { StoreConflictError, StoreReferenceError, type Page, type PageRequest, type Store } from '../../../src/store/store.js';

export interface OpenedStore {
  readonly store: Store;
  /** Closes the store (and any peers still open) and deletes its data. */
  readonly cleanup: () => Promise<void>;
  /**
   * Another, independent Store on the same data (its own connections), as a second Gatehouse
   * process would open it. Only backends that serve several processes provide it.
   */
  readonly openPeer?: () => Promise<Store>;
}

export type OpenStore = () => Promise<OpenedStore>;

export type StoreTest = (title: string, body: (store: Store, opened: OpenedStore) => Promise<void>) => void;

/** An `it` that runs its body against a freshly opened, empty store and always cleans up. */
export function storeTest(open: OpenStore): StoreTest {
  return (title, body) =>
    it(title, async () => {
      const opened = await open();
      try {
        await body(opened.store, opened);
      } finally {
        await opened.cleanup();
      }
    });
}

/** Walks a paginated listing to its end; returns every page. */
export async function allPages<T>(list: (page: PageRequest) => Promise<Page<T>>, limit: number): Promise<(readonly T[])[]> {
  const pages: (readonly T[])[] = [];
  let cursor: string | null = null;
  do {
    const page: Page<T> = await list({ limit, cursor });
    assert.ok(page.items.length <= limit, `a page holds at most ${limit} items, got ${page.items.length}`);
    pages.push(page.items);
    cursor = page.nextCursor;
    assert.ok(pages.length <= 100, 'pagination does not terminate');
  } while (cursor !== null);
  return pages;
}

export const ids = (items: readonly { readonly id: string }[]): string[] => items.map((item) => item.id);

export const sorted = (values: readonly string[]): string[] => [...values].sort();

/** Asserts that `promise` rejects with an error of `type` carrying `code`. */
export async function rejectsWithCode(
  promise: Promise<unknown>,
  type: abstract new (...args: never[]) => Error,
  code: string,
): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof type, `expected ${type.name}, got ${String(error)}`);
    assert.equal((error as { code?: unknown }).code, code);
    return true;
  });
}

export const rejectsWithConflict = (promise: Promise<unknown>): Promise<void> =>
  rejectsWithCode(promise, StoreConflictError, 'store_conflict');

export const rejectsWithMissingReference = (promise: Promise<unknown>): Promise<void> =>
  rejectsWithCode(promise, StoreReferenceError, 'store_missing_reference');
