import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { hashTokenValue } from '../../src/domain/token-values.js';
import {
  authorizePath,
  authorizeUrl,
  authorizeWithForms,
  openAuthorize,
  pkcePair,
  postForm,
  registerRedirectUri,
} from '../support/authorization-code-fixtures.js';
import { startLiveGatehouse, tokenPath, USER_PASSWORD, type LiveGatehouse } from '../support/client-fixtures.js';
import { createClient, createUser, type TestClient } from '../support/oauth-fixtures.js';

// The authorization code + PKCE flow without JavaScript (plain form posts), and every hostile
// input the issue lists, each refused with the right error and nothing issued. One Gatehouse.

const CALLBACK = 'https://app.example/callback';
const GOLD_PLANS = [
  { id: 'default', name: 'Default', requiresApproval: false },
  { id: 'gold', name: 'Gold', requiresApproval: true },
];

let live: LiveGatehouse;
let untrusted: TestClient;
let issuer: string;
const action = () => `${live.baseUrl}${authorizePath()}`;

async function tokenRequest(client: TestClient, fields: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  const body = new URLSearchParams(fields);
  if (client.clientSecret !== null) body.set('client_secret', client.clientSecret);
  body.set('client_id', client.clientId);
  const response = await fetch(`${live.baseUrl}${tokenPath()}`, { method: 'POST', headers, body: body.toString() });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function codeFor(client: TestClient, pkce = pkcePair(), extra: { scope?: string; state?: string } = {}) {
  const state = extra.state ?? 'st-1';
  const location = await authorizeWithForms(authorizeUrl(live.baseUrl, { clientId: client.clientId, redirectUri: CALLBACK, challenge: pkce.challenge, state, ...extra }), {
    login: live.login,
    password: USER_PASSWORD,
  });
  assert.equal(`${location.origin}${location.pathname}`, CALLBACK);
  assert.equal(location.searchParams.get('state'), state);
  assert.equal(location.searchParams.get('iss'), issuer);
  const code = location.searchParams.get('code');
  assert.ok(code);
  return { code, pkce };
}

async function familiesOfUser(): Promise<number> {
  return (await live.harness.store.tokens.listActiveFamilies({ userId: live.userId }, live.harness.now())).items.length;
}

// A directory service for the external auth method `corp`: one account, ext-alice.
const directory = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const { username, password } = JSON.parse(Buffer.concat(chunks).toString()) as { username: string; password: string };
    if (username !== 'ext-alice' || password !== USER_PASSWORD) return void res.writeHead(401).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ sub: 'dir-7', email: 'alice@corp.example' }));
  });
});
const directoryUrl = new Promise<string>((resolve) => directory.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(directory.address() as AddressInfo).port}/verify`)));
after(() => new Promise<void>((resolve) => directory.close(() => resolve())));

// Started outside any test, so that its clean-up runs when the file ends, not after the first hook.
const started = directoryUrl.then((externalUrl) => startLiveGatehouse({ apiOverrides: { plans: GOLD_PLANS }, externalUrl }));

before(async () => {
  live = await started;
  untrusted = await createClient(live.harness, { clientType: 'public', trusted: false, status: 'approved' });
  for (const client of [live.confidential, live.public, untrusted]) await registerRedirectUri(live.harness, client, CALLBACK);
  const metadata = (await (await fetch(`${live.baseUrl}/.well-known/oauth-authorization-server/auth/local/api/orders`)).json()) as Record<string, unknown>;
  issuer = metadata.issuer as string;
  assert.equal(metadata.authorization_endpoint, `${issuer}/authorize`);
  assert.deepEqual(metadata.code_challenge_methods_supported, ['S256']);
});

describe('authorization code + PKCE through plain form posts', () => {
  it('a trusted confidential client: sign-in, code, tokens; the refresh token rotates', async () => {
    const { code, pkce } = await codeFor(live.confidential, pkcePair(), { scope: 'orders:read' });
    const tokens = await tokenRequest(live.confidential, { grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: pkce.verifier });
    assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
    assert.equal(tokens.body.scope, 'orders:read');
    const record = await live.harness.store.tokens.findAccessToken(hashTokenValue(tokens.body.access_token as string));
    assert.equal(record?.family.userId, live.userId);
    const refreshed = await tokenRequest(live.confidential, { grant_type: 'refresh_token', refresh_token: tokens.body.refresh_token as string });
    assert.equal(refreshed.status, 200);
    assert.notEqual(refreshed.body.refresh_token, tokens.body.refresh_token);
  });

  it('an untrusted public client asks for consent once; deny sends access_denied with state and iss', async () => {
    const url = authorizeUrl(live.baseUrl, { clientId: untrusted.clientId, redirectUri: CALLBACK, challenge: pkcePair().challenge, state: 'deny-me' });
    const denied = await authorizeWithForms(url, { login: live.login, password: USER_PASSWORD }, 'deny');
    assert.equal(denied.searchParams.get('error'), 'access_denied');
    assert.equal(denied.searchParams.get('state'), 'deny-me');
    assert.equal(denied.searchParams.get('iss'), issuer);
    assert.equal(denied.searchParams.get('code'), null);
    assert.equal(await live.harness.store.authorizations.findConsent(live.userId, untrusted.subscription.id), null);

    const { code, pkce } = await codeFor(untrusted);
    assert.ok(await live.harness.store.authorizations.findConsent(live.userId, untrusted.subscription.id), 'the consent is remembered');
    const tokens = await tokenRequest(untrusted, { grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: pkce.verifier });
    assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
    assert.equal(tokens.body.scope, 'orders:read orders:write');
    // No trust needed: the code login's refresh token rotates for the untrusted subscription.
    const refreshed = await tokenRequest(untrusted, { grant_type: 'refresh_token', refresh_token: tokens.body.refresh_token as string });
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));

    // Remembered: the sign-in answers with the code straight away.
    const signIn = await openAuthorize(authorizeUrl(live.baseUrl, { clientId: untrusted.clientId, redirectUri: CALLBACK, challenge: pkcePair().challenge }));
    const answer = await postForm(action(), { form_token: signIn.formToken ?? '', username: live.login, password: USER_PASSWORD }, signIn.cookie);
    assert.equal(answer.status, 303);
    assert.ok(new URL(answer.location ?? '').searchParams.get('code'));
  });

  it('the external auth method signs in through the page too; its code redeems on its own token URL', async () => {
    const pkce = pkcePair();
    const url = authorizeUrl(live.baseUrl, { clientId: live.confidential.clientId, redirectUri: CALLBACK, challenge: pkce.challenge }, authorizePath('corp'));
    const location = await authorizeWithForms(url, { login: 'ext-alice', password: USER_PASSWORD });
    assert.equal(location.searchParams.get('iss'), issuer.replace('/auth/local/', '/auth/corp/'));
    const code = location.searchParams.get('code') ?? '';
    const body = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: pkce.verifier, client_id: live.confidential.clientId, client_secret: live.confidential.clientSecret });
    const atLocal = await fetch(`${live.baseUrl}${tokenPath()}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: body.toString() });
    assert.equal(atLocal.status, 400, 'a code of one auth method is nothing at another’s token URL');
    const response = await fetch(`${live.baseUrl}${tokenPath('corp')}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: body.toString() });
    assert.equal(response.status, 200);
    const record = await live.harness.store.tokens.findAccessToken(hashTokenValue(((await response.json()) as { access_token: string }).access_token));
    assert.equal((await live.harness.store.users.findById(record?.family.userId ?? ''))?.externalSub, 'dir-7');
  });

  it('the sign-in page: accessible form, strict security headers, no inline script', async () => {
    const page = await openAuthorize(authorizeUrl(live.baseUrl, { clientId: live.confidential.clientId, redirectUri: CALLBACK, challenge: pkcePair().challenge }));
    assert.equal(page.status, 200);
    const csp = page.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(csp, /form-action 'self' https:\/\/app\.example/);
    assert.doesNotMatch(csp, /unsafe-inline|script-src/);
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
    assert.equal(page.headers.get('referrer-policy'), 'no-referrer');
    assert.equal(page.headers.get('cache-control'), 'no-store');
    assert.match(page.cookie ?? '', /^gatehouse_authorize=/);
    assert.match(page.headers.get('set-cookie') ?? '', /HttpOnly; SameSite=Lax/);
    assert.match(page.html, /<html lang="en">/);
    assert.match(page.html, /<label for="username">/);
    assert.match(page.html, /<label for="password">/);
    assert.doesNotMatch(page.html, /<script|\sstyle=|\son\w+=/i);
  });

  it('a wrong password and an unknown user get the same generic error, a fresh form, and nothing issued', async () => {
    const bodies: string[] = [];
    for (const username of [live.login, 'nobody@example.com']) {
      const page = await openAuthorize(authorizeUrl(live.baseUrl, { clientId: live.confidential.clientId, redirectUri: CALLBACK, challenge: pkcePair().challenge }));
      const answer = await postForm(action(), { form_token: page.formToken ?? '', username, password: 'wrong password' }, page.cookie);
      assert.equal(answer.status, 400);
      assert.match(answer.html, /role="alert"/);
      assert.ok(answer.formToken && answer.formToken !== page.formToken, 'a new single-use form token');
      bodies.push(answer.html.replace(/value="[^"]*"/g, ''));
      // The failed form's token is spent.
      const again = await postForm(action(), { form_token: page.formToken ?? '', username, password: USER_PASSWORD }, page.cookie);
      assert.equal(again.status, 400);
      assert.equal(again.location, null);
    }
    assert.equal(bodies[0], bodies[1], 'no user enumeration');
  });

  it('the password grant’s account lockout holds on the page: after 5 failures the right password gets the same generic error', async () => {
    const victim = await createUser(live.harness, { password: USER_PASSWORD });
    const attempt = async (password: string) => {
      const page = await openAuthorize(authorizeUrl(live.baseUrl, { clientId: live.confidential.clientId, redirectUri: CALLBACK, challenge: pkcePair().challenge }));
      return postForm(action(), { form_token: page.formToken ?? '', username: victim.login, password }, page.cookie);
    };
    for (let i = 0; i < 5; i++) assert.equal((await attempt('wrong password')).status, 400);
    const locked = await attempt(USER_PASSWORD);
    assert.equal(locked.status, 400);
    assert.equal(locked.location, null);
    assert.match(locked.html, /username or password is wrong/);
    const refusals = await live.harness.store.audit.list({ type: 'login.refused' });
    assert.ok(refusals.items.some((e) => e.details.reason === 'account_locked' && e.details.via === 'authorize'), 'audited as the password grant audits it');
  });

  it('CSRF: a missing, reused or foreign-browser form token is refused on a page, and nothing is issued', async () => {
    const before = await familiesOfUser();
    const url = authorizeUrl(live.baseUrl, { clientId: live.confidential.clientId, redirectUri: CALLBACK, challenge: pkcePair().challenge });
    const missing = await postForm(action(), { username: live.login, password: USER_PASSWORD }, (await openAuthorize(url)).cookie);
    assert.equal(missing.status, 400);
    assert.equal(missing.location, null);

    const foreign = await openAuthorize(url);
    const noCookie = await postForm(action(), { form_token: foreign.formToken ?? '', username: live.login, password: USER_PASSWORD }, null);
    assert.equal(noCookie.status, 403);
    const other = await openAuthorize(url);
    const wrongCookie = await postForm(action(), { form_token: other.formToken ?? '', username: live.login, password: USER_PASSWORD }, foreign.cookie);
    assert.equal(wrongCookie.status, 403, 'another browser’s cookie');

    const page = await openAuthorize(url);
    const first = await postForm(action(), { form_token: page.formToken ?? '', username: live.login, password: USER_PASSWORD }, page.cookie);
    assert.equal(first.status, 303);
    const reused = await postForm(action(), { form_token: page.formToken ?? '', username: live.login, password: USER_PASSWORD }, page.cookie);
    assert.equal(reused.status, 400);
    assert.equal(reused.location, null);
    assert.equal(await familiesOfUser(), before, 'codes are not tokens: nothing issued');
  });

  it('a state field added to the posted form does not change the state sent back', async () => {
    const page = await openAuthorize(authorizeUrl(live.baseUrl, { clientId: live.confidential.clientId, redirectUri: CALLBACK, challenge: pkcePair().challenge, state: 'a&b=c ü' }));
    const answer = await postForm(action(), { form_token: page.formToken ?? '', username: live.login, password: USER_PASSWORD, state: 'evil', redirect_uri: 'https://evil.example/' }, page.cookie);
    const location = new URL(answer.location ?? '');
    assert.equal(location.origin, 'https://app.example');
    assert.equal(location.searchParams.get('state'), 'a&b=c ü');
  });
});

describe('hostile authorization requests', () => {
  const variants: ReadonlyArray<[string, string]> = [
    ['extra path', `${CALLBACK}/extra`],
    ['extra query', `${CALLBACK}?next=https://evil.example`],
    ['fragment', `${CALLBACK}#frag`],
    ['case change', 'https://APP.example/callback'],
    ['path case change', 'https://app.example/Callback'],
    ['userinfo', 'https://app.example@evil.example/callback'],
    ['userinfo on the right host', 'https://user@app.example/callback'],
    ['IDN / punycode look-alike', 'https://xn--pp-7ka.example/callback'],
    ['IDN in Unicode', 'https://äpp.example/callback'],
    ['javascript:', 'javascript:alert(document.domain)//'],
    ['another site (open redirect)', 'https://evil.example/callback'],
    ['protocol-relative', '//evil.example/callback'],
    ['trailing dot host', 'https://app.example./callback'],
    ['http downgrade', 'http://app.example/callback'],
  ];
  for (const [name, redirectUri] of variants) {
    it(`redirect URI variant refused on a page, never redirected: ${name}`, async () => {
      const page = await openAuthorize(authorizeUrl(live.baseUrl, { clientId: live.confidential.clientId, redirectUri, challenge: pkcePair().challenge }));
      assert.equal(page.status, 400);
      assert.equal(page.location, null);
      assert.equal(page.formToken, null);
      assert.equal(page.cookie, null);
      assert.match(page.html, /has not registered/);
    });
  }

  it('an unknown, missing or repeated client_id, or a missing redirect_uri, is a page even with a registered redirect URI', async () => {
    const challenge = pkcePair().challenge;
    for (const url of [
      authorizeUrl(live.baseUrl, { clientId: 'nobody', redirectUri: CALLBACK, challenge }),
      `${live.baseUrl}${authorizePath()}?response_type=code&redirect_uri=${encodeURIComponent(CALLBACK)}`,
      `${authorizeUrl(live.baseUrl, { clientId: live.confidential.clientId, redirectUri: CALLBACK, challenge })}&client_id=${live.public.clientId}`,
      `${live.baseUrl}${authorizePath()}?response_type=code&client_id=${live.confidential.clientId}`,
      authorizeUrl(live.baseUrl, { clientId: live.confidential.clientId, redirectUri: CALLBACK, challenge }, authorizePath('local', 'billing')),
    ]) {
      const page = await openAuthorize(url);
      assert.equal(page.status, 400, url);
      assert.equal(page.location, null);
    }
    assert.equal((await openAuthorize(authorizeUrl(live.baseUrl, { clientId: 'x', redirectUri: CALLBACK, challenge }, authorizePath('local', 'nope')))).status, 404);
  });

  const redirected: ReadonlyArray<[string, (p: URLSearchParams) => void, string]> = [
    ['plain PKCE method', (p) => p.set('code_challenge_method', 'plain'), 'invalid_request'],
    ['no PKCE at all', (p) => (p.delete('code_challenge'), p.delete('code_challenge_method')), 'invalid_request'],
    ['a malformed challenge', (p) => p.set('code_challenge', 'short'), 'invalid_request'],
    ['response_type=token', (p) => p.set('response_type', 'token'), 'unsupported_response_type'],
    ['no response_type', (p) => p.delete('response_type'), 'invalid_request'],
    ['an unknown scope', (p) => p.set('scope', 'orders:read admin'), 'invalid_scope'],
    ['a repeated state', (p) => p.append('state', 'two'), 'invalid_request'],
  ];
  for (const [name, change, error] of redirected) {
    it(`${name}: ${error} to the redirect URI with state and iss, nothing else`, async () => {
      const url = new URL(authorizeUrl(live.baseUrl, { clientId: live.confidential.clientId, redirectUri: CALLBACK, challenge: pkcePair().challenge, state: 's-1' }));
      change(url.searchParams);
      const page = await openAuthorize(url.toString());
      assert.equal(page.status, 302, page.html);
      assert.equal(page.cookie, null);
      const location = new URL(page.location ?? '');
      assert.equal(`${location.origin}${location.pathname}`, CALLBACK);
      assert.equal(location.searchParams.get('error'), error);
      assert.equal(location.searchParams.get('iss'), issuer);
      assert.equal(location.searchParams.get('code'), null);
      assert.equal(location.searchParams.get('state'), name === 'a repeated state' ? null : 's-1');
    });
  }

  it('a subscription whose plan requires approval may not authorize until approved (trust is not needed)', async () => {
    const pending = await createClient(live.harness, { clientType: 'public', trusted: false, status: 'pending' });
    await live.harness.store.subscriptions.update(pending.subscription.id, { plan: 'gold' }, live.harness.now());
    await registerRedirectUri(live.harness, pending, CALLBACK);
    const page = await openAuthorize(authorizeUrl(live.baseUrl, { clientId: pending.clientId, redirectUri: CALLBACK, challenge: pkcePair().challenge }));
    assert.equal(new URL(page.location ?? '').searchParams.get('error'), 'unauthorized_client');
    const defaultPlan = await createClient(live.harness, { clientType: 'public', trusted: false, status: 'pending' });
    await registerRedirectUri(live.harness, defaultPlan, CALLBACK);
    assert.equal((await openAuthorize(authorizeUrl(live.baseUrl, { clientId: defaultPlan.clientId, redirectUri: CALLBACK, challenge: pkcePair().challenge }))).status, 200);
  });
});

