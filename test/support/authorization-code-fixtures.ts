import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import type { OAuthHarness, TestClient } from './oauth-fixtures.js';

// The authorization code + PKCE flow (RFC 6749 §4.1, RFC 7636) as a browser without JavaScript
// runs it: GET the authorize URL, post the sign-in form (and the consent form), follow nothing,
// read the Location. Plain fetch with manual redirects, so every hop can be inspected.

export interface PkcePair {
  readonly verifier: string;
  readonly challenge: string;
}

export function pkcePair(): PkcePair {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export const authorizePath = (authMethodId = 'local', apiId = 'orders') => `/auth/${authMethodId}/api/${apiId}/authorize`;

export async function registerRedirectUri(harness: Pick<OAuthHarness, 'store' | 'now'>, client: TestClient, uri: string): Promise<void> {
  const registered = await harness.store.applications.changeRedirectUris(client.subscription.applicationId, { add: uri }, harness.now(), {
    type: 'application.redirect_uri_added',
    at: harness.now(),
    applicationId: client.subscription.applicationId,
  });
  assert.ok(registered?.includes(uri));
}

export interface AuthorizeParameters {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly challenge: string;
  readonly state?: string;
  readonly scope?: string;
  readonly method?: string;
}

export function authorizeUrl(baseUrl: string, parameters: AuthorizeParameters, path = authorizePath()): string {
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: parameters.clientId,
    redirect_uri: parameters.redirectUri,
    code_challenge: parameters.challenge,
    code_challenge_method: parameters.method ?? 'S256',
    state: parameters.state ?? randomBytes(8).toString('hex'),
  });
  if (parameters.scope !== undefined) query.set('scope', parameters.scope);
  return `${baseUrl}${path}?${query.toString()}`;
}

export interface FormPage {
  readonly status: number;
  readonly html: string;
  readonly headers: Headers;
  /** The hidden form_token, if the page has a form. */
  readonly formToken: string | null;
  /** The browser-binding cookie, as the browser would send it back. */
  readonly cookie: string | null;
  readonly location: string | null;
}

function cookieOf(response: Response, previous: string | null): string | null {
  const set = response.headers.get('set-cookie');
  return set === null ? previous : (set.split(';')[0] ?? null);
}

async function toPage(response: Response, cookie: string | null): Promise<FormPage> {
  const html = await response.text();
  const formToken = /name="form_token" value="([^"]+)"/.exec(html)?.[1] ?? null;
  return { status: response.status, html, headers: response.headers, formToken, cookie: cookieOf(response, cookie), location: response.headers.get('location') };
}

export async function openAuthorize(url: string): Promise<FormPage> {
  return toPage(await fetch(url, { redirect: 'manual' }), null);
}

/** Posts a form of the authorization endpoint as a browser would (form-urlencoded, with its cookie). */
export async function postForm(actionUrl: string, fields: Readonly<Record<string, string>>, cookie: string | null): Promise<FormPage> {
  const response = await fetch(actionUrl, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie === null ? {} : { cookie }) },
    body: new URLSearchParams(fields).toString(),
  });
  return toPage(response, cookie);
}

/** Signs in (and allows, when asked) through the forms; returns the redirect the flow ends with. */
export async function authorizeWithForms(
  url: string,
  credentials: { readonly login: string; readonly password: string },
  decision: 'allow' | 'deny' = 'allow',
): Promise<URL> {
  const action = url.slice(0, url.indexOf('?'));
  const signIn = await openAuthorize(url);
  assert.equal(signIn.status, 200, signIn.location ?? signIn.html);
  assert.ok(signIn.formToken, 'the sign-in page has a form token');
  let answer = await postForm(action, { form_token: signIn.formToken, username: credentials.login, password: credentials.password }, signIn.cookie);
  if (answer.status === 200 && answer.formToken) {
    assert.match(answer.html, /name="decision" value="allow"/, 'the consent page');
    answer = await postForm(action, { form_token: answer.formToken, decision }, answer.cookie);
  }
  assert.equal(answer.status, 303, answer.html);
  assert.ok(answer.location);
  return new URL(answer.location);
}
