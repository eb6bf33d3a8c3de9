// Transpiles src/ and test/ (TypeScript to JavaScript, types dropped, no type check: that is
// `npm run typecheck`) into .test-build/, for scripts/run-tests.mjs. Loading TypeScript through
// tsx's loader hooks cost each test file's process about 1.2 s of CPU (Node 20 runs loader hooks on
// a thread of their own, for every module, node_modules included): most of a test file's cost
// (issue 15). The tree is mirrored, so relative paths hold; package.json and portal/ are linked
// in for the modules that read them relative to their own URL.
import { build } from 'esbuild';
import { mkdirSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const TEST_BUILD = path.join(root, '.test-build');

function sources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return entry.name.endsWith(".ts") && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

export async function buildTests() {
  rmSync(TEST_BUILD, { recursive: true, force: true });
  mkdirSync(TEST_BUILD, { recursive: true });
  await build({
    entryPoints: [...sources(path.join(root, 'src')), ...sources(path.join(root, 'test'))],
    outdir: TEST_BUILD,
    outbase: root,
    outExtension: { '.js': '.js' },
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  for (const name of ['package.json', 'portal']) symlinkSync(path.join(root, name), path.join(TEST_BUILD, name));
}

if (import.meta.url === `file://${process.argv[1]}`) await buildTests();
