// An API's reference: its OpenAPI document, served by Gatehouse (GET /api/v1/apis/{id}/openapi,
// read by the server from a file or the upstream), rendered with Swagger UI. A page of its own,
// because Swagger UI needs inline styles that the portal's CSP refuses; it signs in with the
// tab's refresh token as the portal does (session.js). "Try it out" is off: the gateway is
// another origin, which this page's CSP (connect-src 'self') does not reach; the portal's curl
// examples call it with the developer's own token instead.

import { api, refresh, signedIn } from './session.js';

const apiId = decodeURIComponent(location.hash.slice(1));
const status = document.getElementById('reference-status');
document.getElementById('back').href = `/#/apis/${encodeURIComponent(apiId)}`;

async function show() {
  if (!apiId) throw new Error('No API named: open the reference from an API’s page.');
  if (!signedIn() && !(await refresh())) {
    location.href = '/';
    return;
  }
  const [info, spec] = await Promise.all([api('GET', `/apis/${encodeURIComponent(apiId)}`), api('GET', `/apis/${encodeURIComponent(apiId)}/openapi`)]);
  // Swagger UI leaves its server list without an accessible name, and renders it when it likes.
  const reference = document.getElementById('reference');
  new MutationObserver(() => reference.querySelector('select#servers:not([aria-label])')?.setAttribute('aria-label', 'Server')).observe(reference, { childList: true, subtree: true });
  document.getElementById('reference-title').textContent = `${info.name}: API reference`;
  document.title = `${info.name} reference — Gatehouse developer portal`;
  window.SwaggerUIBundle({
    spec,
    domNode: document.getElementById('reference'),
    supportedSubmitMethods: [],
    validatorUrl: null,
    deepLinking: false,
  });
  status.textContent = '';
}

show().catch((error) => {
  status.textContent = error instanceof Error ? error.message : String(error);
  status.className = 'error';
});
