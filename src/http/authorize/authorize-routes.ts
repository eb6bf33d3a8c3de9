import { parse as parseForm } from 'fast-querystring';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AuthorizationPageError, AuthorizationRedirectError } from '../../domain/authorization/authorization-errors.js';
import { beginAuthorization, continueAuthorization, type AuthorizationFlowContext, type AuthorizationStep } from '../../domain/authorization/authorization-flow.js';
import { authorizationResponseUrl, identifyClient, readAuthorizationRequest, type AuthorizationQuery } from '../../domain/authorization/authorization-request.js';
import { OAuthError } from '../../domain/oauth-error.js';
import { StoreUnavailableError } from '../../store/store.js';
import { endpointPath, resolveEndpointTarget, type EndpointParams } from '../oauth/endpoint-target.js';
import { issuerOf } from '../oauth/metadata-endpoint.js';
import type { Services } from '../services.js';
import { bindBrowser, presentedBinding } from './browser-binding.js';
import { consentPage, errorPage, signInPage, SIGN_IN_STYLESHEET, SIGN_IN_STYLESHEET_PATH } from './sign-in-pages.js';

// GET and POST /auth/{authMethodId}/api/{apiId}/authorize (RFC 6749 §4.1.1–4.1.2) on the public
// listener: an encapsulated plugin with its own form parser, HTML error pages and security headers.

export const AUTHORIZE_PATH = '/auth/:authMethodId/api/:apiId/authorize';
const FORM_BODY_LIMIT = 8 * 1024; // 8 KiB: a user name, a password and a token

/** The page's CSP; `redirectUri`'s origin is allowed as a form target, as browsers apply form-action to the redirect a post answers with. */
function contentSecurityPolicy(redirectUri: string | null): string {
  const origin = redirectUri === null ? '' : ` ${new URL(redirectUri).origin}`;
  return [
    "default-src 'none'",
    "style-src 'self'",
    `form-action 'self'${origin}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}

function securityHeaders(reply: FastifyReply, redirectUri: string | null): FastifyReply {
  return reply
    .header('content-security-policy', contentSecurityPolicy(redirectUri))
    // Clickjacking of the sign-in and consent forms (RFC 6749 §10.13): never framed.
    .header('x-frame-options', 'DENY')
    .header('x-content-type-options', 'nosniff')
    // The page's URL carries the authorization request; nothing is sent on to anyone.
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-store')
    .header('pragma', 'no-cache');
}

function sendStep(reply: FastifyReply, step: AuthorizationStep, action: string, services: Services, apiId: string, redirectStatus: 302 | 303): FastifyReply {
  if (step.kind === 'redirect') {
    // RFC 9700 §4.12: 303 after a post, so that no browser re-posts the password to the client.
    return securityHeaders(reply, null).code(redirectStatus).header('location', step.location).send();
  }
  securityHeaders(reply, step.redirectUri).type('text/html; charset=utf-8');
  if (step.kind === 'sign-in') return reply.code(step.status).send(signInPage(step, action));
  const api = services.config.apis.find((candidate) => candidate.id === apiId);
  const names = new Map((api?.scopes ?? []).map((scope) => [scope.id, scope.description ?? scope.id]));
  return reply.code(200).send(consentPage(step, action, names));
}

function flowContext(services: Services, request: FastifyRequest<{ Params: EndpointParams }>): AuthorizationFlowContext {
  const target = resolveEndpointTarget(services, request.params);
  return {
    api: target.api,
    authMethodId: target.authMethod.id,
    verifier: target.verifier,
    loginThrottle: services.loginThrottle,
    requestLimit: { limiter: services.rateLimiter, perAddress: services.config.bruteForce.authorizationRequestsPerAddress },
    issuer: issuerOf(services, request, { authMethodId: target.authMethod.id, apiId: target.api.id }),
    now: services.now(),
    ip: request.ip,
    store: services.store,
  };
}

function sendPageError(request: FastifyRequest, reply: FastifyReply, error: unknown): FastifyReply {
  let status = 500;
  let message = 'Something went wrong on our side. Return to the application and try again.';
  if (error instanceof AuthorizationPageError) ({ status, userMessage: message } = error);
  else if (error instanceof OAuthError && error.code === 'not_found') [status, message] = [404, 'There is no such sign-in page.'];
  else if (error instanceof OAuthError && error.code === 'invalid_request') [status, message] = [400, 'This API does not accept this sign-in method.'];
  else if (error instanceof StoreUnavailableError) [status, message] = [503, 'Sign-in is not available right now. Try again later.'];
  else if ((error as { statusCode?: number }).statusCode === 413) [status, message] = [413, 'The form was too large.'];
  else if ((error as { statusCode?: number }).statusCode === 415) [status, message] = [415, 'The form was not sent as a web form.'];
  else request.log.error({ err: error }, 'authorization endpoint failed');
  if (status !== 500) request.log.info({ status }, 'authorization request refused');
  return securityHeaders(reply, null).code(status).type('text/html; charset=utf-8').send(errorPage(message));
}

function formField(form: Record<string, string | string[]>, name: string): string | undefined {
  const value = form[name];
  // A repeated field is no field: a second form_token must not be tried after the first.
  return typeof value === 'string' ? value : undefined;
}

export async function authorizeRoutes(app: FastifyInstance, options: { readonly services: Services }): Promise<void> {
  const { services } = options;
  app.setErrorHandler((error, request, reply) => sendPageError(request, reply, error));
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT }, (_request, body, done) => {
    done(null, parseForm(body as string));
  });

  app.get(SIGN_IN_STYLESHEET_PATH, async (_request, reply) =>
    securityHeaders(reply, null).header('cache-control', 'public, max-age=3600').type('text/css; charset=utf-8').send(SIGN_IN_STYLESHEET),
  );

  app.get<{ Params: EndpointParams; Querystring: AuthorizationQuery }>(AUTHORIZE_PATH, async (request, reply) => {
    const context = flowContext(services, request);
    const { client, destination } = await identifyClient(services.store.subscriptions, context.api, request.query);
    let step: AuthorizationStep;
    try {
      const valid = readAuthorizationRequest(context.api, client, destination, request.query);
      step = await beginAuthorization(context, valid, bindBrowser(request, reply));
    } catch (error) {
      if (!(error instanceof AuthorizationRedirectError)) throw error;
      request.log.info({ error: error.code }, 'authorization request refused');
      const location = authorizationResponseUrl(destination.redirectUri, context.issuer, {
        error: error.code,
        error_description: error.description,
        state: destination.state,
      });
      return securityHeaders(reply, null).code(302).header('location', location).send();
    }
    return sendStep(reply, step, endpointPath(request.params) + '/authorize', services, context.api.id, 302);
  });

  app.post<{ Params: EndpointParams; Body: Record<string, string | string[]> | undefined }>(AUTHORIZE_PATH, async (request, reply) => {
    const context = flowContext(services, request);
    const form = request.body ?? {};
    const step = await continueAuthorization(context, {
      formToken: formField(form, 'form_token'),
      browserBinding: presentedBinding(request),
      username: formField(form, 'username'),
      password: formField(form, 'password'),
      decision: formField(form, 'decision'),
    });
    return sendStep(reply, step, endpointPath(request.params) + '/authorize', services, context.api.id, 303);
  });
}
