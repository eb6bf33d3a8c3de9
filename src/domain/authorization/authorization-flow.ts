import { randomUUID } from 'node:crypto';
import type { ApiConfig, RateLimitWindowsConfig } from '../../config/config.js';
import type { ApplicationStore, AuditStore, AuthorizationRequest, AuthorizationStore, SubscriptionStore } from '../../store/store.js';
import { AUDIT_EVENT } from '../audit-events.js';
import type { CredentialVerifier } from '../auth-methods/credential-verifier.js';
import type { LoginThrottle } from '../brute-force/login-throttle.js';
import { MAX_PASSWORD_LENGTH } from '../password-policy.js';
import { checkPassword } from '../password-check.js';
import { MAX_USERNAME_LENGTH } from '../grants/password-grant.js';
import { OAUTH_DESCRIPTIONS } from '../oauth-descriptions.js';
import type { RateLimiter } from '../rate-limit.js';
import { authorizationCodeRefusal, skipsConsent } from '../subscription-rules.js';
import { hashTokenValue, matchesTokenHash, newTokenValue } from '../token-values.js';
import { AuthorizationPageError, AuthorizationRedirectError, PAGE_MESSAGES } from './authorization-errors.js';
import { authorizationResponseUrl, type ValidAuthorizationRequest } from './authorization-request.js';

// The steps between a valid authorization request and its code (RFC 6749 §4.1.2): sign in, then
// consent unless the subscription is trusted (or the user consented before). The request waits
// in the store; the browser holds only a single-use form token (CSRF, and no replay of a post)
// and a cookie that binds the request to the browser that started it.

const SECOND = 1000; // ms
export const AUTHORIZATION_REQUEST_LIFETIME = 10 * 60 * SECOND; // time to type a password
export const AUTHORIZATION_CODE_LIFETIME = 60 * SECOND; // RFC 6749 §4.1.2: "maximum ... of 10 minutes RECOMMENDED"; one is plenty

export interface AuthorizationFlowContext {
  readonly api: ApiConfig;
  readonly authMethodId: string;
  readonly verifier: CredentialVerifier;
  readonly loginThrottle: LoginThrottle;
  /** Counts the requests each client address starts (each one is a row in the store until it expires). */
  readonly requestLimit: { readonly limiter: Pick<RateLimiter, 'hitGroup'>; readonly perAddress: RateLimitWindowsConfig };
  /** This endpoint's RFC 8414 issuer, sent as `iss` (RFC 9207). */
  readonly issuer: string;
  readonly now: number;
  readonly ip: string | null;
  readonly store: {
    readonly authorizations: AuthorizationStore;
    readonly subscriptions: Pick<SubscriptionStore, 'findById'>;
    readonly applications: Pick<ApplicationStore, 'findById'>;
    readonly audit: Pick<AuditStore, 'record'>;
  };
}

/** What the browser is shown next. */
export type AuthorizationStep =
  | {
      readonly kind: 'sign-in';
      readonly formToken: string;
      readonly status: number;
      readonly failure: null | 'rejected' | 'throttled' | 'busy' | 'unavailable';
      readonly username: string;
      readonly applicationName: string;
      /** Where the form's answer will redirect (a page's CSP form-action must allow it). */
      readonly redirectUri: string;
    }
  | { readonly kind: 'consent'; readonly formToken: string; readonly applicationName: string; readonly scope: string; readonly redirectUri: string }
  | { readonly kind: 'redirect'; readonly location: string };

/** Starts the sign-in for a valid request; `browserBinding` is the value of the browser's cookie. */
export async function beginAuthorization(context: AuthorizationFlowContext, request: ValidAuthorizationRequest, browserBinding: string): Promise<AuthorizationStep> {
  if (context.ip !== null) {
    const admitted = await context.requestLimit.limiter.hitGroup(`authorization:${context.ip}`, context.requestLimit.perAddress);
    if (admitted?.allowed === false) {
      throw new AuthorizationRedirectError('temporarily_unavailable', OAUTH_DESCRIPTIONS.tooManyAuthorizationRequests(admitted.resetSeconds));
    }
  }
  const formToken = newTokenValue();
  await context.store.authorizations.createRequest({
    id: randomUUID(),
    formTokenHash: hashTokenValue(formToken),
    subscriptionId: request.client.subscription.id,
    apiId: context.api.id,
    authMethod: context.authMethodId,
    redirectUri: request.redirectUri,
    state: request.state,
    codeChallenge: request.codeChallenge,
    scope: request.scope,
    browserHash: hashTokenValue(browserBinding),
    createdAt: context.now,
    expiresAt: context.now + AUTHORIZATION_REQUEST_LIFETIME,
  });
  return { kind: 'sign-in', formToken, status: 200, failure: null, username: '', applicationName: request.client.application.name, redirectUri: request.redirectUri };
}

export interface PostedForm {
  readonly formToken: string | undefined;
  /** The browser's binding cookie, if it sent one. */
  readonly browserBinding: string | undefined;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  readonly decision?: string | undefined;
}

/** The request the form belongs to, if the form is fresh and posted by the browser that started it. */
async function takeRequest(context: AuthorizationFlowContext, form: PostedForm): Promise<AuthorizationRequest> {
  if (form.formToken === undefined || form.formToken.length > 100) throw new AuthorizationPageError(400, PAGE_MESSAGES.formExpired);
  const request = await context.store.authorizations.takeRequest(hashTokenValue(form.formToken), context.now);
  if (!request || request.apiId !== context.api.id || request.authMethod !== context.authMethodId) {
    throw new AuthorizationPageError(400, PAGE_MESSAGES.formExpired);
  }
  if (form.browserBinding === undefined || !matchesTokenHash(form.browserBinding, request.browserHash)) {
    throw new AuthorizationPageError(403, PAGE_MESSAGES.wrongBrowser);
  }
  return request;
}

