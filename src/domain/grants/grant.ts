import type { ApiConfig } from '../../config/config.js';
import type { AuditStore, AuthorizationStore, TokenStore, UserStore } from '../../store/store.js';
import type { CredentialVerifier } from '../auth-methods/credential-verifier.js';
import type { LoginThrottle } from '../brute-force/login-throttle.js';
import type { AuthenticatedClient } from '../client-authentication.js';
import type { TokenResponse } from '../token-issuer.js';
import type { RequestParameters } from '../token-request.js';

// The shape every grant has (node-oidc-provider): its grant_type, the parameters it reads, and a
// handler. By the time a handler runs, the endpoint has resolved the API and auth method,
// authenticated the client and dropped every parameter the grant does not list.

export interface GrantContext {
  readonly api: ApiConfig;
  readonly authMethodId: string;
  readonly verifier: CredentialVerifier;
  readonly client: AuthenticatedClient;
  /** Only what `parameters` lists; the grant may delete from it (the password, once verified). */
  readonly parameters: RequestParameters;
  readonly now: number;
  /** The client's address (X-Forwarded-For only from a trusted proxy); null when unknown. */
  readonly ip: string | null;
  /** Brute-force protection of password checks (RFC 6749 §4.3.2). */
  readonly loginThrottle: LoginThrottle;
  readonly store: {
    readonly tokens: TokenStore;
    readonly users: Pick<UserStore, 'findById'>;
    readonly audit: Pick<AuditStore, 'record'>;
    readonly authorizations: Pick<AuthorizationStore, 'redeemCode'>;
  };
}

export interface Grant {
  readonly grantType: string;
  readonly parameters: readonly string[];
  handler(context: GrantContext): Promise<TokenResponse>;
}
