// How Gatehouse's TypeScript becomes the JavaScript that runs, for dist/ (scripts/build.mjs) and
// for the tests' .test-build/ (scripts/build-tests.mjs): esbuild, one output module per source
// module (types dropped, no type check: that is `npm run typecheck`). The dependencies that are
// published as hundreds of small modules are bundled once each into vendor/, and imported from
// there: Node loads modules one by one, and `typebox` with `typebox/value` (679 modules) and
// `kysely` (262) cost 0.6–0.7 s of CPU in every process that loaded them — each `gatehouse
// serve`, each test file — against 0.05 s bundled (issue 15). So do the server's CommonJS
// dependencies (Fastify and its plugins, undici under reply-from, ajv, yaml, prom-client: about
// 500 modules, 0.25 s of CPU in each process that starts a server). Every other package is
// imported as installed: native addons, worker files, packages that find their own files at run
// time, and what the CLI's remote commands load (their tests look for it in node_modules).
import { build } from 'esbuild';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Each vendored ES module import, and its bundle's name under vendor/. */
const VENDORED_ESM = new Map([
  ['typebox', 'typebox'],
  ['typebox/value', 'typebox-value'],
  ['kysely', 'kysely'],
]);
/** Each vendored CommonJS import, and its bundle's name under vendor/: only packages the server loads. */
const VENDORED_CJS = new Map([
  ['fastify', 'fastify'],
  ['@fastify/reply-from', 'fastify-reply-from'],
  ['@fastify/swagger', 'fastify-swagger'],
  ['@fastify/ajv-compiler', 'fastify-ajv-compiler'],
  ['@fastify/fast-json-stringify-compiler', 'fastify-fast-json-stringify-compiler'],
  ['yaml', 'yaml'],
  ['prom-client', 'prom-client'],
  ['ws', 'ws'],
  ['fast-querystring', 'fast-querystring'],
]);
const VENDORED = new Map([...VENDORED_ESM, ...VENDORED_CJS]);
/** Left to be required at run time from inside the bundles: native or optional. */
const VENDOR_EXTERNAL = ['bufferutil', 'utf-8-validate', 'pino', 'pino-*', 'thread-stream', 'sonic-boom'];
const requireHere = createRequire(import.meta.url);

const COMMON = { format: 'esm', platform: 'node', target: 'node20', logLevel: 'warning' };

/**
 * A CommonJS package as an ES module with Node's own interop: the default export is
 * module.exports, and each of its keys is a named export (esbuild refuses a named import that is
 * not among them, so a missing one fails the build, not a run).
 */
function cjsWrapper(specifier) {
  const names = Object.keys(requireHere(specifier)).filter((name) => name !== 'default' && /^[A-Za-z_$][\w$]*$/.test(name));
  // The CommonJS entry itself: a package's "import" entry may differ (ws's is a wrapper of its own).
  return `import m from ${JSON.stringify(requireHere.resolve(specifier))};\nexport default m;\nexport const { ${names.join(', ')} } = m;\n`;
}

/** Serves the virtual entry points `cjs-wrapper:<specifier>`. */
const cjsWrappers = {
  name: 'cjs-wrappers',
  setup(esbuild) {
    // Named .mjs for esbuild's Node interop: default = module.exports, even with __esModule set.
    esbuild.onResolve({ filter: /^cjs-wrapper:/ }, (args) => ({ path: `${args.path.slice('cjs-wrapper:'.length)}/wrapper.mjs`, namespace: 'cjs-wrapper' }));
    esbuild.onLoad({ filter: /.*/, namespace: 'cjs-wrapper' }, (args) => ({
      contents: cjsWrapper(args.path.slice(0, -'/wrapper.mjs'.length)),
      loader: 'js',
      resolveDir: path.dirname(fileURLToPath(import.meta.url)),
    }));
  },
};

/** Bundles VENDORED into `vendorDir` (what the bundles share, in chunks of their own). */
async function bundleVendored(vendorDir, sourcemap) {
  await build({
    ...COMMON,
    entryPoints: [
      ...[...VENDORED_ESM].map(([specifier, name]) => ({ in: fileURLToPath(import.meta.resolve(specifier)), out: name })),
      ...[...VENDORED_CJS].map(([specifier, name]) => ({ in: `cjs-wrapper:${specifier}`, out: name })),
    ],
    outdir: vendorDir,
    bundle: true,
    splitting: true,
    chunkNames: 'shared-[hash]',
    sourcemap,
    external: VENDOR_EXTERNAL,
    // The bundled CommonJS still calls require() (Node's built-ins, VENDOR_EXTERNAL): give it one.
    banner: { js: "import { createRequire as __vendorCreateRequire } from 'node:module';\nconst require = __vendorCreateRequire(import.meta.url);" },
    plugins: [cjsWrappers],
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
/** `vendorSourcemap` (default: as `sourcemap`) for vendor/ alone. */
export async function transpile({ entryPoints, outdir, outbase, sourcemap, vendorSourcemap = sourcemap }) {
  await bundleVendored(path.join(outdir, 'vendor'), vendorSourcemap);
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
