// Each command's code is imported when that command runs, not when the CLI starts: importing the
// server for every call made `gatehouse --help` and each management command take 1–2 s (issue 15).

/** A commander action that loads its implementation on first use. */
export function lazyAction<A extends unknown[]>(load: () => Promise<(...args: A) => Promise<void>>): (...args: A) => Promise<void> {
  return async (...args) => (await load())(...args);
}
