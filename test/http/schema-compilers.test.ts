import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { sharedSchemaCompilers } from '../../src/http/schema-compilers.js';

// Fastify instances of one process share compiled validators and serialisers (issue 15: compiling
// them was a third of the CPU of a test file that builds a Gatehouse per test). A schema written
// out again as a new object still compiles once; a different one compiles on its own; and what
// the compiled functions do is what Fastify's own compilers do.

interface Compiled {
  readonly validate: unknown;
  readonly serialize: unknown;
}

interface App {
  readonly app: FastifyInstance;
  /** Posts `name`; the status, the body and the functions the route ran with. */
  post(name: string, extra?: object): Promise<{ status: number; json: unknown; compiled?: Compiled }>;
}

async function appWith(body: object, response: object): Promise<App> {
  const app = Fastify({ schemaController: { compilersFactory: sharedSchemaCompilers } });
  let compiled: Compiled | undefined;
  app.post('/things', { schema: { body, response: { 200: response } } }, async (request, reply) => {
    compiled = { validate: request.getValidationFunction('body'), serialize: reply.getSerializationFunction('200') };
    return { name: (request.body as { name: string }).name, secret: 'only if the schema names it' };
  });
  await app.ready();
  return {
    app,
    async post(name, extra = {}) {
      compiled = undefined;
      const reply = await app.inject({ method: 'POST', url: '/things', payload: { name, ...extra } });
      return { status: reply.statusCode, json: reply.json(), compiled };
    },
  };
}

const body = () => ({ type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1 } }, additionalProperties: false });
const response = () => ({ type: 'object', properties: { name: { type: 'string' } } });

test('an equal schema in another instance reuses the compiled validator and serialiser', async (t) => {
  const one = await appWith(body(), response());
  const two = await appWith(body(), response());
  t.after(() => Promise.all([one.app.close(), two.app.close()]));
  const [a, b] = [await one.post('a'), await two.post('a')];
  assert.deepEqual([a.status, a.json], [200, { name: 'a' }], 'the response schema drops what it does not name');
  assert.equal(typeof a.compiled?.validate, 'function');
  assert.equal(a.compiled?.validate, b.compiled?.validate);
  assert.equal(a.compiled?.serialize, b.compiled?.serialize);
});

test('a different schema compiles on its own, and each validates and serialises as written', async (t) => {
  const one = await appWith(body(), response());
  const stricter = body();
  stricter.properties.name.minLength = 3;
  const other = await appWith(stricter, { type: 'object', properties: { name: { type: 'string' }, secret: { type: 'string' } } });
  t.after(() => Promise.all([one.app.close(), other.app.close()]));
  assert.equal((await other.post('ab')).status, 400, 'the stricter schema of the other instance holds');
  assert.equal((await one.post('ab')).status, 200, 'and only there');
  assert.equal((await one.post('')).status, 400, 'minLength 1 still refuses');
  assert.deepEqual((await one.post('a', { extra: 1 })).json, { name: 'a' }, "Fastify's Ajv options hold: removeAdditional");
  const [a, b] = [await one.post('abc'), await other.post('abc')];
  assert.deepEqual(b.json, { name: 'abc', secret: 'only if the schema names it' });
  assert.notEqual(a.compiled?.validate, b.compiled?.validate);
  assert.notEqual(a.compiled?.serialize, b.compiled?.serialize);
});
