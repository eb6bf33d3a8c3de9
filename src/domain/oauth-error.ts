// The errors the OAuth endpoints answer with. Each carries a stable code from RFC 6749 §5.2
// (or RFC 7009 §2.2.1, or one of Gatehouse's own for routing) and a description written for the
// client's developer. How a code travels on the wire (status, headers) is decided in one place:
// src/http/oauth/wire-errors.ts.

export type OAuthErrorCode =
  // RFC 6749 §5.2
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  // RFC 6749 §4.1.2.1, used at the token endpoint when an auth method cannot answer right now.
  | 'temporarily_unavailable'
  | 'server_error'
  // Not from an RFC: too many failed sign-ins from the client's address (RFC 6585 §4's 429,
  // spelt as an OAuth code so that OAuth client libraries can show it; RFC 6749 §4.3.2).
  | 'too_many_requests'
  // Not from an RFC: the URL names no API / auth method, or the method is not POST.
  | 'not_found'
  | 'method_not_allowed';

export interface OAuthErrorOptions {
  /** The client authenticated with HTTP Basic (RFC 6749 §5.2: answer 401 + WWW-Authenticate). */
  readonly clientUsedBasic?: boolean;
  /** For `method_not_allowed`: the methods the URL does accept. */
  readonly allowedMethods?: readonly string[];
  /** For `too_many_requests` and `temporarily_unavailable`: whole seconds until the client may try again. */
  readonly retryAfterSeconds?: number;
  readonly cause?: unknown;
}

export class OAuthError extends Error {
  readonly code: OAuthErrorCode;
  readonly description: string;
  readonly clientUsedBasic: boolean;
  readonly allowedMethods: readonly string[];
  readonly retryAfterSeconds: number;

  constructor(code: OAuthErrorCode, description: string, options: OAuthErrorOptions = {}) {
    super(`${code}: ${description}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OAuthError';
    this.code = code;
    this.description = description;
    this.clientUsedBasic = options.clientUsedBasic ?? false;
    this.allowedMethods = options.allowedMethods ?? [];
    this.retryAfterSeconds = options.retryAfterSeconds ?? 0;
  }
}

export function isOAuthError(error: unknown): error is OAuthError {
  return error instanceof OAuthError;
}
