import type { ApiConfig } from '../../config/config.js';
import type { SubscribedClient, SubscriptionStore } from '../../store/store.js';
import { OAUTH_DESCRIPTIONS } from '../oauth-descriptions.js';
import { authorizationCodeRefusal } from '../subscription-rules.js';
import { resolveScope } from '../requested-scope.js';
import { AuthorizationPageError, AuthorizationRedirectError, PAGE_MESSAGES } from './authorization-errors.js';
import { isS256Challenge, PKCE_METHOD } from './pkce.js';
import { apiAllowsGrant } from '../grants/allowed-grants.js';

// RFC 6749 §4.1.1 with RFC 7636 §4.3: reading an authorization request. The order matters: first
// the client and its redirect URI, with every failure on a page of ours (§4.1.2.1); only once
// the redirect URI is one the client registered, compared as exact strings (RFC 9700 §4.1.3),
// may anything be sent to it.

/** The query as parsed: a repeated parameter is an array (§3.1: "MUST NOT be included more than once"). */
export type AuthorizationQuery = Readonly<Record<string, string | readonly string[] | undefined>>;

const MAX_CLIENT_ID_LENGTH = 256;
const MAX_STATE_LENGTH = 1024; // characters: a client's state is an opaque handle, not a document

export interface ValidAuthorizationRequest {
  readonly client: SubscribedClient;
  readonly redirectUri: string;
  readonly state: string | null;
  readonly codeChallenge: string;
  readonly scope: string;
}

/** Once the redirect URI is known: where errors go, with the state to echo (when it was readable). */
export interface ErrorDestination {
  readonly redirectUri: string;
  readonly state: string | null;
}

function single(query: AuthorizationQuery, name: string): string | undefined | null {
  const value = query[name];
  if (value === undefined || value === '') return undefined;
  return typeof value === 'string' ? value : null;
}

/** The client and its redirect URI, or a page error. */
export async function identifyClient(
  subscriptions: Pick<SubscriptionStore, 'findClient'>,
  api: ApiConfig,
  query: AuthorizationQuery,
): Promise<{ readonly client: SubscribedClient; readonly destination: ErrorDestination }> {
  const clientId = single(query, 'client_id');
  if (typeof clientId !== 'string') throw new AuthorizationPageError(400, PAGE_MESSAGES.missingClient);
  const client = clientId.length <= MAX_CLIENT_ID_LENGTH ? await subscriptions.findClient(clientId) : null;
  // A client_id belongs to one subscription, so to one API: elsewhere it is nobody.
  if (!client || client.subscription.apiId !== api.id) throw new AuthorizationPageError(400, PAGE_MESSAGES.unknownClient);
  const redirectUri = single(query, 'redirect_uri');
  if (typeof redirectUri !== 'string') throw new AuthorizationPageError(400, PAGE_MESSAGES.missingRedirectUri);
  if (!client.application.redirectUris.includes(redirectUri)) throw new AuthorizationPageError(400, PAGE_MESSAGES.unregisteredRedirectUri);
  const state = single(query, 'state');
  // A repeated or over-long state cannot be echoed faithfully: the error goes back without it.
  const echo = typeof state === 'string' && state.length <= MAX_STATE_LENGTH ? state : null;
  return { client, destination: { redirectUri, state: echo } };
}

function redirectError(code: ConstructorParameters<typeof AuthorizationRedirectError>[0], description: string): AuthorizationRedirectError {
  return new AuthorizationRedirectError(code, description);
}

/** Everything after the redirect URI: every failure is an AuthorizationRedirectError. */
export function readAuthorizationRequest(api: ApiConfig, client: SubscribedClient, destination: ErrorDestination, query: AuthorizationQuery): ValidAuthorizationRequest {
  for (const name of ['state', 'response_type', 'code_challenge', 'code_challenge_method', 'scope']) {
    if (single(query, name) === null) throw redirectError('invalid_request', OAUTH_DESCRIPTIONS.repeatedParameter(name));
  }
  const state = single(query, 'state') ?? null;
  if (state !== null && state.length > MAX_STATE_LENGTH) throw redirectError('invalid_request', OAUTH_DESCRIPTIONS.stateTooLong(MAX_STATE_LENGTH));
  const responseType = single(query, 'response_type');
  if (responseType === undefined || responseType === null) throw redirectError('invalid_request', OAUTH_DESCRIPTIONS.missingParameter('response_type'));
  if (responseType !== 'code') throw redirectError('unsupported_response_type', OAUTH_DESCRIPTIONS.unsupportedResponseType(responseType));
  // §4.1.2.1: an API whose `grants` leave out authorization_code serves no code, as its metadata says.
  if (!apiAllowsGrant(api, 'authorization_code')) {
    throw redirectError('unsupported_response_type', OAUTH_DESCRIPTIONS.codeFlowNotAllowed());
  }

  const method = single(query, 'code_challenge_method');
  const challenge = single(query, 'code_challenge');
  // RFC 9700 §2.1.1: PKCE for every client; RFC 7636 §4.4.1: an unsupported method is invalid_request.
  if (typeof challenge !== 'string' || typeof method !== 'string') throw redirectError('invalid_request', OAUTH_DESCRIPTIONS.pkceRequired());
  if (method !== PKCE_METHOD) throw redirectError('invalid_request', OAUTH_DESCRIPTIONS.pkceMethodNotSupported(method));
  if (!isS256Challenge(challenge)) throw redirectError('invalid_request', OAUTH_DESCRIPTIONS.malformedCodeChallenge());

  // §3.3: a subset of the API's scopes; none asked means all of them (the token endpoint's rule).
  const asked = single(query, 'scope');
  const resolved = resolveScope(api, typeof asked === 'string' ? asked : undefined);
  if ('unknown' in resolved) throw redirectError('invalid_scope', OAUTH_DESCRIPTIONS.unknownScope(resolved.unknown));
  const { scope } = resolved;

  if (authorizationCodeRefusal(client.subscription, api.plans) !== null) {
    throw redirectError('unauthorized_client', OAUTH_DESCRIPTIONS.subscriptionAwaitsApproval());
  }
  return { client, redirectUri: destination.redirectUri, state, codeChallenge: challenge, scope };
}

/** RFC 6749 §4.1.2 / §4.1.2.1 with RFC 9207's `iss`: the redirect URI with the response appended. */
export function authorizationResponseUrl(redirectUri: string, issuer: string, response: Readonly<Record<string, string | null>>): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(response)) if (value !== null) query.append(name, value);
  query.append('iss', issuer);
  // Registered URIs have no fragment (redirect-uri-rules.ts); a query of their own is kept as is.
  return `${redirectUri}${redirectUri.includes('?') ? '&' : '?'}${query.toString()}`;
}
