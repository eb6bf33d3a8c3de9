import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { signUpMode } from '../../domain/management/sign-up.js';
import { PORTAL_API_ID, PORTAL_CLIENT_ID, portalApi } from '../../domain/portal-sign-in.js';
import type { Services } from '../services.js';
import { oauthRoutes } from '../oauth/oauth-routes.js';
import { PROBLEM_RESPONSES } from './management-route.js';

// Signing in to the management API: Gatehouse's own password grant (RFC 6749 §4.3), served on
// the portal listener for the built-in API only, with the built-in public client. The OAuth
// endpoints are the public listener's, given a configuration that holds the built-in API alone,
// so that the two can never disagree and no configured API is reachable from here.
//
//   POST /auth/{authMethodId}/api/gatehouse-portal/token
//     grant_type=password&client_id=gatehouse-portal&username=...&password=...
//   then: Authorization: Bearer <access_token> on /api/v1/...; refresh_token to renew;
//   POST .../revoke to sign out.

const SignInInfo = Type.Object({
  apiId: Type.String(),
  clientId: Type.String({ description: 'the built-in public client: send it without a secret' }),
  tokenEndpoints: Type.Array(Type.Object({ authMethod: Type.String(), name: Type.String(), url: Type.String() })),
  signUp: Type.Union([Type.Literal('closed'), Type.Literal('open'), Type.Literal('approval')], { description: 'whether POST /api/v1/sign-up is open (portal.signUp)' }),
});

/** The token, revocation and metadata endpoints of the built-in API, on the portal listener. */
export async function portalOAuthRoutes(app: FastifyInstance, options: { readonly services: Services }): Promise<void> {
  const { services } = options;
  // The issuer of RFC 8414 metadata is this listener, not the public one.
  const signIn: Services = { ...services, config: { ...services.config, publicUrl: null, apis: [portalApi(services.config)] } };
  await app.register(oauthRoutes, { services: signIn });
}

/** GET /api/v1/sign-in: what a client needs to sign in; open to anyone, like RFC 8414 metadata. */
export function signInInfoRoute(app: FastifyInstance, services: Services): void {
  app.get('/sign-in', {
    schema: {
      tags: ['sign-in'],
      summary: 'How to sign in to this API: the built-in client id and token endpoint per auth method (no sign-in needed)',
      security: [],
      response: { 200: SignInInfo, ...PROBLEM_RESPONSES },
    },
    handler: async (request) => ({
      apiId: PORTAL_API_ID,
      clientId: PORTAL_CLIENT_ID,
      tokenEndpoints: services.config.authMethods.map((method) => ({
        authMethod: method.id,
        name: method.name,
        url: `${request.protocol}://${request.host}/auth/${encodeURIComponent(method.id)}/api/${PORTAL_API_ID}/token`,
      })),
      signUp: signUpMode(services.config),
    }),
  });
}
