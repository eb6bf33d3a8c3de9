// Every error_description the OAuth endpoints (token, revocation, introspection) can send, in
// one table, so that one test can check them all. RFC 6749 §5.2 limits the value to
// %x20-21 / %x23-5B / %x5D-7E: printable ASCII without `"` and `\` (it travels inside a quoted
// string of WWW-Authenticate too, RFC 6750 §3). So the text says "section", not the section sign,
// quotes with `'`, and whatever a client sent is shown through `shown()`.

const WIRE_CHARACTERS = /^[\x20-\x21\x23-\x5B\x5D-\x7E]*$/;
const NOT_WIRE_CHARACTER = /[^\x20-\x21\x23-\x5B\x5D-\x7E]/gu;
const SHOWN_MAX_LENGTH = 64; // characters of a client's value worth echoing back
const LISTED_MAX_LENGTH = 200; // characters of a list or a framework message

export function isWireDescription(text: string): boolean {
  return WIRE_CHARACTERS.test(text);
}

/** Any text made safe for error_description: each other character percent-encoded (RFC 3986 §2.1). */
export function toWireDescription(text: string): string {
  return text.replace(NOT_WIRE_CHARACTER, (character) => {
    // A lone surrogate cannot be UTF-8 encoded; U+FFFD's encoding stands for it.
    try {
      return encodeURIComponent(character);
    } catch {
      return '%EF%BF%BD';
    }
  });
}

function shortened(value: string, maxLength: number): string {
  const characters = [...value];
  return characters.length > maxLength ? `${characters.slice(0, maxLength).join('')}...` : value;
}

/** A value from the request (or the URL), quoted, shortened and made wire-safe. */
export function shown(value: string): string {
  return `'${toWireDescription(shortened(value, SHOWN_MAX_LENGTH))}'`;
}

/** Text from the code or the config (a list of methods, Fastify's message): shortened and made wire-safe. */
function listed(value: string | number): string {
  return toWireDescription(shortened(String(value), LISTED_MAX_LENGTH));
}

const rfc = (section: string) => `(RFC 6749 section ${section})`;

