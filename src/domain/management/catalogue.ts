import type { ApiConfig, AuthMethodConfig, PlanConfig } from '../../config/config.js';
import type { ManagementContext } from './management-context.js';
import { notFound } from './management-error.js';

// Read-only views of the configured APIs and auth methods, with the URLs a developer needs: the
// API's gateway endpoint and its token URL for each auth method it accepts. Never the upstream's
// secrets: an external auth method's secret header is left out.


export interface AuthMethodView {
  readonly id: string;
  readonly name: string;
  readonly kind: AuthMethodConfig['kind'];
}

export interface ApiView {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly group: string | null;
  readonly endpoint: string;
  readonly tokenUrls: readonly { readonly authMethod: string; readonly url: string }[];
  readonly accessTokenLifetime: number;
  readonly refreshTokenIdleLifetime: number;
  readonly sessionLifetime: number;
  readonly scopes: ApiConfig['scopes'];
  readonly plans: readonly Pick<PlanConfig, 'id' | 'name' | 'description' | 'requiresApproval' | 'rateLimit'>[];
  /** What its token endpoint serves: the API's `grants` (allowed-grants.ts). */
  readonly grants: readonly string[];
  /** Whether GET /apis/{id}/openapi serves a reference document (config apis[].openapi). */
  readonly hasReference: boolean;
}

export function authMethodViews(context: Pick<ManagementContext, 'config'>): readonly AuthMethodView[] {
  return context.config.authMethods.map((method) => ({ id: method.id, name: method.name, kind: method.kind }));
}

/** `publicUrl`: the public listener's base URL as clients see it, no trailing slash. */
export function apiView(api: ApiConfig, publicUrl: string): ApiView {
  return {
    id: api.id,
    name: api.name,
    description: api.description,
    group: api.group,
    endpoint: `${publicUrl}${api.pathPrefix}`,
    tokenUrls: api.authMethods.map((authMethod) => ({
      authMethod,
      url: `${publicUrl}/auth/${encodeURIComponent(authMethod)}/api/${encodeURIComponent(api.id)}/token`,
    })),
    accessTokenLifetime: api.accessTokenLifetime,
    refreshTokenIdleLifetime: api.refreshTokenIdleLifetime,
    sessionLifetime: api.sessionLifetime,
    scopes: api.scopes,
    plans: api.plans.map(({ id, name, description, requiresApproval, rateLimit }) => ({ id, name, description, requiresApproval, rateLimit })),
    grants: api.grants,
    hasReference: Boolean(api.openapi),
  };
}

export function findApi(context: Pick<ManagementContext, 'config'>, apiId: string): ApiConfig {
  const api = context.config.apis.find((candidate) => candidate.id === apiId);
  if (!api) throw notFound(`API ${apiId}`);
  return api;
}

export function findApiView(context: Pick<ManagementContext, 'config'>, apiId: string, publicUrl: string): ApiView {
  return apiView(findApi(context, apiId), publicUrl);
}
