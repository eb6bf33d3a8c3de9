import { appendFileSync } from 'node:fs';

// The resolve hook of record-imports.mjs.
export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  if (process.env.RECORD_IMPORTS_FILE) appendFileSync(process.env.RECORD_IMPORTS_FILE, `${resolved.url}\n`);
  return resolved;
}
