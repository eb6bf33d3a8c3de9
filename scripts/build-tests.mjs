// Transpiles src/ and test/ into .test-build/ (scripts/transpile.mjs), for scripts/run-tests.mjs.
// Loading TypeScript through tsx's loader hooks cost each test file's process about 1.2 s of CPU
// (Node 20 runs loader hooks on a thread of their own, for every module, node_modules included):
// most of a test file's cost (issue 15). The tree is mirrored, so relative paths hold;
// package.json and portal/ are linked in for the modules that read them relative to their own URL.
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { transpile, typeScriptSources } from './transpile.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const TEST_BUILD = path.join(root, '.test-build');

export async function buildTests() {
  rmSync(TEST_BUILD, { recursive: true, force: true });
  mkdirSync(TEST_BUILD, { recursive: true });
  await transpile({
    entryPoints: [...typeScriptSources(path.join(root, 'src')), ...typeScriptSources(path.join(root, 'test'))],
    outdir: TEST_BUILD,
    outbase: root,
    sourcemap: 'inline',
    // None for the bundled packages: the tests run with --enable-source-maps, under which Node
    // decodes every inline map as its module loads, 0.2 s of CPU per test file for vendor/'s 10 MB
    // of maps; their stack frames name vendor/ lines instead of node_modules/ files.
    vendorSourcemap: false,
  });
  for (const name of ['package.json', 'portal']) symlinkSync(path.join(root, name), path.join(TEST_BUILD, name));
}

if (import.meta.url === `file://${process.argv[1]}`) await buildTests();
