import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Gatehouse } from '../../src/gatehouse.js';
import { PORTAL_CLIENT_ID } from '../../src/domain/portal-sign-in.js';
import { managementRawConfig } from '../management/management-fixtures.js';
import { SCREENSHOTS } from './portal-fixtures.js';

// What the portal walk (walk-suite.ts) does on every view and as every person: measure
// the page, run axe-core, keep a screenshot, collect console errors; sign in and up as people do.

const AXE_SOURCE = readFileSync(path.resolve('node_modules/axe-core/axe.min.js'), 'utf8');
export const VIEWPORTS = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 },
] as const;
export type Viewport = (typeof VIEWPORTS)[number];

export interface Person {
  readonly id: string;
  readonly login: string;
  password: string;
}

// The browser logs every refused request as an error; these the walk provokes on purpose (a
// sign-in before approval, a wrong current password). Anything else counts.
const EXPECTED_REFUSALS = [
  /^Failed to load resource: the server responded with a status of 400 .*\/auth\/local\/api\/gatehouse-portal\/token$/,
  /^Failed to load resource: the server responded with a status of 400 .*\/api\/v1\/users\/[^/]+\/password$/,
];

interface Findings {
  /** Per view: horizontal overflow and axe-core's serious/critical violations. */
  readonly layout: string[];
  readonly accessibility: string[];
  readonly console: string[];
  /** Content the issue asks for that a view lacks. */
  readonly content: string[];
}

export const findings: Findings = { layout: [], accessibility: [], console: [], content: [] };
let browser: Browser;

/** The one browser every person's context is opened in. */
export function useBrowser(shared: Browser): void {
  browser = shared;
}

export async function personContext(viewport: Viewport, who: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: viewport.width, height: viewport.height } });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  page.on('pageerror', (error) => findings.console.push(`${viewport.name}/${who}: pageerror ${error.message}`));
  page.on('console', (message) => {
    const line = `${message.text()} ${message.location().url}`;
    if (message.type() === 'error' && !EXPECTED_REFUSALS.some((expected) => expected.test(line))) findings.console.push(`${viewport.name}/${who}: ${line}`);
  });
  // The portal asks in its own <dialog> (dom.js confirmAction); a native confirm() or alert()
  // would be a regression: refused and reported.
  page.on('dialog', (dialog) => {
    findings.console.push(`${viewport.name}/${who}: window dialog ${dialog.message()}`);
    void dialog.dismiss();
  });
  return { context, page };
}

/** Every view: it fits the width, axe finds nothing serious, and a screenshot is kept. */
export async function checkView(page: Page, viewport: Viewport, view: string): Promise<void> {
  const started = Date.now();
  // A view still fading or sliding in would be measured half-way (axe's contrast check among others).
  await page.evaluate('Promise.all(document.getAnimations().map((animation) => animation.finished))');
  const width = (await page.evaluate(
    `[document.documentElement.scrollWidth, document.documentElement.clientWidth, document.querySelector('header').scrollWidth, document.querySelector('main').scrollWidth]`,
  )) as [number, number, number, number];
  if (width[0] > width[1]) findings.layout.push(`${viewport.name} ${view}: page is ${width[0]} px wide in ${width[1]} px (header ${width[2]} px, main ${width[3]} px)`);
  // CDP evaluation is not subject to the page's CSP, which (rightly) refuses an injected <script>.
  if (!(await page.evaluate('typeof window.axe !== "undefined"'))) await page.evaluate(AXE_SOURCE);
  const violations = (await page.evaluate(
    `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id + ': ' + v.nodes.slice(0, 3).map((n) => n.target.join(' ') + (${JSON.stringify(Boolean(process.env.WALK_DEBUG))} ? ' ' + n.failureSummary : '')).join(', ')))`,
  )) as string[];
  for (const violation of violations) findings.accessibility.push(`${viewport.name} ${view}: ${violation}`);
  await page.screenshot({ path: path.join(SCREENSHOTS, `walk-${viewport.name}-${view}.png`), fullPage: true });
  if (process.env.WALK_DEBUG) console.log(`${viewport.name} ${view}: ${Date.now() - started} ms`);
}

/** Waits for what an action leads to, agreeing on the way to the in-page <dialog> that asks first. */
export async function confirmed(page: Page, outcome: Promise<unknown>): Promise<void> {
  void page.locator('dialog[open] button[value=confirm]').click().catch(() => {});
  await outcome;
}

export async function signIn(page: Page, person: Person): Promise<void> {
  await page.getByLabel('Email or username').fill(person.login);
  await page.getByLabel('Password', { exact: true }).fill(person.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'APIs', level: 1 }).waitFor();
}

/** Sign-in by keyboard alone: type, Tab, type, Enter. */
export async function signInByKeyboard(page: Page, person: Person): Promise<void> {
  await page.getByLabel('Email or username').waitFor();
  assert.equal(await page.evaluate('document.activeElement?.name'), 'username', 'the sign-in form takes the focus');
  await page.keyboard.type(person.login);
  await page.keyboard.press('Tab');
  await page.keyboard.type(person.password);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'APIs', level: 1 }).waitFor();
}

export async function nav(page: Page, viewport: Viewport, name: string): Promise<void> {
  await page.locator('#nav').getByRole('link', { name, exact: true }).click();
  await page.getByRole('heading', { level: 1 }).first().waitFor();
  void viewport;
}

export async function signUp(page: Page, email: string, password: string): Promise<string> {
  await page.getByRole('link', { name: 'Create an account' }).click();
  await page.getByRole('heading', { name: 'Create an account' }).waitFor();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Full name (optional)').fill(`Walker ${email.split('@')[0]}`);
  await page.locator('input[name=password]').fill(password);
  await page.getByLabel('Password again').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.locator('#sign-up-done, main .error:not([hidden])').first().waitFor();
  return page.locator('main').innerText();
}

export function walkConfig(signUpMode: string, upstream: string): Record<string, unknown> {
  const raw = managementRawConfig();
  raw.portal = { signUp: signUpMode };
  const apis = raw.apis as Record<string, unknown>[];
  for (const api of apis) api.upstreamUrl = upstream;
  const [orders] = apis;
  if (orders) {
    orders.scopes = [{ id: 'orders:read', description: 'Read your orders' }];
    orders.openapi = path.resolve('echo.openapi.yaml');
  }
  return raw;
}

export async function portalToken(gatehouse: Gatehouse, person: Person): Promise<string> {
  const response = await gatehouse.portalServer.inject({
    method: 'POST',
    url: '/auth/local/api/gatehouse-portal/token',
    payload: { grant_type: 'password', client_id: PORTAL_CLIENT_ID, username: person.login, password: person.password },
  });
  assert.equal(response.statusCode, 200, response.body);
  return (response.json() as { access_token: string }).access_token;
}

