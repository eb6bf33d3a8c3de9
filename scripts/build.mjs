// `npm run build`: src/ into dist/ (scripts/transpile.mjs), replacing what was there. The type
// check is `npm run typecheck`.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { transpile, typeScriptSources } from './transpile.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export async function buildDist() {
  const dist = path.join(root, 'dist');
  rmSync(dist, { recursive: true, force: true });
  await transpile({ entryPoints: typeScriptSources(path.join(root, 'src')), outdir: dist, outbase: path.join(root, 'src'), sourcemap: true });
}

if (import.meta.url === `file://${process.argv[1]}`) await buildDist();
