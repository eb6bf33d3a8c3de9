import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface TempDir {
  readonly path: string;
  readonly remove: () => void;
}

/** A fresh directory under the OS temp dir, e.g. a data directory for the embedded store. */
export function tempDir(prefix = 'gatehouse-test-'): TempDir {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { path: dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
