import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { browserUnavailable, startBrowser, type BrowserHarness } from '../portal/portal-browser.js';
import { authorizeUrl, pkcePair, registerRedirectUri } from '../support/authorization-code-fixtures.js';
import { startLiveGatehouse, tokenPath, USER_PASSWORD, type LiveGatehouse } from '../support/client-fixtures.js';
import { createClient, type TestClient } from '../support/oauth-fixtures.js';

// The sign-in and consent pages in a real browser (Debian's Chromium through playwright-core):
// found by their labels, submitted as a person would, with the strict CSP in force (a violation
// is a console error, which fails the test), ending at a loopback redirect URI (RFC 8252 §7.3)
// that records what arrived. One Gatehouse and one browser for the file.

const skip = browserUnavailable();
const started = skip === null ? startLiveGatehouse() : null;
const browserStarted = skip === null ? startBrowser() : null;

let live: LiveGatehouse;
let browser: BrowserHarness;
let untrusted: TestClient;
let callbackUrl: string;
let framingUrl: string;
const arrivals: URL[] = [];

// The client's side: a callback that records the query, and a page of another site framing the
// sign-in. Started outside any test, so that it closes when the file ends.
const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', callbackUrl);
  if (url.pathname === '/frame') {
    res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><title>framing</title><iframe src="${url.searchParams.get('src') ?? ''}"></iframe>`);
    return;
  }
  if (url.pathname === '/callback') arrivals.push(url);
  res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>back at the app</title>');
});
const listening = new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
// A browser keeps its connections open; they would hold close() until they time out.
after(() => new Promise<void>((resolve) => (server.close(() => resolve()), server.closeAllConnections())));

before(async () => {
  if (!started || !browserStarted) return;
  [live, browser] = await Promise.all([started, browserStarted]);
  const port = await listening;
  callbackUrl = `http://127.0.0.1:${port}/callback`;
  framingUrl = `http://127.0.0.1:${port}/frame`;
  untrusted = await createClient(live.harness, { clientType: 'public', trusted: false, status: 'approved' });
  await registerRedirectUri(live.harness, untrusted, callbackUrl);
});

describe('the sign-in page in Chromium', { skip: skip ?? false }, () => {
  it('a wrong password shows the error summary; then sign-in and consent end at the redirect URI with a code that redeems', async () => {
    const { page, problems } = browser;
    const pkce = pkcePair();
    await page.goto(authorizeUrl(live.baseUrl, { clientId: untrusted.clientId, redirectUri: callbackUrl, challenge: pkce.challenge, state: 'browser-state' }));
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    await page.getByLabel('Email or username').fill(live.login);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    assert.match((await page.getByRole('alert').textContent()) ?? '', /username or password is wrong/);
    assert.equal(await page.getByLabel('Email or username').inputValue(), live.login, 'the user name is kept');
    assert.equal(await page.getByLabel('Password').getAttribute('aria-invalid'), 'true');

    await page.getByLabel('Password').fill(USER_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL((url) => url.pathname === '/callback');
    const arrived = arrivals.at(-1);
    assert.ok(arrived);
    assert.equal(arrived.searchParams.get('state'), 'browser-state');
    const code = arrived.searchParams.get('code');
    assert.ok(code);
    const response = await fetch(`${live.baseUrl}${tokenPath()}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: callbackUrl, code_verifier: pkce.verifier, client_id: untrusted.clientId }).toString(),
    });
    assert.equal(response.status, 200);
    // The wrong password's page is a 400, which Chromium reports as a failed load; nothing else may appear.
    assert.deepEqual(problems.filter((p) => !/status of 400/.test(p)), [], 'no CSP violation or script error on the way');
  });

  it('Deny ends at the redirect URI with access_denied', async () => {
    const { page } = browser;
    await live.harness.store.authorizations.revokeConsent(live.userId, untrusted.subscription.id, { type: 'consent.revoked', at: live.harness.now() });
    await page.goto(authorizeUrl(live.baseUrl, { clientId: untrusted.clientId, redirectUri: callbackUrl, challenge: pkcePair().challenge, state: 'no' }));
    await page.getByLabel('Email or username').fill(live.login);
    await page.getByLabel('Password').fill(USER_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Deny' }).click();
    await page.waitForURL((url) => url.pathname === '/callback');
    assert.equal(arrivals.at(-1)?.searchParams.get('error'), 'access_denied');
    assert.equal(arrivals.at(-1)?.searchParams.get('code'), null);
  });

  it('another site cannot frame the sign-in page', async () => {
    const { page } = browser;
    const src = authorizeUrl(live.baseUrl, { clientId: untrusted.clientId, redirectUri: callbackUrl, challenge: pkcePair().challenge });
    await page.goto(`${framingUrl}?src=${encodeURIComponent(src)}`);
    const frame = page.frames().find((candidate) => candidate !== page.mainFrame());
    assert.ok(frame);
    await frame.waitForLoadState();
    const inside = (await frame.locator('form').count().catch(() => 0)) > 0;
    assert.equal(inside, false, 'the framed page shows no form');
    browser.problems.length = 0;
  });
});
