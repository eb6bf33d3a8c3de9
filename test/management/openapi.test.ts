import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { startManagement } from './management-fixtures.js';

// /openapi.json is generated from the schemas the routes validate with: every management route is
// in it, every $ref resolves, and the document says how to sign in.

interface OpenApiDocument {
  readonly openapi: string;
  readonly info: { readonly title: string; readonly description: string };
  readonly paths: Record<string, Record<string, { responses: Record<string, unknown>; security?: unknown[] }>>;
  readonly components: { readonly schemas: Record<string, unknown>; readonly securitySchemes: Record<string, unknown> };
}

function refsIn(value: unknown, found: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) value.forEach((item) => refsIn(item, found));
  else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === '$ref' && typeof inner === 'string') found.add(inner);
      else refsIn(inner, found);
    }
  }
  return found;
}

describe('OpenAPI document', () => {
  it('is OpenAPI 3.1 with every management route, resolvable references and the problem responses', async () => {
    const h = await startManagement();
    const response = await h.call(null, 'GET', '/openapi.json');
    assert.equal(response.statusCode, 200);
    const document = response.json() as OpenApiDocument;
    assert.equal(document.openapi, '3.1.0');
    assert.match(document.info.description, /gatehouse-portal/);

    const open = ['/api/v1/sign-in', '/api/v1/sign-up'];
    for (const path of ['/api/v1/users', '/api/v1/subscriptions/{subscriptionId}/approve', '/api/v1/approvals', '/api/v1/audit-events', ...open, '/api/v1/users/{userId}/sign-up/approve']) {
      assert.ok(document.paths[path], `${path} is documented`);
    }
    for (const [path, operations] of Object.entries(document.paths)) {
      assert.ok(path.startsWith('/api/v1/'), path);
      for (const [method, operation] of Object.entries(operations)) {
        const url = path.replace(/\{(\w+)\}/g, ':$1');
        assert.ok(h.gatehouse.portalServer.hasRoute({ method: method.toUpperCase() as 'GET', url }), `${method} ${path} is served`);
        assert.ok(operation.responses['4XX'], `${method} ${path} documents its problems`);
        assert.deepEqual(operation.security, open.includes(path) ? [] : [{ bearer: [] }], `${method} ${path}: who may call`);
      }
    }

    const refs = refsIn(document);
    for (const name of ['User', 'Application', 'Subscription', 'Problem', 'Login', 'AuditEvent']) {
      assert.ok(refs.has(`#/components/schemas/${name}`), `${name} is referenced`);
    }
    for (const ref of refs) {
      const match = /^#\/components\/schemas\/(.+)$/.exec(ref);
      assert.ok(match && document.components.schemas[match[1] as string], `${ref} resolves`);
    }
    assert.ok(document.components.securitySchemes.bearer);
  });

  it('validates against the OpenAPI 3.1 schema', async () => {
    const h = await startManagement();
    const document = (await h.call(null, 'GET', '/openapi.json')).json() as Record<string, unknown>;
    const result = await new Validator().validate(document);
    assert.deepEqual(result.errors ?? [], []);
    assert.equal(result.valid, true);
    const broken = await new Validator().validate({ ...document, paths: { '/x': { get: { responses: 'none' } } } });
    assert.equal(broken.valid, false);
  });

  it('documents what the server validates: a body the schema refuses is a 400 problem', async () => {
    const h = await startManagement();
    const dev = await h.person();
    const response = await h.call(dev.token, 'POST', '/api/v1/applications', { name: 'X', clientType: 'secret-keeping' });
    assert.equal(response.statusCode, 400);
    assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
    assert.equal((response.json() as { code: string }).code, 'validation_failed');
  });
});
