import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

// The developer portal's static files: one HTML page, a few vanilla JS modules, one stylesheet,
// served by the portal listener itself (no CDN, no build step, nothing fetched at run time). The
// page is only a client of the management API under /api/v1: it has no data path of its own.
// A fixed list of files does not need @fastify/static; a route per file also means no path from the
// URL ever reaches the file system.

// src/http/ and dist/http/ are both two levels below the package root, where portal/ lives.
const PORTAL_DIR = new URL('../../portal/', import.meta.url);

const SCRIPT = 'text/javascript; charset=utf-8';
/** Every file the page loads: the entry module imports the others (native ES modules, no bundler). */
export const PORTAL_MODULES = ['app.js', 'session.js', 'dom.js', 'apis.js', 'applications.js', 'admin.js'] as const;

const FILES = [
  { url: '/', file: 'index.html', type: 'text/html; charset=utf-8' },
  { url: '/portal/app.css', file: 'app.css', type: 'text/css; charset=utf-8' },
  // Browsers ask for /favicon.ico whatever the page links; an SVG answers both.
  { url: '/favicon.ico', file: 'favicon.svg', type: 'image/svg+xml' },
  { url: '/portal/favicon.svg', file: 'favicon.svg', type: 'image/svg+xml' },
  ...PORTAL_MODULES.map((file) => ({ url: `/portal/${file}`, file, type: SCRIPT })),
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

function securityHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', PORTAL_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'no-referrer')
    .header('cross-origin-opener-policy', 'same-origin')
    // The files change with each release; no-cache revalidates instead of running stale JS.
    .header('cache-control', 'no-cache');
}

export async function portalPages(app: FastifyInstance): Promise<void> {
  for (const { url, file, type } of FILES) {
    // Read once at start-up: a missing file fails the start, not a visitor's request.
    const body = readFileSync(fileURLToPath(new URL(file, PORTAL_DIR)));
    app.get(url, { schema: { hide: true } }, async (_request, reply) => securityHeaders(reply).type(type).send(body));
  }
}
