// How Gatehouse's TypeScript becomes the JavaScript that runs, for dist/ (scripts/build.mjs) and
// for the tests' .test-build/ (scripts/build-tests.mjs): esbuild, one output module per source
// module (types dropped, no type check: that is `npm run typecheck`). The two dependencies that
// are published as hundreds of small ES modules are bundled once each into vendor/, and imported
// from there: Node loads ES modules one by one, and `typebox` with `typebox/value` (679 modules)
// and `kysely` (262) cost 0.6–0.7 s of CPU in every process that loaded them — each `gatehouse
// serve`, each test file — against 0.05 s bundled (issue 15). Every other package is imported as
// installed: native addons, worker files, packages that find their own files at run time.
import { build } from 'esbuild';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Each vendored import, and its bundle's name under vendor/. */
const VENDORED = new Map([
  ['typebox', 'typebox'],
  ['typebox/value', 'typebox-value'],
  ['kysely', 'kysely'],
]);

const COMMON = { format: 'esm', platform: 'node', target: 'node20', logLevel: 'warning' };

/** Bundles VENDORED into `vendorDir` (what the two typebox bundles share, in a chunk of its own). */
async function bundleVendored(vendorDir, sourcemap) {
  await build({
    ...COMMON,
    entryPoints: [...VENDORED].map(([specifier, name]) => ({ in: fileURLToPath(import.meta.resolve(specifier)), out: name })),
    outdir: vendorDir,
    bundle: true,
    splitting: true,
    chunkNames: 'shared-[hash]',
    sourcemap,
  });
}

/** Each source module stays a module of its own (its import.meta.url holds); vendored imports go to vendor/. */
function importsAsWritten(outdir, outbase) {
  return {
    name: 'imports-as-written',
    setup(esbuild) {
      esbuild.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind === 'entry-point') return undefined;
        const vendored = VENDORED.get(args.path);
        if (vendored === undefined) return { path: args.path, external: true };
        const from = path.dirname(path.join(outdir, path.relative(outbase, args.importer)));
        const relative = path.relative(from, path.join(outdir, 'vendor', `${vendored}.js`));
        return { path: relative.startsWith('.') ? relative : `./${relative}`, external: true };
      });
    },
  };
}

/** Transpiles `entryPoints` into `outdir`, mirroring their tree below `outbase`, with vendor/ beside them. */
export async function transpile({ entryPoints, outdir, outbase, sourcemap }) {
  await bundleVendored(path.join(outdir, 'vendor'), sourcemap);
  await build({ ...COMMON, entryPoints, outdir, outbase, bundle: true, sourcemap, plugins: [importsAsWritten(outdir, outbase)] });
}

/** Every .ts file below `dir` but declaration files. */
export function typeScriptSources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return typeScriptSources(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}
