import { AjvCompiler } from '@fastify/ajv-compiler';
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import type { FastifyServerOptions } from 'fastify';

// The validators and serialisers Fastify compiles from route schemas, shared by every instance in
// the process: a schema compiled once is not compiled again. Compiling them (Ajv and
// fast-json-stringify) was 30–40% of the CPU of a process that builds a Gatehouse per test (issue 15's
// profiles), and both listeners of one Gatehouse share schemas too. A compiled function depends only
// on its schema, the shared schemas it may $ref and the compiler's options, which make the key.
// The cache holds one entry per distinct schema in the code: bounded.

type CompilersFactory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;
type BuildValidator = NonNullable<CompilersFactory['buildValidator']>;
type BuildSerializer = NonNullable<CompilersFactory['buildSerializer']>;

function memoised<T>(cache: Map<string, T>, key: string, compile: () => T): T {
  let compiled = cache.get(key);
  if (compiled === undefined) {
    compiled = compile();
    cache.set(key, compiled);
  }
  return compiled;
}

// Ajv's own pool keeps one Ajv per set of shared schemas and options, so those compile once too.
const validatorPool = AjvCompiler();
const validators = new Map<string, unknown>();
const buildValidator: BuildValidator = (externalSchemas, options) => {
  const compiler = validatorPool(externalSchemas, options);
  const context = JSON.stringify([externalSchemas, options?.customOptions]);
  return (route) => memoised(validators, `${context}${JSON.stringify(route.schema)}`, () => compiler(route)) as ReturnType<typeof compiler>;
};

const serializerFactory = SerializerSelector();
const serializers = new Map<string, unknown>();
const buildSerializer: BuildSerializer = (externalSchemas, options) => {
  const compiler = serializerFactory(externalSchemas, options);
  const context = JSON.stringify([externalSchemas, options]);
  return (route) => memoised(serializers, `${context}${JSON.stringify(route.schema)}`, () => compiler(route)) as ReturnType<typeof compiler>;
};

export const sharedSchemaCompilers: CompilersFactory = { buildValidator, buildSerializer };
