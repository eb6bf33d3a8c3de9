import { existsSync } from 'node:fs';
import { after } from 'node:test';
import { chromium, type Page } from 'playwright-core';
import { tempDir } from '../support/temp-dir.js';

// Debian's Chromium driven by playwright-core (no browser download: CI installs the `chromium`
// package through scripts/install-system-deps.sh). A fresh profile per run so that nothing from
// an earlier run (storage, permissions) can make a test pass.

export const CHROMIUM_PATH = '/usr/bin/chromium';

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

export async function startBrowser(): Promise<BrowserHarness> {
  const profile = tempDir('gatehouse-chromium-');
  const context = await chromium.launchPersistentContext(profile.path, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    // The copy buttons write to the clipboard, which the test reads back like a paste.
    permissions: ['clipboard-read', 'clipboard-write'],
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  // Close first, then remove: Chromium writes to its profile until it has exited.
  after(async () => {
    await context.close();
    profile.remove();
  });
  const page = context.pages()[0] ?? (await context.newPage());
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
