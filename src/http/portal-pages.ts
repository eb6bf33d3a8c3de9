import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

// The developer portal's static files: one HTML page, a few vanilla JS modules, one stylesheet,
// served by the portal listener itself (no CDN, no build step, nothing fetched at run time). The
// page is only a client of the management API under /api/v1: it has no data path of its own.
// A fixed list of files does not need @fastify/static; a route per file also means no path from the
// URL ever reaches the file system.

// src/http/ and dist/http/ are both two levels below the package root, where portal/ lives.
const PORTAL_DIR = new URL('../../portal/', import.meta.url);

const SCRIPT = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';
/** Every file the page loads: the entry module imports the others (native ES modules, no bundler). */
export const PORTAL_MODULES = [
  'app.js', 'session.js', 'dom.js', 'apis.js', 'applications.js', 'admin.js',
  'audit.js', 'lockouts.js', 'profile.js', 'sign-up.js', 'sign-ups.js', 'reference.js',
] as const;

// The API reference page renders an API's OpenAPI document with Swagger UI (swagger-ui-dist from
// npm, served from here like the rest). Swagger UI sets inline styles and uses data: images for
// its icons, so that one page's CSP allows those two; scripts stay 'self' only, no eval.
const SWAGGER_UI = new URL('./', pathToFileURL(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json')));

const FILES: readonly { url: string; file: string; type: string; dir?: URL; csp?: string }[] = [
  { url: '/', file: 'index.html', type: 'text/html; charset=utf-8' },
  { url: '/portal/app.css', file: 'app.css', type: CSS },
  // Browsers ask for /favicon.ico whatever the page links; an SVG answers both.
  { url: '/favicon.ico', file: 'favicon.svg', type: 'image/svg+xml' },
  { url: '/portal/favicon.svg', file: 'favicon.svg', type: 'image/svg+xml' },
  ...PORTAL_MODULES.map((file) => ({ url: `/portal/${file}`, file, type: SCRIPT })),
  { url: '/reference.html', file: 'reference.html', type: 'text/html; charset=utf-8', csp: 'reference' },
  { url: '/portal/reference.css', file: 'reference.css', type: CSS },
  { url: '/portal/vendor/swagger-ui-bundle.js', file: 'swagger-ui-bundle.js', type: SCRIPT, dir: SWAGGER_UI },
  { url: '/portal/vendor/swagger-ui.css', file: 'swagger-ui.css', type: CSS, dir: SWAGGER_UI },
];

/**
 * No inline script or style and nothing from elsewhere, so injected markup could not run even if
 * some text were ever rendered as HTML; no framing (clickjacking of the approve button); no
 * referrer (URLs carry ids); forms post nowhere (the JS sends JSON with fetch).
 */
export const PORTAL_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The reference page's: the portal's, plus Swagger UI's inline styles and data: icons. */
export const REFERENCE_CSP = PORTAL_CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'").replace("img-src 'self'", "img-src 'self' data:");

function securityHeaders(reply: FastifyReply, csp = PORTAL_CSP): FastifyReply {
  return reply
    .header('content-security-policy', csp)
    .header('x-content-type-options', 'nosniff')
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'no-referrer')
    .header('cross-origin-opener-policy', 'same-origin')
    // The files change with each release; no-cache revalidates instead of running stale JS.
    .header('cache-control', 'no-cache');
}

export async function portalPages(app: FastifyInstance): Promise<void> {
  for (const { url, file, type, dir = PORTAL_DIR, csp } of FILES) {
    // Read once at start-up: a missing file fails the start, not a visitor's request.
    const body = readFileSync(fileURLToPath(new URL(file, dir)));
    const policy = csp === 'reference' ? REFERENCE_CSP : PORTAL_CSP;
    app.get(url, { schema: { hide: true } }, async (_request, reply) => securityHeaders(reply, policy).type(type).send(body));
  }
}
