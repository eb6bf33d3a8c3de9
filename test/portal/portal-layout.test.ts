import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { PORTAL_CLIENT_ID } from '../../src/domain/portal-sign-in.js';
import { managementRawConfig, SIGN_IN_URL } from '../management/management-fixtures.js';
import { startTestGatehouse, testConfig } from '../support/gatehouse-instance.js';
import { authorizeUrl, authorizeWithForms, pkcePair } from '../support/authorization-code-fixtures.js';
import { tokenPath } from '../support/client-fixtures.js';
import { fastHasher } from '../support/oauth-fixtures.js';
import { browserUnavailable, startBrowser } from './portal-browser.js';
import { SCREENSHOTS, account, confirmIn, signIn, signOut } from './portal-fixtures.js';

// Issue 14, the existing views: every one fits a phone (390×844, and 360 px) and a desktop (1280×800, and 1440 px)
// without sideways scrolling of the page, for a developer and an admin, with long unbroken names
// in it; and the small things people tripped over: the skip link, titles, the favicon, typed
// text, length limits, confirmations, a sign-in ended by an admin, an approver on the users page;
// issue 16's redirect URIs and consents, and the admin's releases and approvals in the page's dialog.
// One server and one browser for the file; the cases run in order and share the records.

const skip = browserUnavailable();
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };
// Issue 14's range ends: each view is also laid out again at the narrower or wider end.
const NARROWEST = { width: 360, height: 740 };
const WIDEST = { width: 1440, height: 900 };
const LONG = 'Supercalifragilisticexpialidocious'.repeat(4); // one word, far wider than a phone

const passwords = fastHasher();
const raw = managementRawConfig();
const [orders] = raw.apis as Record<string, unknown>[];
Object.assign(orders as object, {
  name: `Orders ${LONG}`,
  scopes: [{ id: 'orders:read', description: 'Read your orders' }],
  plans: [
    { id: 'basic', name: 'Basic', description: 'For trying it out', requiresApproval: false, rateLimit: { perMinute: 60, perUser: { perSecond: 2 } } },
    { id: 'gold', name: 'Gold', requiresApproval: true },
  ],
});
const gatehouse = skip ? null : await startTestGatehouse(testConfig(raw), { passwords });
const addresses = gatehouse ? await gatehouse.listen() : null;
const portal = addresses?.portal ?? '';
const browser = skip ? null : await startBrowser();

/** The one tab at the sign-in page, nobody signed in (whatever an earlier case left), no problems yet. */
async function tab() {
  const { page } = browser!;
  await page.goto(portal);
  await page.evaluate('sessionStorage.clear()');
  await page.reload();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  browser!.problems.length = 0;
  return browser!;
}

const js = <T>(page: Page, expression: string) => page.evaluate(expression) as Promise<T>;

/** Does the page scroll sideways? It must not, whatever the view. */
async function overflow(page: Page): Promise<{ scrollWidth: number; clientWidth: number }> {
  return js(page, '({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth })');
}

async function visit(page: Page, hash: string, heading: string | RegExp): Promise<void> {
  await page.evaluate(`location.hash = ${JSON.stringify(hash)}`);
  await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
}

