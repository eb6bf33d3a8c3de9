import type { ApiConfig, AuthMethodConfig } from '../../config/config.js';
import { OAUTH_DESCRIPTIONS } from '../../domain/oauth-descriptions.js';
import type { CredentialVerifier } from '../../domain/auth-methods/credential-verifier.js';
import { OAuthError } from '../../domain/oauth-error.js';
import type { Services } from '../services.js';

// Every OAuth URL names an auth method and an API: /auth/{authMethodId}/api/{apiId}/...

export interface EndpointParams {
  readonly authMethodId: string;
  readonly apiId: string;
}

export interface EndpointTarget {
  readonly api: ApiConfig;
  readonly authMethod: AuthMethodConfig;
  readonly verifier: CredentialVerifier;
}

export function endpointPath(params: EndpointParams): string {
  return `/auth/${encodeURIComponent(params.authMethodId)}/api/${encodeURIComponent(params.apiId)}`;
}

export function resolveEndpointTarget(services: Pick<Services, 'config' | 'verifiers'>, params: EndpointParams): EndpointTarget {
  const api = services.config.apis.find((candidate) => candidate.id === params.apiId);
  if (!api) throw new OAuthError('not_found', OAUTH_DESCRIPTIONS.unknownApi(params.apiId));
  const authMethod = services.config.authMethods.find((candidate) => candidate.id === params.authMethodId);
  const verifier = services.verifiers.get(params.authMethodId);
  if (!authMethod || !verifier) throw new OAuthError('not_found', OAUTH_DESCRIPTIONS.unknownAuthMethod(params.authMethodId));
  if (!api.authMethods.includes(authMethod.id)) {
    throw new OAuthError('invalid_request', OAUTH_DESCRIPTIONS.authMethodNotAccepted(api.id, authMethod.id, api.authMethods.join(', ')));
  }
  return { api, authMethod, verifier };
}
