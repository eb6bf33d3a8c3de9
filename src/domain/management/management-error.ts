// The errors of the management use cases. Each has a stable machine-readable code; how a code
// travels on the wire (status, problem type) is decided in one table:
// src/http/management/problem-details.ts.

export type ManagementErrorCode =
  /** No valid sign-in (RFC 6750 §3.1 invalid_token, or no token at all). */
  | 'unauthenticated'
  /** Signed in, but this role may not do this. */
  | 'forbidden'
  | 'not_found'
  /** The request is well-formed but names something invalid (an unknown API, plan, owner). */
  | 'invalid_request'
  /** The current state forbids it (already decided, last admin, built in, duplicate). */
  | 'conflict'
  /** The client's address is throttled (brute-force protection); retryAfterSeconds says for how long. */
  | 'too_many_requests'
  /** Something Gatehouse fetches for the request (an API's reference document) failed. */
  | 'upstream_unavailable';

export class ManagementError extends Error {
  readonly code: ManagementErrorCode;
  readonly detail: string;
  /** The request field the refusal is about (`password`, `apiId`), so that a form can mark it. */
  readonly field: string | null;
  readonly retryAfterSeconds: number | null;

  constructor(
    code: ManagementErrorCode,
    detail: string,
    options?: { readonly cause?: unknown; readonly field?: string; readonly retryAfterSeconds?: number },
  ) {
    super(`${code}: ${detail}`, options);
    this.name = 'ManagementError';
    this.code = code;
    this.detail = detail;
    this.field = options?.field ?? null;
    this.retryAfterSeconds = options?.retryAfterSeconds ?? null;
  }
}

export const forbidden = (detail: string) => new ManagementError('forbidden', detail);
export const notFound = (what: string) => new ManagementError('not_found', `${what} not found`);
export const invalidRequest = (detail: string, field?: string) => new ManagementError('invalid_request', detail, field ? { field } : {});
export const conflict = (detail: string, field?: string) => new ManagementError('conflict', detail, field ? { field } : {});