describe('hostile code redemptions', () => {
  it('a missing or malformed verifier is invalid_request and does not spend the code', async () => {
    const { code, pkce } = await codeFor(live.confidential);
    const missing = await tokenRequest(live.confidential, { grant_type: 'authorization_code', code, redirect_uri: CALLBACK });
    assert.deepEqual([missing.status, missing.body.error], [400, 'invalid_request']);
    const malformed = await tokenRequest(live.confidential, { grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: 'short' });
    assert.deepEqual([malformed.status, malformed.body.error], [400, 'invalid_request']);
    const ok = await tokenRequest(live.confidential, { grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: pkce.verifier });
    assert.equal(ok.status, 200);
  });

  it('a wrong verifier, or a different redirect_uri, is invalid_grant, spends the code and issues nothing', async () => {
    for (const wrong of [{ code_verifier: pkcePair().verifier }, { redirect_uri: `${CALLBACK}/other` }]) {
      const before = await familiesOfUser();
      const { code, pkce } = await codeFor(live.confidential);
      const refused = await tokenRequest(live.confidential, { grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: pkce.verifier, ...wrong });
      assert.deepEqual([refused.status, refused.body.error], [400, 'invalid_grant']);
      const after = await tokenRequest(live.confidential, { grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: pkce.verifier });
      assert.deepEqual([after.status, after.body.error], [400, 'invalid_grant'], 'the code is spent');
      assert.equal(await familiesOfUser(), before);
    }
  });

  it('a verifier from the plain method (challenge = verifier) does not match', async () => {
    const verifier = pkcePair().verifier.padEnd(43, 'a').slice(0, 43);
    const { code } = await codeFor(live.confidential, { verifier, challenge: verifier });
    const refused = await tokenRequest(live.confidential, { grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: verifier });
    assert.deepEqual([refused.status, refused.body.error], [400, 'invalid_grant']);
  });

  it('a replayed code is invalid_grant and revokes the tokens its first redemption issued', async () => {
    const { code, pkce } = await codeFor(live.confidential);
    const fields = { grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: pkce.verifier };
    const first = await tokenRequest(live.confidential, fields);
    assert.equal(first.status, 200);
    const replay = await tokenRequest(live.confidential, fields);
    assert.deepEqual([replay.status, replay.body.error], [400, 'invalid_grant']);
    const record = await live.harness.store.tokens.findAccessToken(hashTokenValue(first.body.access_token as string));
    assert.notEqual(record?.family.revokedAt, null, 'the first redemption’s login is revoked');
    assert.equal(record?.family.revokedReason, 'authorization_code_reuse');
    const refresh = await tokenRequest(live.confidential, { grant_type: 'refresh_token', refresh_token: first.body.refresh_token as string });
    assert.deepEqual([refresh.status, refresh.body.error], [400, 'invalid_grant']);
  });

  it('another client cannot redeem the code (and does not spend it)', async () => {
    const { code, pkce } = await codeFor(live.confidential);
    const stolen = await tokenRequest(live.public, { grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: pkce.verifier });
    assert.deepEqual([stolen.status, stolen.body.error], [400, 'invalid_grant']);
    const owner = await tokenRequest(live.confidential, { grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: pkce.verifier });
    assert.equal(owner.status, 200);
  });

  it('a code expires after 60 seconds', async () => {
    const { code, pkce } = await codeFor(live.confidential);
    live.harness.advance(61_000);
    const late = await tokenRequest(live.confidential, { grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: pkce.verifier });
    assert.deepEqual([late.status, late.body.error], [400, 'invalid_grant']);
  });

  it('a disabled user cannot sign in through the page', async () => {
    const disabled = await createUser(live.harness, { password: USER_PASSWORD, disabled: true });
    const page = await openAuthorize(authorizeUrl(live.baseUrl, { clientId: live.confidential.clientId, redirectUri: CALLBACK, challenge: pkcePair().challenge }));
    const answer = await postForm(action(), { form_token: page.formToken ?? '', username: disabled.login, password: USER_PASSWORD }, page.cookie);
    assert.equal(answer.status, 400);
    assert.equal(answer.location, null);
  });
});
