import Value from 'typebox/value';

// Turns the first schema violation into one line that names the key and what was expected.

interface SchemaError {
  readonly keyword: string;
  readonly schemaPath: string;
  readonly instancePath: string;
  readonly params: Record<string, unknown>;
  readonly message: string;
}

/** `/apis/1/authMethods/0` → `apis[1].authMethods[0]`, prefixed by `base`. */
export function keyPath(base: string, pointer: string): string {
  let path = base;
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    path += /^\d+$/.test(part) ? `[${part}]` : path === '' ? part : `.${part}`;
  }
  return path === '' ? '(top level)' : path;
}

function describedExpectation(schema: unknown, schemaPath: string): string | null {
  let node: unknown = schema;
  for (const raw of schemaPath.replace(/^#\/?/, '').split('/').filter(Boolean)) {
    if (node === null || typeof node !== 'object') return null;
    node = (node as Record<string, unknown>)[raw];
  }
  const description = node !== null && typeof node === 'object' ? (node as { description?: unknown }).description : undefined;
  return typeof description === 'string' ? description : null;
}

function describe(schema: unknown, base: string, error: SchemaError): string {
  if (error.keyword === 'required') {
    const missing = (error.params.requiredProperties as string[] | undefined) ?? [];
    return `${keyPath(base, `${error.instancePath}/${missing[0] ?? '?'}`)}: is required`;
  }
  if (error.keyword === 'additionalProperties') {
    const extra = (error.params.additionalProperties as string[] | undefined) ?? [];
    return `${keyPath(base, `${error.instancePath}/${extra[0] ?? '?'}`)}: is not a known key`;
  }
  if (error.keyword === 'enum') {
    const allowed = (error.params.allowedValues as unknown[] | undefined) ?? [];
    return `${keyPath(base, error.instancePath)}: must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  const expected = describedExpectation(schema, error.schemaPath);
  return `${keyPath(base, error.instancePath)}: ${expected ? `must be ${expected}` : error.message}`;
}

/** The first violation of `schema` by `value` as one line, or null when it conforms. */
export function firstSchemaViolation(schema: object, value: unknown, base = ''): string | null {
  const errors = [...Value.Errors(schema as never, value)] as SchemaError[];
  // additionalProperties: false also reports each extra key as a "schema is false" match; the
  // additionalProperties error itself reads better.
  const useful = errors.filter((e) => e.keyword !== 'boolean');
  const first = useful[0];
  return first ? describe(schema, base, first) : null;
}
