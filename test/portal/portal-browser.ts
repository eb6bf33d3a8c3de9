import { existsSync } from 'node:fs';
import { after } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';

// Debian's Chromium driven by playwright-core (no browser download: CI installs the `chromium`
// package through scripts/install-system-deps.sh). One Chromium per test file, launched by the
// first startBrowser() (a launch costs 2 to 3 s of CPU), and a new context for each: a fresh
// profile of its own, so that nothing from an earlier test or run (storage, permissions) can make
// a test pass.

export const CHROMIUM_PATH = '/usr/bin/chromium';
/** Debian's Chromium as the tests launch it: headless, and nothing it would do for a person (updates, sync, networking of its own). */
export const CHROMIUM_OPTIONS = {
  executablePath: CHROMIUM_PATH,
  headless: true,
  args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
};

/** Why the browser tests cannot run here, or null when they can. */
export function browserUnavailable(): string | null {
  return existsSync(CHROMIUM_PATH) ? null : `${CHROMIUM_PATH} is missing: run scripts/install-system-deps.sh (apt package "chromium")`;
}

export interface BrowserHarness {
  /** The one tab: people take turns in it, signing out in between, as on a shared machine. */
  readonly page: Page;
  /** Page errors and console errors (a CSP violation is one) seen so far. */
  readonly problems: string[];
}

let launched: Promise<Browser> | null = null;
// Registered when this module loads, outside any test: the file's own hook, run after all its tests.
after(async () => {
  if (launched) await (await launched).close();
});

export async function startBrowser(): Promise<BrowserHarness> {
  launched ??= chromium.launch(CHROMIUM_OPTIONS);
  // The copy buttons write to the clipboard, which the test reads back like a paste.
  const context = await (await launched).newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
  after(() => context.close());
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  // The portal asks in its own <dialog> (portal-fixtures confirmIn); a window.confirm or alert
  // would be a regression, so it is refused and reported.
  page.on('dialog', (dialog) => {
    problems.push(`window dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  return { page, problems };
}
