// Builds dist/ (tsc -p tsconfig.build.json) when it is missing or older than its sources, so that
// `npm test` and `npm start` never run yesterday's build. tsc rewrites every output file on each
// build, so dist/cli/main.js's time is the build's time.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

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
  const inputs = ['tsconfig.json', 'tsconfig.build.json', 'package.json'].map((file) => statSync(path.join(root, file)).mtimeMs);
  return Math.max(newestSource(path.join(root, 'src')), ...inputs) > built;
}

/** Returns false (after tsc printed why) when the build fails. */
export function buildIfStale() {
  if (!distIsStale()) return true;
  process.stderr.write('dist/ is older than src/: building (tsc -p tsconfig.build.json)\n');
  const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
  return spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit' }).status === 0;
}
