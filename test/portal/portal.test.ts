import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { hashTokenValue } from '../../src/domain/token-values.js';
import { PORTAL_MODULES } from '../../src/http/portal-pages.js';
import { managementRawConfig } from '../management/management-fixtures.js';
import { startTestGatehouse, testConfig } from '../support/gatehouse-instance.js';
import { startIdentityUpstream } from '../support/identity-upstream.js';
import { fastHasher } from '../support/oauth-fixtures.js';
import { browserUnavailable, startBrowser } from './portal-browser.js';
import { SCREENSHOTS, account, confirmIn, copySnippet, runSnippet, signIn, signOut, tabTo } from './portal-fixtures.js';

// The developer portal in a real browser, through the story of issue 6: a developer registers a
// confidential and a public application, sees the secret once, subscribes trusted and sees it
// pending; an admin approves it in the queue; the developer copies the curl commands from the API
// page and the test runs them for real; the admin ends that login and the token stops working.
// Also a keyboard-only pass. Everything goes through the page; the store is only read, to check.

const skip = browserUnavailable();

describe('developer portal in Chromium', { skip: skip ?? false }, () => {
  it('serves the page with a strict CSP and no inline script', async () => {
    const gatehouse = await startTestGatehouse(testConfig(managementRawConfig()));
    const page = await gatehouse.portalServer.inject({ method: 'GET', url: '/' });
    assert.equal(page.statusCode, 200);
    const csp = String(page.headers['content-security-policy']);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(page.headers['x-content-type-options'], 'nosniff');
    // Every <script> has a src: inline script would be blocked by the CSP anyway.
    assert.deepEqual(page.body.match(/<script(?![^>]*\ssrc=)[^>]*>/g), null);
    // Every module in portal/ is served (an unserved import would break the whole page).
    assert.deepEqual(readdirSync('portal').filter((name) => name.endsWith('.js')).sort(), [...PORTAL_MODULES].sort());
    for (const file of PORTAL_MODULES) {
      const script = await gatehouse.portalServer.inject({ method: 'GET', url: `/portal/${file}` });
      assert.equal(script.statusCode, 200, file);
      assert.match(String(script.headers['content-type']), /^text\/javascript/);
      assert.match(String(script.headers['content-security-policy']), /default-src 'none'/);
      // Text only ever goes in as text nodes: no API that parses a string as HTML appears at all.
      assert.equal(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/.exec(script.body)?.[0], undefined, file);
    }
  });

  it('registers, subscribes trusted, approves and shows the curl examples', async () => {
    const passwords = fastHasher();
    const raw = managementRawConfig();
    const upstream = await startIdentityUpstream();
    for (const api of raw.apis as Record<string, unknown>[]) api.upstreamUrl = upstream;
    const gatehouse = await startTestGatehouse(testConfig(raw), { passwords });
    const { portal, public: publicAddress } = await gatehouse.listen();
    const store = gatehouse.services.store;
    const developer = await account(store, passwords, false);
    const admin = await account(store, passwords, true);
    const { page, problems } = await startBrowser();

    await page.goto(portal);
    // A wrong password is told next to the form, and what was typed stays.
    await page.getByLabel('Email or username').fill(developer.login);
    await page.getByLabel('Password').fill('wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    assert.equal(await page.getByLabel('Email or username').inputValue(), developer.login);

    await signIn(page, developer);
    assert.equal(await page.getByRole('link', { name: 'Approvals' }).isVisible(), false, 'a developer has no approval queue');
    await page.getByRole('link', { name: 'Orders' }).waitFor();

    // Register: the name holds markup, which must stay text.
    const appName = 'Back office <img src=x onerror=alert(1)>';
    await page.locator('#nav').getByRole('link', { name: 'Applications' }).click();
    await page.getByRole('heading', { name: 'Applications', level: 1 }).waitFor();
    await page.getByLabel('Name').fill(appName);
    await page.getByLabel(/Confidential/).check();
    await page.getByRole('button', { name: 'Register application' }).click();
    await page.getByRole('heading', { name: appName, level: 1 }).waitFor();
    assert.equal(await page.locator('main img').count(), 0, 'the application name was rendered as text');

    // Subscribe trusted: the secret shows once, the subscription is pending.
    await page.getByLabel('API', { exact: true }).selectOption('orders');
    await page.getByLabel('Plan', { exact: true }).selectOption('basic');
    await page.getByLabel(/Trusted/).check();
    await page.getByRole('button', { name: 'Subscribe' }).click();
    const secretInput = page.locator('#client-secret');
    await secretInput.waitFor();
    const secret = await secretInput.inputValue();
    assert.match(await page.locator('.secret .warning').innerText(), /only this once/);
    const [application] = (await store.applications.list({ ownerId: developer.user.id })).items;
    assert.equal(application?.name, appName);
    const [subscription] = (await store.subscriptions.list({ applicationId: application.id })).items;
    assert.ok(subscription, 'the subscription was created');
    assert.equal(subscription.clientSecretHash, hashTokenValue(secret), 'the page shows the secret that was issued');
    assert.equal(subscription.trusted, true);
    const clientId = subscription.clientId!;
    const row = page.locator(`tr[data-subscription="${subscription.id}"]`);
    assert.equal(await row.locator('.badge.status-pending').innerText(), 'pending');
    assert.equal(await row.locator('.client-id').innerText(), clientId);
    await page.screenshot({ path: `${SCREENSHOTS}/gatehouse-portal-secret.png`, fullPage: true });

    // Reload: still signed in (the refresh token in sessionStorage), and the secret is gone.
    await page.reload();
    await page.locator(`tr[data-subscription="${subscription.id}"]`).waitFor();
    assert.equal(await page.locator('#client-secret').count(), 0, 'the secret is shown only once');

    // A public application: no secret at all; not trusted on a plan without approval, so approved.
    await page.locator('#nav').getByRole('link', { name: 'Applications' }).click();
    await page.getByRole('heading', { name: 'Applications', level: 1 }).waitFor(); // not the last page's form
    await page.getByLabel('Name').fill('Phone app');
    await page.getByLabel(/Public/).check();
    await page.getByRole('button', { name: 'Register application' }).click();
    await page.getByRole('heading', { name: 'Phone app', level: 1 }).waitFor();
    await page.getByLabel('Plan', { exact: true }).selectOption('basic');
    await page.getByRole('button', { name: 'Subscribe' }).click();
    const publicRow = page.locator('#subscriptions tbody tr');
    await publicRow.waitFor();
    assert.equal(await page.locator('#client-secret').count(), 0, 'a public client gets no secret');
    assert.equal(await publicRow.locator('.badge.status-approved').innerText(), 'approved');
    const publicClientId = await publicRow.locator('.client-id').innerText();
    assert.equal((await store.subscriptions.findByClientId(publicClientId))?.clientSecretHash, null);
    // A redirect URI that is not one is refused next to its field and what was typed stays.
    const add = page.getByRole('form', { name: 'Add a redirect URI' });
    await add.getByLabel('Redirect URI').fill('not a uri');
    await add.getByRole('button', { name: 'Add redirect URI' }).click();
    await add.getByRole('alert').waitFor();
    assert.equal(await add.getByLabel('Redirect URI').inputValue(), 'not a uri');
    await add.getByLabel('Redirect URI').fill('https://phone.example/callback');
    await add.getByRole('button', { name: 'Add redirect URI' }).click();
    await page.locator('#redirect-uri-list li[data-uri="https://phone.example/callback"]').waitFor();
    // Edit: the name.
    const edit = page.getByRole('form', { name: 'Edit application' });
    await edit.getByLabel('Name').fill('Phone app (iOS)');
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('heading', { name: 'Phone app (iOS)', level: 1 }).waitFor();
    assert.deepEqual((await store.subscriptions.findByClientId(publicClientId).then((sub) => store.applications.findById(sub!.applicationId)))?.redirectUris, ['https://phone.example/callback']);
    await signOut(page);

    // The admin approves it from the queue, where the trusted flag stands out.
    await signIn(page, admin);
    await page.getByRole('link', { name: 'Approvals' }).click();
    const card = page.locator(`#approvals [data-subscription="${subscription.id}"]`);
    assert.match(await card.locator('.badge.trusted').innerText(), /TRUSTED/);
    // Approvers may not read applications: the queue itself carries the name, as text.
    assert.equal(await card.locator('.application-name').innerText(), `${appName} ${application.id}`);
    await page.screenshot({ path: `${SCREENSHOTS}/gatehouse-portal-approvals.png`, fullPage: true });
    assert.equal(await card.locator('.api-name').innerText(), 'Orders', 'the API by its name');
    assert.equal(await card.locator('.requested-by').innerText(), `Dev Eloper <${developer.login}>`, 'who asked');
    // Approving asks first; cancelled, nothing happens.
    await card.getByRole('button', { name: 'Approve' }).click();
    await confirmIn(page, 'Cancel');
    assert.equal((await store.subscriptions.findById(subscription.id))?.status, 'pending');
    await card.getByRole('button', { name: 'Approve' }).click();
    await confirmIn(page, 'Approve');
    await page.locator('#approvals-empty').waitFor();
    assert.equal((await store.subscriptions.findById(subscription.id))?.status, 'approved');
    await signOut(page);

    // The developer's API page: curl examples with their own client id, confidential forms.
    await signIn(page, developer);
    await page.getByRole('link', { name: 'Orders' }).click();
    await page.getByRole('heading', { name: 'Orders', level: 1 }).waitFor();
    const snippets = await page.locator('pre.code').allInnerTexts();
    assert.ok(snippets.some((text) => text.includes(`-d client_id='${clientId}'`) && text.includes('client_secret=')), snippets.join('\n---\n'));
    assert.ok(snippets.some((text) => text.includes(`-u '${clientId}:YOUR_CLIENT_SECRET'`) && text.includes('grant_type=password')));
    assert.ok(snippets.some((text) => text.includes('grant_type=refresh_token')));
    assert.ok(snippets.some((text) => text.includes('Authorization: Bearer $ACCESS_TOKEN')));
    assert.ok(snippets.every((text) => text.includes('/auth/local/api/orders/token') || text.includes('/orders/')), snippets.join('\n---\n'));
    assert.equal(await page.locator('main .badge.status-approved').count(), 2, 'both subscriptions are approved now');
    // The public client's examples carry its id and never a secret.
    const publicSnippets = await page.locator('section', { hasText: 'Examples for Phone app' }).locator('pre.code').allInnerTexts();
    assert.equal(publicSnippets.length, 3);
    assert.ok(publicSnippets[0]?.includes(`-d client_id='${publicClientId}'`), publicSnippets[0]);
    assert.ok(publicSnippets.every((text) => !text.includes('SECRET') && !text.includes(' -u ')));
    await page.screenshot({ path: `${SCREENSHOTS}/gatehouse-portal-api.png`, fullPage: true });

    // Copy the -u token command and the API call from the page and run them for real.
    const tokenCommand = (await copySnippet(page, /secret with -u/))
      .replace('YOUR_CLIENT_SECRET', secret)
      .replace('YOUR_USERNAME', developer.login)
      .replace('YOUR_PASSWORD', developer.password);
    const tokens = await runSnippet(tokenCommand, publicAddress);
    assert.equal(typeof tokens.access_token, 'string', JSON.stringify(tokens));
    const answer = await runSnippet(await copySnippet(page, /Call the API/), publicAddress, { ACCESS_TOKEN: String(tokens.access_token) });
    assert.deepEqual(answer, { user: developer.user.id });
    const refreshed = await runSnippet((await copySnippet(page, /Refresh the token/)).replace('YOUR_CLIENT_SECRET', secret), publicAddress, { REFRESH_TOKEN: String(tokens.refresh_token) });
    assert.equal(typeof refreshed.access_token, 'string', JSON.stringify(refreshed));
    assert.notEqual(refreshed.refresh_token, tokens.refresh_token, 'the refresh token rotates');

    // Sign out ends the sign-in on the server too (RFC 7009 revocation of the refresh token).
    const before = (await store.tokens.listActiveFamilies({ userId: developer.user.id }, Date.now())).items.length;
    await signOut(page);
    const remaining = (await store.tokens.listActiveFamilies({ userId: developer.user.id }, Date.now())).items.length;
    assert.equal(remaining, before - 1);
    assert.equal(await page.evaluate('sessionStorage.length'), 0);

    // An admin ends that login from the user's page; the access token stops working at once.
    await signIn(page, admin);
    await page.getByRole('link', { name: 'Users' }).click();
    await page.locator(`#users tr[data-user="${developer.user.id}"]`).getByRole('link').click();
    await page.getByRole('heading', { name: 'Dev Eloper', level: 1 }).waitFor();
    const login = page.locator('#logins tr[data-login]', { hasText: 'orders' });
    assert.equal(await login.count(), 1, 'the curl sign-in is listed');
    const callGateway = () => fetch(`${publicAddress}/orders/`, { headers: { authorization: `Bearer ${String(refreshed.access_token)}` } });
    assert.equal((await callGateway()).status, 200);
    await page.screenshot({ path: `${SCREENSHOTS}/gatehouse-portal-user.png`, fullPage: true });
    await login.getByRole('button', { name: 'End login' }).click();
    await confirmIn(page, 'End login');
    await page.getByText('No active logins.').waitFor();
    assert.equal((await callGateway()).status, 401);
    await page.getByRole('link', { name: 'Audit' }).click();
    const approved = page.locator('#audit tr', { has: page.locator('code', { hasText: 'subscription.approved' }) }).first();
    await approved.waitFor();
    assert.equal(await approved.locator('.actor').innerText(), `Ada Admin <${admin.login}>`, 'the actor by name, not id');
    await page.screenshot({ path: `${SCREENSHOTS}/gatehouse-portal-audit.png`, fullPage: true });
    await signOut(page);

    // A failed sign-in logs "Failed to load resource"; anything else (a CSP refusal) is a bug.
    assert.deepEqual(problems.filter((line) => !line.includes('Failed to load resource')), []);
  });

  it('lets a keyboard-only user sign in, register and subscribe trusted; a 401 is refreshed away', async () => {
    const passwords = fastHasher();
    const gatehouse = await startTestGatehouse(testConfig(managementRawConfig()), { passwords });
    const { portal } = await gatehouse.listen();
    const developer = await account(gatehouse.services.store, passwords, false);
    const { page, problems } = await startBrowser();

    await page.goto(portal);
    await page.locator('input[name=username]:focus').waitFor(); // the form focuses its first field
    await page.keyboard.type(developer.login);
    await page.keyboard.press('Tab');
    await page.keyboard.type(developer.password);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'APIs', level: 1 }).waitFor();

    await tabTo(page, '#nav a[href="#/applications"]');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Applications', level: 1 }).waitFor();
    await tabTo(page, 'input[name=name]');
    await page.keyboard.type('Keyboard app');
    await tabTo(page, 'form button[type=submit]');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Keyboard app', level: 1 }).waitFor();

    await tabTo(page, '#subscribe-trusted');
    // The focus ring is visible on the control a keyboard user is on.
    assert.notEqual(await page.evaluate('getComputedStyle(document.activeElement).outlineStyle'), 'none');
    await page.keyboard.press('Space');
    assert.equal(await page.locator('#subscribe-trusted').isChecked(), true);
    await tabTo(page, 'form button[type=submit]');
    await page.keyboard.press('Enter');
    await page.locator('#client-secret:focus').waitFor(); // focus moves to the secret to copy
    assert.equal(await page.locator('#subscriptions .badge.status-pending').innerText(), 'pending');
    assert.equal(await page.locator('#subscriptions .badge.trusted').innerText(), 'Trusted');
    await page.screenshot({ path: `${SCREENSHOTS}/gatehouse-portal-keyboard.png`, fullPage: true });

    // An access token refused with 401 (as when it lapses) is renewed with the refresh token and
    // the call retried, without the person noticing.
    let refreshes = 0;
    page.on('request', (request) => {
      if (request.url().endsWith('/gatehouse-portal/token') && request.postData()?.includes('grant_type=refresh_token')) refreshes += 1;
    });
    let refusals = 0;
    await page.route('**/api/v1/apis', async (route) => {
      if (refusals === 0) {
        refusals += 1;
        await route.fulfill({ status: 401, contentType: 'application/problem+json', body: '{"code":"unauthenticated"}' });
      } else await route.continue();
    });
    await tabTo(page, '#nav a[href="#/apis"]');
    await page.keyboard.press('Enter');
    await page.getByRole('link', { name: 'Orders' }).waitFor();
    assert.equal(refusals, 1);
    assert.equal(refreshes, 1);

    // Delete the application (the confirm dialog is accepted): it and its subscription are gone.
    await page.locator('#nav').getByRole('link', { name: 'Applications' }).click();
    await page.getByRole('button', { name: 'Delete Keyboard app' }).click();
    await confirmIn(page, 'Delete');
    await page.getByText('You have no applications yet.').waitFor();
    assert.deepEqual((await gatehouse.services.store.applications.list({ ownerId: developer.user.id })).items, []);
    assert.deepEqual(problems.filter((line) => !line.includes('Failed to load resource')), []);
  });
});
