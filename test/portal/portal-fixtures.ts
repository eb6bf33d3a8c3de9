import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import type { Store, User } from '../../src/store/store.js';
import type { fastHasher } from '../support/oauth-fixtures.js';

// What the portal tests do the way a person would: accounts to sign in with, signing in and out,
// moving with the Tab key, copying a snippet from the page and pasting it into a shell.

/** Screenshots of every page the tests visit, for people to look at (git-ignored). */
export const SCREENSHOTS = path.resolve('test-results/portal-screenshots');
mkdirSync(SCREENSHOTS, { recursive: true });

export interface Account {
  readonly user: User;
  readonly login: string;
  readonly password: string;
}

export async function account(store: Store, passwords: ReturnType<typeof fastHasher>, admin: boolean): Promise<Account> {
  const login = `${admin ? 'admin' : 'dev'}-${randomBytes(4).toString('hex')}@example.com`;
  const password = `pw-${randomBytes(9).toString('base64url')}`;
  const user = await store.users.create({ authMethod: 'local', email: login, name: admin ? 'Ada Admin' : 'Dev Eloper', passwordHash: await passwords.hash(password), admin }, Date.now());
  return { user, login, password };
}

export async function signIn(page: Page, person: Account): Promise<void> {
  await page.getByLabel('Email or username').fill(person.login);
  await page.getByLabel('Password').fill(person.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'APIs', level: 1 }).waitFor();
}

export async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
}

/** Presses Tab until the focused element matches `selector`: how a keyboard user gets there. */
export async function tabTo(page: Page, selector: string): Promise<void> {
  for (let presses = 0; presses < 60; presses += 1) {
    if (await page.evaluate(`document.activeElement?.matches(${JSON.stringify(selector)}) ?? false`)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${selector}`);
}

const run = promisify(execFile);

/**
 * Runs a copied snippet with the real curl through sh, as a person pasting it would. The
 * catalogue builds URLs from the configured public port, which is 0 in tests (the OS picks), so
 * only that host:port is pointed at the listener actually opened.
 */
export async function runSnippet(snippet: string, publicAddress: string, env: NodeJS.ProcessEnv = {}): Promise<Record<string, unknown>> {
  const command = snippet.replaceAll('http://127.0.0.1:0', publicAddress);
  const { stdout } = await run('sh', ['-c', command.replace(/^curl /, 'curl --silent --show-error ')], { env: { ...process.env, ...env } });
  return JSON.parse(stdout) as Record<string, unknown>;
}

/** Clicks the copy button of the snippet titled `title` and reads the clipboard back. */
export async function copySnippet(page: Page, title: RegExp): Promise<string> {
  const figure = page.locator('figure.snippet').filter({ has: page.locator('figcaption', { hasText: title }) }).first();
  await figure.getByRole('button', { name: 'Copy' }).click();
  await figure.getByRole('button', { name: 'Copied' }).waitFor();
  return String(await page.evaluate('navigator.clipboard.readText()'));
}


/** Answers the portal's confirmation dialog (a modal <dialog>) with the button named `answer`. */
export async function confirmIn(page: Page, answer: string | RegExp): Promise<void> {
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('button', { name: answer, exact: typeof answer === 'string' }).click();
  await dialog.waitFor({ state: 'detached' });
}
