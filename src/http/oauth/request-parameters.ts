import { parse as parseJson, type MemberNode } from '@humanwhocodes/momoa';
import { OAUTH_DESCRIPTIONS } from '../../domain/oauth-descriptions.js';
import { parse as parseForm } from 'fast-querystring';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { OAuthError } from '../../domain/oauth-error.js';
import type { RequestParameters } from '../../domain/token-request.js';

// The body parsers of the OAuth endpoints. Both produce the same thing: a Map of string
// parameters, with RFC 6749 §3.2's "parameters MUST NOT be included more than once" enforced
// (a repeated form field, a duplicate JSON key) and §3.1's "sent without a value = omitted".
// JSON is parsed to a syntax tree because JSON.parse silently keeps the last duplicate.

// RFC 6749 Appendix A: every parameter is at most UNICODECHARNOCRLF (%x09 / %x20-7E /
// %x80-D7FF / %xE000-FFFD / %x10000-10FFFF): no control characters besides TAB, no lone
// surrogates. Refused here, once, so that no NUL reaches a SQL driver and no CR/LF a log line.
const UNICODECHARNOCRLF = /^[\t\x20-\x7E\x80-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;

function checkCharacters(name: string, value: string): void {
  if (!UNICODECHARNOCRLF.test(name)) throw new OAuthError('invalid_request', OAUTH_DESCRIPTIONS.badParameterName());
  if (!UNICODECHARNOCRLF.test(value)) {
    throw new OAuthError('invalid_request', OAUTH_DESCRIPTIONS.badParameterValue(name));
  }
}

// Both body types are UTF-8 (RFC 6749 Appendix B; RFC 8259 §8.1): another declared charset, or
// bytes that are not UTF-8, would make the parameters mean something other than what was sent.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function decodeBody(body: Buffer, contentType: string | undefined): string {
  const charset = /;\s*charset\s*=\s*"?([^";\s]*)"?/i.exec(contentType ?? '')?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw new OAuthError('invalid_request', OAUTH_DESCRIPTIONS.unsupportedCharset(charset));
  }
  try {
    return utf8.decode(body);
  } catch {
    throw new OAuthError('invalid_request', OAUTH_DESCRIPTIONS.bodyNotUtf8());
  }
}

function repeated(name: string): OAuthError {
  return new OAuthError('invalid_request', OAUTH_DESCRIPTIONS.repeatedParameter(name));
}

export function parametersFromForm(body: string): RequestParameters {
  const parsed = parseForm(body) as Record<string, string | string[]>;
  const parameters: RequestParameters = new Map();
  for (const [name, value] of Object.entries(parsed)) {
    if (Array.isArray(value)) throw repeated(name);
    checkCharacters(name, value);
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
    throw new OAuthError('invalid_request', OAUTH_DESCRIPTIONS.bodyNotJson());
  }
  if (document.body.type !== 'Object') throw new OAuthError('invalid_request', OAUTH_DESCRIPTIONS.jsonNotObject());
  const seen = new Set<string>();
  const parameters: RequestParameters = new Map();
  for (const member of document.body.members) {
    const name = memberName(member);
    if (seen.has(name)) throw repeated(name);
    seen.add(name);
    if (member.value.type !== 'String') {
      // An array is the JSON spelling of a repeated parameter; numbers and objects are no parameter.
      throw new OAuthError('invalid_request', OAUTH_DESCRIPTIONS.parameterNotString(name));
    }
    checkCharacters(name, member.value.value);
    if (member.value.value !== '') parameters.set(name, member.value.value);
  }
  return parameters;
}

/** Replaces the scope's body parsers: only the two OAuth body types, anything else is invalid_request. */
export function useParameterParsers(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  const parser = (parse: (body: string) => RequestParameters) => (request: FastifyRequest, body: Buffer, done: (err: Error | null, body?: unknown) => void) => {
    try {
      done(null, parse(decodeBody(body, request.headers['content-type'])));
    } catch (error) {
      done(error as Error);
    }
  };
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer' }, parser(parametersFromForm));
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, parser(parametersFromJson));
  app.addContentTypeParser('*', (request, _payload, done) => {
    done(new OAuthError('invalid_request', OAUTH_DESCRIPTIONS.unsupportedContentType(request.headers['content-type'] ?? '')));
  });
}

/** The parsed body; a request without a body has no parameters. */
export function requestParameters(body: unknown): RequestParameters {
  return body instanceof Map ? (body as RequestParameters) : new Map();
}
