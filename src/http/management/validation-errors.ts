import type { FastifySchemaValidationError } from 'fastify';

// A request body refused by its schema, as `errors: [{ field, message }]` of the problem: the
// field as a path inside the body (`name`, `redirectUris/1`), which is what a form names its
// inputs by, and the rule in words for a person. Clients place each message by `field` and
// never need to parse `detail`.

export interface FieldError {
  readonly field: string;
  readonly message: string;
}

type Params = Readonly<Record<string, unknown>>;

/** The rules of this API's schemas in plain words; anything else keeps Ajv's own message. */
function inWords(keyword: string, params: Params, fallback: string): string {
  const limit = params.limit;
  switch (keyword) {
    case 'required':
      return 'is required';
    case 'minLength':
      return limit === 1 ? 'cannot be empty' : `must be at least ${String(limit)} characters`;
    case 'maxLength':
      return `must be at most ${String(limit)} characters`;
    case 'maxItems':
      return `may hold at most ${String(limit)} items`;
    case 'uniqueItems':
      return 'holds the same item twice';
    case 'format':
      if (params.format === 'uri') return 'must be an absolute URI, such as https://example.com/callback or com.example.app:/callback';
      if (params.format === 'email') return 'must be an email address, such as name@example.com';
      return `must be a valid ${String(params.format)}`;
    case 'pattern':
      return 'holds characters that are not allowed here';
    default:
      return fallback;
  }
}

/** Only a body's errors name fields; a bad path parameter or query is not a form's to show. */
export function fieldErrors(validation: readonly FastifySchemaValidationError[], context: string | undefined): FieldError[] {
  if (context !== 'body') return [];
  return validation.flatMap((error): FieldError[] => {
    const params = (error.params ?? {}) as Params;
    const path = error.instancePath.split('/').filter(Boolean);
    if (error.keyword === 'required' && typeof params.missingProperty === 'string') path.push(params.missingProperty);
    if (error.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') {
      return [{ field: [...path, params.additionalProperty].join('/'), message: 'is not a field of this request' }];
    }
    // A rule about the whole body (minProperties) names no field.
    if (path.length === 0) return [];
    return [{ field: path.join('/'), message: inWords(error.keyword, params, error.message ?? 'is not valid') }];
  });
}
