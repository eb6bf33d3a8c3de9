// The two ways the authorization endpoint refuses (RFC 6749 §4.1.2.1). Until the client and its
// redirect URI are known to belong together, nothing may go to the redirect URI (an open
// redirector, §10.15, RFC 9700 §4.11): the user sees a page. After that, the error travels back
// to the client's redirect URI with `state` and `iss`.

/** RFC 6749 §4.1.2.1's error codes. */
export type AuthorizationErrorCode =
  | 'invalid_request'
  | 'unauthorized_client'
  | 'access_denied'
  | 'unsupported_response_type'
  | 'invalid_scope'
  | 'server_error'
  | 'temporarily_unavailable';

/** Shown to the user on a Gatehouse page; never redirected. */
export class AuthorizationPageError extends Error {
  readonly status: number;
  /** Plain text for the user; the page escapes it. */
  readonly userMessage: string;
  constructor(status: number, userMessage: string) {
    super(userMessage);
    this.name = 'AuthorizationPageError';
    this.status = status;
    this.userMessage = userMessage;
  }
}

/** Sent back to the (already verified) redirect URI. */
export class AuthorizationRedirectError extends Error {
  readonly code: AuthorizationErrorCode;
  readonly description: string;
  constructor(code: AuthorizationErrorCode, description: string) {
    super(`${code}: ${description}`);
    this.name = 'AuthorizationRedirectError';
    this.code = code;
    this.description = description;
  }
}

export const PAGE_MESSAGES = {
  missingClient: 'The application did not identify itself (client_id is missing or repeated).',
  unknownClient: 'The application is not known here. Return to the application and try again.',
  missingRedirectUri: 'The application did not say where to return (redirect_uri is missing or repeated).',
  unregisteredRedirectUri: 'The application asked to return to an address it has not registered, so Gatehouse will not send you there.',
  formExpired: 'This sign-in form has expired or was already used. Return to the application and start again.',
  wrongBrowser: 'This sign-in form was not opened in this browser. Return to the application and start again.',
  badDecision: 'The form was incomplete. Return to the application and start again.',
} as const;
