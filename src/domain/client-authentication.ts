import type { Application, Subscription, SubscriptionStore } from '../store/store.js';
import { OAUTH_DESCRIPTIONS } from './oauth-descriptions.js';
import { OAuthError } from './oauth-error.js';
import { MAX_TOKEN_LENGTH, matchesTokenHash } from './token-values.js';
import { optionalParameter } from './token-request.js';

// RFC 6749 §2.3: who is calling. A client_id names one subscription (application × API); the
// application says whether the client is confidential (must prove its secret) or public (must not
// present one, §2.1). Secrets are presented either in HTTP Basic (§2.3.1: both halves
// form-urlencoded before base64) or as client_id/client_secret in the body, never both (§2.3).

export type ClientAuthenticationMethod = 'client_secret_basic' | 'client_secret_post' | 'none';

export interface AuthenticatedClient {
  readonly clientId: string;
  readonly subscription: Subscription;
  readonly application: Application;
  readonly method: ClientAuthenticationMethod;
}

export interface PresentedClientCredentials {
  /** The Authorization header as received, if any. */
  readonly authorization: string | undefined;
  readonly parameters: ReadonlyMap<string, string>;
}

export interface ClientAuthenticationDependencies {
  readonly subscriptions: Pick<SubscriptionStore, 'findClient'>;
}

const MAX_CLIENT_ID_LENGTH = 256;

interface BasicCredentials {
  readonly clientId: string;
  readonly clientSecret: string | undefined;
}

function formDecode(half: string): string {
  return decodeURIComponent(half.replace(/\+/g, ' '));
}

/** null when there is no Authorization header; throws when it is not usable HTTP Basic. */
export function parseBasicAuthorization(header: string | undefined): BasicCredentials | null {
  if (header === undefined || header === '') return null;
  const match = /^basic +([A-Za-z0-9+/=_-]+) *$/i.exec(header);
  if (!match) {
    if (!/^basic(\s|$)/i.test(header)) {
      throw new OAuthError('invalid_request', OAUTH_DESCRIPTIONS.basicSchemeRequired());
    }
    throw new OAuthError('invalid_client', OAUTH_DESCRIPTIONS.malformedBasic(), { clientUsedBasic: true });
  }
  const decoded = Buffer.from(match[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 1) throw new OAuthError('invalid_client', OAUTH_DESCRIPTIONS.malformedBasic(), { clientUsedBasic: true });
  try {
    const clientSecret = formDecode(decoded.slice(colon + 1));
    return { clientId: formDecode(decoded.slice(0, colon)), clientSecret: clientSecret === '' ? undefined : clientSecret };
  } catch {
    throw new OAuthError('invalid_client', OAUTH_DESCRIPTIONS.basicNotFormEncoded(), { clientUsedBasic: true });
  }
}

/** Authenticates the caller of an endpoint of API `apiId`; throws `invalid_client` / `invalid_request`. */
export async function authenticateClient(
  presented: PresentedClientCredentials,
  apiId: string,
  deps: ClientAuthenticationDependencies,
): Promise<AuthenticatedClient> {
  const basic = parseBasicAuthorization(presented.authorization);
  const usedBasic = basic !== null;
  const bodyClientId = optionalParameter(presented.parameters, 'client_id', MAX_CLIENT_ID_LENGTH);
  const bodySecret = optionalParameter(presented.parameters, 'client_secret', MAX_TOKEN_LENGTH);
  if (basic && bodySecret !== undefined) {
    throw new OAuthError('invalid_request', OAUTH_DESCRIPTIONS.credentialsTwice());
  }
  // Some libraries repeat client_id in the body next to Basic; that is identification, not a
  // second authentication, as long as it names the same client.
  if (basic && bodyClientId !== undefined && bodyClientId !== basic.clientId) {
    throw new OAuthError('invalid_request', OAUTH_DESCRIPTIONS.clientIdMismatch());
  }
  const clientId = basic?.clientId ?? bodyClientId;
  const secret = basic ? basic.clientSecret : bodySecret;
  const refuse = (description: string) => new OAuthError('invalid_client', description, { clientUsedBasic: usedBasic });
  if (clientId === undefined) throw refuse(OAUTH_DESCRIPTIONS.clientAuthenticationRequired());
  if (clientId.length > MAX_CLIENT_ID_LENGTH) throw refuse(OAUTH_DESCRIPTIONS.unknownClient());

  const found = await deps.subscriptions.findClient(clientId);
  // A client_id belongs to one subscription, so to one API: elsewhere it is nobody.
  if (!found || found.subscription.apiId !== apiId) throw refuse(OAUTH_DESCRIPTIONS.unknownClient());
  const { subscription, application } = found;

  if (application.clientType === 'public') {
    // RFC 6749 §2.1: a public client cannot keep a secret, so one that presents a secret is not
    // the client it claims to be, or is leaking it.
    if (secret !== undefined) throw refuse(OAUTH_DESCRIPTIONS.publicClientWithSecret());
    return { clientId, subscription, application, method: 'none' };
  }
  if (secret === undefined) throw refuse(OAUTH_DESCRIPTIONS.confidentialWithoutSecret());
  // Client secrets are 256-bit random values (token-values.ts), so SHA-256 storage is enough;
  // the comparison is constant-time.
  if (subscription.clientSecretHash === null || !matchesTokenHash(secret, subscription.clientSecretHash)) {
    throw refuse(OAUTH_DESCRIPTIONS.clientAuthenticationFailed());
  }
  return { clientId, subscription, application, method: usedBasic ? 'client_secret_basic' : 'client_secret_post' };
}