/** Arguments are values the code or the client supplies; every one that may come from a client goes through shown(). */
export const OAUTH_DESCRIPTIONS = {
  // Request syntax (src/http/oauth/request-parameters.ts, token-request.ts)
  missingParameter: (name: string) => `missing required parameter: ${shown(name)}`,
  parameterTooLong: (name: string, maxLength: number) => `parameter ${shown(name)} is longer than ${listed(maxLength)} characters`,
  badParameterName: () => `a parameter name contains characters that RFC 6749 Appendix A does not allow`,
  badParameterValue: (name: string) => `parameter ${shown(name)} contains control characters, which RFC 6749 Appendix A does not allow`,
  repeatedParameter: (name: string) => `parameter ${shown(name)} is sent more than once ${rfc('3.2')}`,
  parameterNotString: (name: string) => `parameter ${shown(name)} must be a string`,
  unsupportedCharset: (charset: string) => `charset ${shown(charset)} is not supported: send UTF-8`,
  bodyNotUtf8: () => 'the body is not valid UTF-8',
  bodyNotJson: () => 'the body is not valid JSON',
  jsonNotObject: () => 'the JSON body must be an object of parameters',
  unsupportedContentType: (contentType: string) =>
    `unsupported content type ${shown(contentType)}: send application/x-www-form-urlencoded or application/json`,
  missingContentType: () => 'the body must be application/x-www-form-urlencoded or application/json',
  malformedRequest: () => 'malformed request',
  /** Fastify's own 4xx message (body too large, empty JSON body, ...), made wire-safe. */
  frameworkRefusal: (message: string) => (message.trim() === '' ? 'malformed request' : listed(message)),

  // Routing (endpoint-target.ts, oauth-routes.ts)
  unknownApi: (apiId: string) => `unknown API ${shown(apiId)}`,
  unknownAuthMethod: (authMethodId: string) => `unknown auth method ${shown(authMethodId)}`,
  authMethodNotAccepted: (apiId: string, authMethodId: string, accepted: string) =>
    `API ${shown(apiId)} does not accept auth method ${shown(authMethodId)} (it accepts: ${listed(accepted)})`,
  methodNotAllowed: (method: string, allowed: string) => `${listed(method)} is not allowed here; use ${listed(allowed)}`,
  unsupportedGrantType: (grantType: string, supported: string) =>
    `grant_type ${shown(grantType)} is not supported (supported: ${listed(supported)})`,

  // Client authentication (client-authentication.ts), RFC 6749 §2.3
  basicSchemeRequired: () => `the Authorization header must use the Basic scheme ${rfc('2.3.1')}`,
  malformedBasic: () => 'malformed HTTP Basic credentials',
  basicNotFormEncoded: () => `HTTP Basic credentials are not form-urlencoded ${rfc('2.3.1')}`,
  credentialsTwice: () => `client credentials sent both in the Authorization header and in the body ${rfc('2.3')}`,
  clientIdMismatch: () => 'client_id in the body differs from the one in the Authorization header',
  clientAuthenticationRequired: () => 'client authentication is required: send client_id (and client_secret when confidential)',
  unknownClient: () => 'unknown client',
  publicClientWithSecret: () => 'this is a public client: it must not present a client secret',
  confidentialWithoutSecret: () => 'this is a confidential client: client_secret is required',
  clientAuthenticationFailed: () => 'client authentication failed',

  // Grants and subscriptions
  subscriptionNotTrusted: () => 'the subscription is not trusted: only trusted subscriptions may use the password grant',
  subscriptionNotApproved: () => 'the trusted subscription is not approved (yet): ask an admin or an approver of the API',
  invalidCredentials: () => 'the username or password is wrong, or the account cannot sign in',
  tooManyFailures: () => 'too many failed sign-ins from this address; try again later',
  hashingBusy: () => 'too many sign-ins are being checked right now; try again shortly',
  authMethodUnavailable: (authMethodId: string) => `the auth method ${shown(authMethodId)} cannot verify passwords right now; try again later`,
  invalidRefreshToken: () => 'the refresh token is invalid, expired or revoked',
  clientCredentialsNeedConfidentialClient: () =>
    `this is a public client: client_credentials is for confidential clients only ${rfc('4.4')}`,
  clientCredentialsNeedApproval: () => 'the subscription is not approved (yet): ask an admin or an approver of the API',
  unknownScope: (scope: string) => `scope ${shown(scope)} is not a scope of this API ${rfc('3.3')}`,

  // Authorization endpoint (RFC 6749 section 4.1.2.1, RFC 7636 section 4.4.1), sent to the redirect URI
  unsupportedResponseType: (responseType: string) => `response_type ${shown(responseType)} is not supported: use 'code'`,
  codeFlowNotAllowed: () => 'this API does not allow the authorization code grant (its grants in the configuration)',
  pkceRequired: () => 'code_challenge and code_challenge_method=S256 are required (RFC 7636, RFC 9700 section 2.1.1)',
  pkceMethodNotSupported: (method: string) => `code_challenge_method ${shown(method)} is not supported: use S256 (RFC 7636 section 4.4.1)`,
  malformedCodeChallenge: () => 'code_challenge must be 43 base64url characters, the S256 of the code_verifier (RFC 7636 section 4.2)',
  subscriptionAwaitsApproval: () => 'the subscription is not approved (yet): its plan requires approval by an admin or an approver of the API',
  accessDenied: () => 'the user denied the request',
  stateTooLong: (maxLength: number) => `state is longer than ${listed(maxLength)} characters`,
  tooManyAuthorizationRequests: (seconds: number) => `too many sign-ins were started from this address; try again in ${listed(seconds)} seconds`,

  // Authorization code grant (RFC 6749 section 4.1.3, RFC 7636 section 4.6)
  invalidAuthorizationCode: () => 'the authorization code is invalid, expired, already used, or was issued to another client or redirect URI',
  codeVerifierMismatch: () => 'the code_verifier does not match the code_challenge of the authorization request',
  malformedCodeVerifier: () => 'code_verifier must be 43 to 128 unreserved characters (RFC 7636 section 4.1)',

  // Revocation (RFC 7009 §2.1) and introspection (RFC 7662 §2.1)
  tokenNotIssuedToClient: () => 'the token was not issued to this client',
  introspectionNotAllowed: () =>
    'only a confidential client with an approved subscription to this API may introspect its tokens (RFC 7662 section 2.1)',

  serverError: () => 'internal error',
  storeUnavailable: () => 'the authorization server cannot reach its database right now; try again later',
} as const satisfies Readonly<Record<string, (...values: never[]) => string>>;