function redirectTo(context: AuthorizationFlowContext, request: AuthorizationRequest, response: Readonly<Record<string, string | null>>): AuthorizationStep {
  return { kind: 'redirect', location: authorizationResponseUrl(request.redirectUri, context.issuer, { ...response, state: request.state }) };
}

async function nextForm(context: AuthorizationFlowContext, request: AuthorizationRequest, userId: string | null): Promise<string | null> {
  const formToken = newTokenValue();
  return (await context.store.authorizations.continueRequest(request.id, hashTokenValue(formToken), userId)) ? formToken : null;
}

/** A posted sign-in or consent form. */
export async function continueAuthorization(context: AuthorizationFlowContext, form: PostedForm): Promise<AuthorizationStep> {
  const request = await takeRequest(context, form);
  const subscription = await context.store.subscriptions.findById(request.subscriptionId);
  const application = subscription ? await context.store.applications.findById(subscription.applicationId) : null;
  if (!subscription || !application) throw new AuthorizationPageError(400, PAGE_MESSAGES.unknownClient);
  // Approval may have been withdrawn while the user was typing.
  if (authorizationCodeRefusal(subscription, context.api.plans) !== null) {
    return redirectTo(context, request, { error: 'unauthorized_client', error_description: OAUTH_DESCRIPTIONS.subscriptionAwaitsApproval() });
  }
  const audit = { at: context.now, ip: context.ip, applicationId: application.id, subscriptionId: subscription.id, apiId: context.api.id };

  if (request.userId === null) {
    const username = (form.username ?? '').slice(0, MAX_USERNAME_LENGTH);
    const password = form.password ?? '';
    const failed = async (failure: 'rejected' | 'throttled' | 'busy' | 'unavailable', status: number): Promise<AuthorizationStep> => {
      const formToken = await nextForm(context, request, null);
      if (formToken === null) throw new AuthorizationPageError(400, PAGE_MESSAGES.formExpired);
      return { kind: 'sign-in', formToken, status, failure, username, applicationName: application.name, redirectUri: request.redirectUri };
    };
    if (username === '' || password === '' || password.length > MAX_PASSWORD_LENGTH) return failed('rejected', 400);
    const check = await checkPassword(
      {
        ...context,
        recordRefusal: async (reason) => {
          await context.store.audit.record({ ...audit, type: AUDIT_EVENT.loginRefused, details: { reason, authMethod: context.authMethodId, via: 'authorize' } });
        },
      },
      username,
      password,
    );
    switch (check.outcome) {
      case 'rejected':
        return failed('rejected', 400);
      case 'address-throttled':
        return failed('throttled', 429);
      case 'busy':
        return failed('busy', 503);
      case 'unavailable':
        return failed('unavailable', 503);
      case 'accepted':
        break;
    }
    const userId = check.user.id;
    const consent = skipsConsent(subscription) ? null : await context.store.authorizations.findConsent(userId, subscription.id);
    const consented = consent !== null && request.scope.split(' ').every((s) => consent.scope.split(' ').includes(s));
    if (skipsConsent(subscription) || consented) return issueCode(context, request, userId, null);
    const formToken = await nextForm(context, request, userId);
    if (formToken === null) throw new AuthorizationPageError(400, PAGE_MESSAGES.formExpired);
    return { kind: 'consent', formToken, applicationName: application.name, scope: request.scope, redirectUri: request.redirectUri };
  }

  if (form.decision === 'deny') return redirectTo(context, request, { error: 'access_denied', error_description: OAUTH_DESCRIPTIONS.accessDenied() });
  if (form.decision !== 'allow') throw new AuthorizationPageError(400, PAGE_MESSAGES.badDecision);
  const consent = {
    userId: request.userId,
    subscriptionId: subscription.id,
    applicationId: application.id,
    apiId: context.api.id,
    scope: request.scope,
    grantedAt: context.now,
  };
  return issueCode(context, request, request.userId, {
    consent,
    audit: { ...audit, type: AUDIT_EVENT.consentGranted, userId: request.userId, details: { scope: request.scope } },
  });
}

async function issueCode(
  context: AuthorizationFlowContext,
  request: AuthorizationRequest,
  userId: string,
  consent: Parameters<AuthorizationStore['issueCode']>[2],
): Promise<AuthorizationStep> {
  // RFC 6749 §10.10: 256 bits from the CSPRNG; only its SHA-256 is stored.
  const code = newTokenValue();
  const issued = await context.store.authorizations.issueCode(
    request.id,
    {
      hash: hashTokenValue(code),
      subscriptionId: request.subscriptionId,
      apiId: request.apiId,
      authMethod: request.authMethod,
      userId,
      redirectUri: request.redirectUri,
      codeChallenge: request.codeChallenge,
      scope: request.scope,
      createdAt: context.now,
      expiresAt: context.now + AUTHORIZATION_CODE_LIFETIME,
    },
    consent,
  );
  if (!issued) throw new AuthorizationPageError(400, PAGE_MESSAGES.formExpired);
  return redirectTo(context, request, { code });
}
