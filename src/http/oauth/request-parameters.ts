import { parse as parseJson, type MemberNode } from '@humanwhocodes/momoa';
import { parse as parseForm } from 'fast-querystring';
import type { FastifyInstance } from 'fastify';
import { OAuthError } from '../../domain/oauth-error.js';
import type { RequestParameters } from '../../domain/token-request.js';

// The body parsers of the OAuth endpoints. Both produce the same thing: a Map of string
// parameters, with RFC 6749 §3.2's "parameters MUST NOT be included more than once" enforced
// (a repeated form field, a duplicate JSON key) and §3.1's "sent without a value = omitted".
// JSON is parsed to a syntax tree because JSON.parse silently keeps the last duplicate.

const ACCEPTED = 'application/x-www-form-urlencoded or application/json';

function repeated(name: string): OAuthError {
  return new OAuthError('invalid_request', `parameter ${name} is sent more than once (RFC 6749 §3.2)`);
}

export function parametersFromForm(body: string): RequestParameters {
  const parsed = parseForm(body) as Record<string, string | string[]>;
  const parameters: RequestParameters = new Map();
  for (const [name, value] of Object.entries(parsed)) {
    if (Array.isArray(value)) throw repeated(name);
    if (value !== '') parameters.set(name, value);
  }
  return parameters;
}

function memberName(member: MemberNode): string {
  return member.name.type === 'String' ? member.name.value : member.name.name;
}

export function parametersFromJson(body: string): RequestParameters {
  let document;
  try {
    document = parseJson(body, { mode: 'json' });
  } catch {
    throw new OAuthError('invalid_request', 'the body is not valid JSON');
  }
  if (document.body.type !== 'Object') throw new OAuthError('invalid_request', 'the JSON body must be an object of parameters');
  const seen = new Set<string>();
  const parameters: RequestParameters = new Map();
  for (const member of document.body.members) {
    const name = memberName(member);
    if (seen.has(name)) throw repeated(name);
    seen.add(name);
    if (member.value.type !== 'String') {
      // An array is the JSON spelling of a repeated parameter; numbers and objects are no parameter.
      throw new OAuthError('invalid_request', `parameter ${name} must be a string`);
    }
    if (member.value.value !== '') parameters.set(name, member.value.value);
  }
  return parameters;
}

/** Replaces the scope's body parsers: only the two OAuth body types, anything else is invalid_request. */
export function useParameterParsers(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  const parser = (parse: (body: string) => RequestParameters) => (_request: unknown, body: string | Buffer, done: (err: Error | null, body?: unknown) => void) => {
    try {
      done(null, parse(body.toString()));
    } catch (error) {
      done(error as Error);
    }
  };
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, parser(parametersFromForm));
  app.addContentTypeParser('application/json', { parseAs: 'string' }, parser(parametersFromJson));
  app.addContentTypeParser('*', (request, _payload, done) => {
    done(new OAuthError('invalid_request', `unsupported content type ${JSON.stringify(request.headers['content-type'] ?? '')}: send ${ACCEPTED}`));
  });
}

/** The parsed body; a request without a body has no parameters. */
export function requestParameters(body: unknown): RequestParameters {
  return body instanceof Map ? (body as RequestParameters) : new Map();
}