describe('portal layout and details in Chromium', { skip: skip ?? false }, () => {
  it('fits every existing view at 360, 390, 1280 and 1440 px for a developer and an admin', async () => {
    const store = gatehouse!.services.store;
    const developer = await account(store, passwords, false);
    const admin = await account(store, passwords, true);
    await store.users.update(developer.user.id, { name: `Dev ${LONG}` }, Date.now());
    const application = await store.applications.create({ name: `App ${LONG}`, clientType: 'confidential', ownerIds: [developer.user.id] }, Date.now());
    await store.subscriptions.create({ applicationId: application.id, apiId: 'orders', plan: 'basic', trusted: true, status: 'pending', clientId: `client-${LONG}` }, Date.now());
    // A live login of the developer's for the admin's view of it (the tab's own end at sign-out).
    await gatehouse!.portalServer.inject({
      method: 'POST',
      url: SIGN_IN_URL,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ grant_type: 'password', client_id: PORTAL_CLIENT_ID, username: developer.login, password: developer.password }).toString(),
    });
    const { page, problems } = await tab();

    const views = {
      developer: [
        ['#/apis', 'APIs'],
        ['#/apis/orders', /^Orders /],
        ['#/applications', 'Applications'],
        [`#/applications/${application.id}`, /^App /],
      ],
      admin: [
        ['#/approvals', 'Approvals'],
        ['#/users', 'Users'],
        [`#/users/${developer.user.id}`, /^Dev /],
        ['#/audit', 'Audit log'],
      ],
    } as const;
    for (const size of [PHONE, DESKTOP]) {
      await page.setViewportSize(size);
      await page.goto(portal);
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      // Signed out: no nav links at all.
      assert.equal(await page.locator('#nav a:visible').count(), 0, 'no nav links while signed out');
      for (const [who, person, list] of [['developer', developer, views.developer], ['admin', admin, [...views.developer, ...views.admin]]] as const) {
        await signIn(page, person);
        for (const [hash, heading] of list) {
          await visit(page, hash, heading);
          const { scrollWidth, clientWidth } = await overflow(page);
          const widest = scrollWidth <= clientWidth ? '' : await js<string>(page, `[...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth).slice(0, 4).map((e) => e.tagName + '.' + e.className).join(' ')`);
          assert.ok(scrollWidth <= clientWidth, `${who} ${hash} at ${size.width}px: the page is ${scrollWidth}px wide in a ${clientWidth}px window (${widest})`);
          const signOutBox = await page.getByRole('button', { name: 'Sign out' }).boundingBox();
          assert.ok(signOutBox && signOutBox.x + signOutBox.width <= clientWidth, `${who} ${hash} at ${size.width}px: Sign out is on screen`);
          await page.screenshot({ path: `${SCREENSHOTS}/layout-${who}-${hash.split('/')[1]}${hash.split('/')[2] ? '-detail' : ''}-${size.width}.png`, fullPage: true });
          const end = size === PHONE ? NARROWEST : WIDEST;
          await page.setViewportSize(end);
          const atEnd = await overflow(page);
          assert.ok(atEnd.scrollWidth <= atEnd.clientWidth, `${who} ${hash} at ${end.width}px: the page is ${atEnd.scrollWidth}px wide in a ${atEnd.clientWidth}px window`);
          await page.setViewportSize(size);
        }
        // The header's links stay readable: the nav never runs off the brand-coloured bar.
        const header = await page.locator('header.top').boundingBox();
        for (const link of await page.locator('#nav a:visible').all()) {
          const box = await link.boundingBox();
          assert.ok(header && box && box.y + box.height <= header.y + header.height && box.x + box.width <= header.x + header.width, `nav link inside the header at ${size.width}px`);
        }
        await signOut(page);
      }
    }

    // The API page: lifetimes, scopes with their descriptions, plans with their limits.
    await signIn(page, admin);
    await visit(page, '#/apis/orders', /^Orders /);
    assert.equal(await page.locator('#access-lifetime').innerText(), '1 hour');
    assert.match(await page.locator('#refresh-lifetime').innerText(), /^\d+ (days?|hours?) unused/);
    assert.match(await page.locator('#session-lifetime').innerText(), /^\d+ (days?|hours?), however often/);
    assert.equal(await page.locator('#scopes').innerText(), 'orders:read\nRead your orders');
    const basic = page.locator('#plans [data-plan="basic"]');
    assert.match(await basic.innerText(), /For trying it out/);
    assert.equal(await basic.locator('.rate-limit').innerText(), 'Up to 60 requests a minute. Each user: up to 2 requests a second.');
    assert.equal(await page.locator('#plans [data-plan="gold"] .rate-limit').innerText(), 'No rate limit of its own.');
    // Issue 16: each grant the API allows, with an example to copy (the fixture's API allows all four).
    const guide = page.locator('#how-to-get-a-token');
    assert.match(await guide.innerText(), /This API accepts: password, refresh_token, authorization_code, client_credentials\./);
    assert.equal(await guide.locator('h3').count(), 4);
    assert.match(await guide.innerText(), /grant_type=authorization_code[\s\S]*code_verifier/);
    assert.match(await guide.innerText(), /grant_type=client_credentials/);

    // Names where ids were: the approval card and the subscription table.
    await visit(page, '#/approvals', 'Approvals');
    const card = page.locator('#approvals li').first();
    assert.equal(await card.locator('.api-name').innerText(), `Orders ${LONG}`);
    assert.equal(await card.locator('.plan-name').innerText(), 'Basic');
    await visit(page, `#/applications/${application.id}`, /^App /);
    assert.equal(await page.locator('#subscriptions .plan-name').innerText(), 'Basic');
    await signOut(page);
    assert.deepEqual(problems.filter((line) => !line.includes('Failed to load resource')), []);
  });

  it('skip link, titles, favicon, scroll, typed text and length limits', async () => {
    const store = gatehouse!.services.store;
    const developer = await account(store, passwords, false);
    for (let i = 0; i < 25; i += 1) await store.applications.create({ name: `Many ${i}`, clientType: 'public', ownerIds: [developer.user.id] }, Date.now());
    const { page, problems } = await tab();
    await page.setViewportSize(PHONE);

    const favicon = await fetch(new URL('/favicon.ico', portal));
    assert.equal(favicon.status, 200);
    assert.equal(favicon.headers.get('content-type'), 'image/svg+xml');
    assert.match(await favicon.text(), /^<svg /);

    assert.equal(await page.title(), 'Sign in — Gatehouse');
    // What is typed is not bold, though the label above it is.
    assert.equal(await js(page, "getComputedStyle(document.querySelector('input[name=username]')).fontWeight"), '400');
    await signIn(page, developer);
    assert.equal(await page.title(), 'APIs — Gatehouse');

    // The skip link takes focus to the content and stays on this view.
    await page.locator('a.skip').focus();
    const skipBox = await page.locator('a.skip').boundingBox();
    assert.ok(skipBox && skipBox.x >= 0, 'focused, the skip link is on screen');
    const hash = await js<string>(page, 'location.hash');
    await page.keyboard.press('Enter');
    assert.equal(await js(page, 'document.activeElement.id'), 'view');
    assert.equal(await js(page, 'location.hash'), hash, 'the skip link did not navigate');

    // A long page scrolled down; the next view starts at its top.
    await page.locator('#nav').getByRole('link', { name: 'Applications' }).click();
    await page.getByRole('heading', { name: 'Applications', level: 1 }).waitFor();
    assert.equal(await page.title(), 'Applications — Gatehouse');
    await page.evaluate('window.scrollTo(0, document.body.scrollHeight)');
    assert.ok((await js<number>(page, 'window.scrollY')) > 0, 'the page is long enough to scroll');
    // (Created within the same millisecond, the applications are listed in id order: pick by name.)
    await page.locator('#applications').getByRole('link', { name: 'Many 0', exact: true }).click();
    await page.getByRole('heading', { name: 'Many 0', level: 1 }).waitFor();
    assert.equal(await js(page, 'window.scrollY'), 0);
    assert.equal(await page.title(), 'Many 0 — Gatehouse');

    // Over-long input is counted and refused with a message, not cut silently.
    await page.locator('#nav').getByRole('link', { name: 'Applications' }).click();
    const register = page.getByRole('form', { name: 'Register an application' });
    const name = register.getByLabel('Name');
    await name.fill('x'.repeat(205));
    assert.equal((await name.inputValue()).length, 205, 'nothing was cut');
    assert.equal(await register.locator('.counter.over').innerText(), '205 of 200 characters');
    await register.getByRole('button', { name: 'Register application' }).click();
    const describedBy = await name.getAttribute('aria-describedby');
    assert.match(await page.locator(`[id="${describedBy}"]`).innerText(), /at most 200 characters; this has 205/);
    assert.equal((await store.applications.list({ ownerId: developer.user.id }, { limit: 100 })).items.length, 25, 'nothing was registered');
    await signOut(page);
    assert.deepEqual(problems.filter((line) => !line.includes('Failed to load resource')), []);
  });

  it('asks before ending all logins; the developer whose logins ended is told at sign-in', async () => {
    const store = gatehouse!.services.store;
    const developer = await account(store, passwords, false);
    const admin = await account(store, passwords, true);
    const { page, problems } = await tab();
    await signIn(page, developer); // one login, in this tab

    // The admin, elsewhere (the management API, as the CLI would), then in this tab after the developer.
    const adminToken = await gatehouse!.portalServer
      .inject({
        method: 'POST',
        url: SIGN_IN_URL,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ grant_type: 'password', client_id: PORTAL_CLIENT_ID, username: admin.login, password: admin.password }).toString(),
      })
      .then((response) => (response.json() as { access_token: string }).access_token);
    const ended = await gatehouse!.portalServer.inject({ method: 'DELETE', url: `/api/v1/users/${developer.user.id}/logins`, headers: { authorization: `Bearer ${adminToken}` } });
    assert.equal(ended.statusCode, 200, ended.body);

    await page.locator('#nav').getByRole('link', { name: 'Applications' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    assert.match(await page.locator('#session-ended').innerText(), /session has ended/);
    assert.equal(await page.locator('#nav a:visible').count(), 0);

    // Signing out oneself is not "ended". (Signed in again, the portal would return to
    // Applications, where the developer was: start from the top instead.)
    await page.evaluate("location.hash = '#/'");
    await signIn(page, developer);
    await signOut(page);
    assert.equal(await page.locator('#session-ended').count(), 0);

    // "End all logins" asks first: cancelled, the logins stay; confirmed, they end. Sign-outs
    // revoked the tab's logins: one more, through the password grant, stays live.
    const live = async () => (await store.tokens.listActiveFamilies({ userId: developer.user.id }, Date.now())).items.length;
    assert.equal(await live(), 0);
    await gatehouse!.portalServer.inject({
      method: 'POST',
      url: SIGN_IN_URL,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ grant_type: 'password', client_id: PORTAL_CLIENT_ID, username: developer.login, password: developer.password }).toString(),
    });
    await signIn(page, admin);
    await visit(page, `#/users/${developer.user.id}`, 'Dev Eloper');
    assert.equal(await live(), 1);
    await page.getByRole('button', { name: 'End all logins' }).click();
    assert.match(await page.getByRole('dialog').innerText(), /End all of Dev Eloper’s logins\?/);
    await page.keyboard.press('Escape'); // Escape cancels, like the Cancel button
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    assert.equal(await live(), 1, 'cancelled: nothing ended');
    assert.equal(await js(page, 'document.activeElement.textContent'), 'End all logins', 'focus is back on the button');
    await page.getByRole('button', { name: 'End all logins' }).click();
    await confirmIn(page, 'End all logins');
    await page.getByText('No active logins.').waitFor();
    assert.equal(await live(), 0);
    await signOut(page);
    assert.deepEqual(problems.filter((line) => !line.includes('Failed to load resource')), []);
  });

  it('tells an approver the users page is not theirs, without "Something went wrong"', async () => {
    const store = gatehouse!.services.store;
    const approver = await account(store, passwords, false);
    await store.users.update(approver.user.id, { approverOf: ['partners'] }, Date.now());
    const { page, problems } = await tab();
    await signIn(page, approver);
    assert.equal(await page.locator('#nav-approvals').isVisible(), true);
    assert.equal(await page.locator('#nav-users').isVisible(), false, 'the link is hidden');
    await visit(page, '#/users', 'No access');
    assert.match(await page.locator('#no-access').innerText(), /don’t have access/);
    assert.equal(await page.getByText('Something went wrong').count(), 0);
    assert.equal(await page.title(), 'No access — Gatehouse');
    // Something deleted meanwhile is "Not found", not a failure either.
    await visit(page, '#/applications/no-such-application', 'Not found');
    assert.match(await page.getByRole('alert').innerText(), /not found/);
    await signOut(page);
    assert.deepEqual(problems.filter((line) => !line.includes('Failed to load resource')), []);
  });

  it('redirect URIs and apps you allowed: listed, added, refused by field, removed and revoked, on a phone', async () => {
    const store = gatehouse!.services.store;
    const developer = await account(store, passwords, false);
    const application = await store.applications.create({ name: `Phone ${LONG}`, clientType: 'public', ownerIds: [developer.user.id] }, Date.now());
    const clientId = `client-${Date.now()}`;
    await store.subscriptions.create({ applicationId: application.id, apiId: 'orders', plan: 'basic', trusted: false, status: 'approved', clientId }, Date.now());
    const { page, problems } = await tab();
    await page.setViewportSize(PHONE);
    await signIn(page, developer);
    await visit(page, `#/applications/${application.id}`, /^Phone /);
    assert.equal(await page.locator('#no-redirect-uris').count(), 1);

    // http to a host that is not this computer is refused by the server, next to the field, as typed.
    const add = page.getByRole('form', { name: 'Add a redirect URI' });
    const field = add.getByLabel('Redirect URI');
    assert.match(await add.locator('.help').innerText(), /https, or http only for this computer/);
    await field.fill('http://app.example/callback');
    await add.getByRole('button', { name: 'Add redirect URI' }).click();
    await field.and(page.locator('[aria-invalid="true"]')).waitFor();
    assert.match(await page.locator(`[id="${await field.getAttribute('aria-describedby')}"]`).innerText(), /^Redirect URI "http:\/\/app\.example\/callback" .*http/);
    assert.equal(await field.inputValue(), 'http://app.example/callback');
    assert.deepEqual((await store.applications.findById(application.id))?.redirectUris, []);

    const CALLBACK = 'https://app.example/callback';
    const LOOPBACK = 'http://127.0.0.1:8765/callback';
    for (const uri of [CALLBACK, LOOPBACK]) {
      await page.getByRole('form', { name: 'Add a redirect URI' }).getByLabel('Redirect URI').fill(uri);
      await page.getByRole('button', { name: 'Add redirect URI' }).click();
      await page.locator(`#redirect-uri-list li[data-uri="${uri}"]`).waitFor();
    }
    assert.deepEqual(await page.locator('#redirect-uri-list code').allInnerTexts(), [CALLBACK, LOOPBACK]);
    let { scrollWidth, clientWidth } = await overflow(page);
    assert.ok(scrollWidth <= clientWidth, `application page with redirect URIs: ${scrollWidth}px in ${clientWidth}px`);
    await page.screenshot({ path: `${SCREENSHOTS}/layout-redirect-uris-390.png`, fullPage: true });
    await page.getByRole('button', { name: `Remove ${LOOPBACK}` }).click();
    assert.match(await page.getByRole('dialog').innerText(), /Sign-ins that ask to return to http:\/\/127\.0\.0\.1:8765\/callback are refused/);
    await confirmIn(page, 'Remove');
    await page.locator(`#redirect-uri-list li[data-uri="${LOOPBACK}"]`).waitFor({ state: 'detached' });
    assert.deepEqual((await store.applications.findById(application.id))?.redirectUris, [CALLBACK]);

    // The developer signs in to the application through the authorization code grant and allows it.
    const pkce = pkcePair();
    const back = await authorizeWithForms(authorizeUrl(addresses!.public, { clientId, redirectUri: CALLBACK, challenge: pkce.challenge }), developer);
    const code = back.searchParams.get('code');
    assert.ok(code, `a code came back: ${back.href}`);
    const token = await fetch(`${addresses!.public}${tokenPath()}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: CALLBACK, client_id: clientId, code_verifier: pkce.verifier }).toString(),
    });
    assert.equal(token.status, 200);
    const { access_token: accessToken } = (await token.json()) as { access_token: string };
    // The upstream is a closed port: a token the gateway accepts gets 502, one it refuses 401.
    const gateway = () => fetch(`${addresses!.public}/orders/items`, { headers: { authorization: `Bearer ${accessToken}` } }).then((response) => response.status);
    assert.notEqual(await gateway(), 401, 'the login works before the consent is revoked');

    await visit(page, '#/profile', 'Your profile');
    const row = page.locator('#consent-list tbody tr');
    assert.equal(await row.count(), 1);
    assert.equal(await row.locator('.application-name').innerText(), `Phone ${LONG}`);
    assert.equal(await row.locator('.api-name').innerText(), `Orders ${LONG}`);
    assert.match(await row.innerText(), /orders:read/);
    ({ scrollWidth, clientWidth } = await overflow(page));
    assert.ok(scrollWidth <= clientWidth, `profile with a consent: ${scrollWidth}px in ${clientWidth}px`);
    await page.screenshot({ path: `${SCREENSHOTS}/layout-consents-390.png`, fullPage: true });
    await row.getByRole('button', { name: /^Revoke / }).click();
    assert.match(await page.getByRole('dialog').innerText(), /logins through it end at once/);
    await confirmIn(page, 'Revoke');
    await page.locator('#no-consents').waitFor();
    assert.equal(await store.authorizations.findConsent(developer.user.id, (await store.subscriptions.findByClientId(clientId))!.id), null);
    assert.equal(await gateway(), 401, 'revoked: the login the consent allowed no longer passes the gateway');
    await signOut(page);
    assert.deepEqual(problems.filter((line) => !line.includes('Failed to load resource')), []);
  });

  it('an admin releases a lockout and approves a sign-up in the page’s dialog; the users page says pending', async () => {
    const store = gatehouse!.services.store;
    const admin = await account(store, passwords, true);
    const victim = `locked-${Date.now()}@example.com`;
    for (let i = 0; i < 5; i++) {
      await gatehouse!.portalServer.inject({ method: 'POST', url: SIGN_IN_URL, payload: { grant_type: 'password', client_id: PORTAL_CLIENT_ID, username: victim, password: 'wrong' } });
    }
    const applicant = await store.users.create({ authMethod: 'local', email: `new-${Date.now()}@example.com`, name: 'Nia Newcomer', passwordHash: await passwords.hash('long enough pw'), disabled: true, pending: true }, Date.now());
    const { page, problems } = await tab();
    await page.setViewportSize(PHONE);
    await signIn(page, admin);

    await visit(page, '#/users', 'Users');
    const applicantRow = page.locator(`#users tr[data-user="${applicant.id}"]`);
    assert.equal(await applicantRow.locator('.state').innerText(), 'pending approval');
    assert.equal(await applicantRow.getByRole('button').count(), 0, 'not merely enabled from here');

    await visit(page, '#/lockouts', 'Lockouts');
    const locked = page.locator(`#locked-accounts tr[data-username="${victim}"]`);
    await locked.getByRole('button', { name: 'Release' }).click();
    assert.match(await page.getByRole('dialog').innerText(), new RegExp(`Release ${victim.replaceAll('.', '\\.')}\\?`));
    await confirmIn(page, 'Release');
    await locked.waitFor({ state: 'detached' });

    await visit(page, '#/sign-ups', 'Sign-ups');
    const card = page.locator(`#sign-ups li[data-user="${applicant.id}"]`);
    await card.getByRole('button', { name: 'Approve' }).click();
    await confirmIn(page, 'Cancel');
    assert.equal((await store.users.findById(applicant.id))?.pending, true, 'cancelled: still pending');
    await card.getByRole('button', { name: 'Approve' }).click();
    assert.match(await page.getByRole('dialog').innerText(), /Approve Nia Newcomer/);
    await confirmIn(page, 'Approve');
    await card.waitFor({ state: 'detached' });
    assert.equal((await store.users.findById(applicant.id))?.pending, false);
    await signOut(page);
    assert.deepEqual(problems.filter((line) => !line.includes('Failed to load resource')), []);
  });
});
