import { OAuthError } from './oauth-error.js';
import { OAUTH_DESCRIPTIONS } from './oauth-descriptions.js';

// The parameters of one request to the token or revocation endpoint, after the HTTP layer has
// refused duplicates and non-string values (RFC 6749 §3.2) and dropped empty ones (§3.1: "Parameters
// sent without a value MUST be treated as if they were omitted"). A Map, so that a grant can
// delete the password from it once verified and nothing can reach Object.prototype.

export type RequestParameters = Map<string, string>;

/** Reads a required parameter, refusing an over-long one before anything hashes it. */
export function requireParameter(parameters: ReadonlyMap<string, string>, name: string, maxLength: number): string {
  const value = parameters.get(name);
  if (value === undefined) throw new OAuthError('invalid_request', OAUTH_DESCRIPTIONS.missingParameter(name));
  return checkLength(name, value, maxLength);
}

export function optionalParameter(parameters: ReadonlyMap<string, string>, name: string, maxLength: number): string | undefined {
  const value = parameters.get(name);
  return value === undefined ? undefined : checkLength(name, value, maxLength);
}

function checkLength(name: string, value: string, maxLength: number): string {
  // Counted in code points, as the password policy counts them.
  if (value.length > maxLength && [...value].length > maxLength) {
    throw new OAuthError('invalid_request', OAUTH_DESCRIPTIONS.parameterTooLong(name, maxLength));
  }
  return value;
}

/** Keeps only what a grant lists (node-oidc-provider: parameters a handler does not know never reach it). */
export function pickParameters(parameters: ReadonlyMap<string, string>, names: readonly string[]): RequestParameters {
  const picked: RequestParameters = new Map();
  for (const name of names) {
    const value = parameters.get(name);
    if (value !== undefined) picked.set(name, value);
  }
  return picked;
}
