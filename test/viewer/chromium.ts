/* chromium - Debian's chromium driven by playwright-core, for the viewer's browser tests
 *
 * .ci/install-browser.sh installs /usr/bin/chromium. Without it the browser tests skip with a
 * loud message, unless SMTP_LAB_REQUIRE_BROWSER is set (CI sets it): then they fail.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** True when the browser tests must be skipped (no chromium, and CI did not demand it). */
export const skipBrowserTests = !existsSync(CHROMIUM_PATH) && !process.env.SMTP_LAB_REQUIRE_BROWSER;

if (skipBrowserTests) {
  console.warn(
    `\n*** SKIPPING the viewer's browser tests: ${CHROMIUM_PATH} is missing. Install it with .ci/install-browser.sh; ` +
      'set SMTP_LAB_REQUIRE_BROWSER=1 to make its absence a failure (CI does). ***\n',
  );
}

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/** A fresh chromium with its own profile directory, removed on close. */
export async function launchChromium(): Promise<Browser> {
  const profile = await mkdtemp(join(tmpdir(), 'smtp-lab-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1400, height: 900 },
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Every request a page makes and every script error it reports, recorded from now on. */
export function watchPage(page: Page): { readonly requests: string[]; readonly errors: string[] } {
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  return { requests, errors };
}
