// Builds dist/ (scripts/build.mjs) when it is missing or older than its sources, so that
// `npm test` and `npm start` never run yesterday's build. Each build writes dist/ anew, so
// dist/cli/main.js's time is the build's time.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDist } from './build.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const builtCli = path.join(root, 'dist/cli/main.js');

function newestSource(dir) {
  return readdirSync(dir, { withFileTypes: true }).reduce((newest, entry) => {
    const full = path.join(dir, entry.name);
    const time = entry.isDirectory() ? newestSource(full) : entry.name.endsWith('.ts') ? statSync(full).mtimeMs : 0;
    return Math.max(newest, time);
  }, 0);
}

export function distIsStale() {
  let built;
  try {
    built = statSync(builtCli).mtimeMs;
  } catch {
    return true;
  }
  const inputs = ['package.json', 'scripts/build.mjs', 'scripts/transpile.mjs'].map((file) => statSync(path.join(root, file)).mtimeMs);
  return Math.max(newestSource(path.join(root, 'src')), ...inputs) > built;
}

/** Returns false (after esbuild printed why) when the build fails. */
export async function buildIfStale() {
  if (!distIsStale()) return true;
  process.stderr.write('dist/ is older than src/: building (scripts/build.mjs)\n');
  try {
    await buildDist();
    return true;
  } catch {
    return false;
  }
}
