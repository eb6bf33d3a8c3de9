import { StoreConflictError, StoreReferenceError } from '../store.js';

// Maps each dialect's constraint violations onto the store's two error types.

function codeOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null ? String((error as { code?: unknown }).code ?? '') : undefined;
}

export function isUniqueViolation(error: unknown): boolean {
  const code = codeOf(error);
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

export function isForeignKeyViolation(error: unknown): boolean {
  const code = codeOf(error);
  return code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}

/** Runs `operation`, turning constraint violations into StoreConflictError / StoreReferenceError. */
export async function withConstraints<T>(entity: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (isUniqueViolation(error)) throw new StoreConflictError(entity, error);
    if (isForeignKeyViolation(error)) throw new StoreReferenceError(entity, error);
    throw error;
  }
}
