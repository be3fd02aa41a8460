/* browser - the built playground in chromium from file://: first diagram, find and shrink the bug in the worker, a shared link byte-for-byte against `smtp-lab run`, a broken paste */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { buildPlayground, type BuiltSite } from '../../playground/build/site.ts';
import { launchChromium, skipBrowserTests, watchPage, type Browser } from '../viewer/chromium.ts';

const BIN = fileURLToPath(new URL('../../bin/smtp-lab.js', import.meta.url));

/** A page that records every request and every script error. */
async function openPage(browser: Browser, url: string): Promise<{ page: Page; requests: string[]; errors: string[] }> {
  const page = await browser.context.newPage();
  const { requests, errors } = watchPage(page);
  await page.goto(url);
  await page.waitForFunction(() => document.body.dataset.firstDiagramMs !== undefined);
  return { page, requests, errors };
}

const texts = (page: Page, selector: string) => page.locator(selector).allTextContents();

describe.skipIf(skipBrowserTests)('playground in chromium', () => {
  let browser: Browser;
  let site: BuiltSite;
  let pageUrl: string;
  beforeAll(async () => {
    [browser, site] = await Promise.all([launchChromium(), mkdtemp(join(tmpdir(), 'smtp-lab-playground-')).then((dir) => buildPlayground(dir))]);
    pageUrl = pathToFileURL(site.file).href;
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('runs the default scenario from file://, then finds and shrinks the bug in the worker and draws the 454 and the !! segment', async () => {
    const { page, requests, errors } = await openPage(browser, pageUrl);
    try {
      expect(await page.locator('#outcome').textContent()).toMatch(/^mailu-2024\.06: dovecot-2\.3 .*\n\s+AUTH → 235 /);
      expect(await page.locator('#diagram-main g.lane-head').evaluateAll((heads) => heads.map((head) => head.getAttribute('data-lane')))).toEqual(['client', 'front', 'auth', 'postfix']);
      expect(await page.locator('#diagram-compare g.item').count()).toBeGreaterThan(50);

      await page.locator('#find').click();
      await page.waitForFunction(() => /^found after \d+ generated traces, shrunk in \d+ steps/.test(document.getElementById('progress')?.textContent ?? ''), null, { timeout: 180_000 });
      const [, token] = /#replay=([\w-]+)&step=\d+$/.exec(page.url()) ?? [];
      expect(token).toBeDefined();
      expect((await texts(page, '#diagram-main g.kind-write[data-from="front"][data-to="client"] > text')).filter((text) => text.startsWith('454 '))).toEqual([
        '454 4.7.0 Account is temporarily unavailable.\\r\\n',
      ]);
      const early = await texts(page, '#diagram-main g.decisive.kind-segment > text');
      expect(early.length).toBeGreaterThan(0);
      expect(early.every((text) => text.startsWith('!! '))).toBe(true);
      // The same shrunk trace beside it: the lock-step proxy logs the client in.
      expect((await texts(page, '#diagram-compare g.kind-write[data-from="front"][data-to="client"] > text')).some((text) => text.startsWith('235 '))).toBe(true);
      // The page stops at Postfix's report, and says what happened in words.
      expect(await page.locator('#step').textContent()).toMatch(/improper command pipelining after XCLIENT[\s\S]*Postfix found bytes it had not asked for yet/);
      expect(errors).toEqual([]);
      expect(requests.filter((url) => !url.startsWith('file://') && !url.startsWith('blob:'))).toEqual([]);

      // The link in the address bar is the counterexample `smtp-lab replay` shows, byte for byte.
      const out = await mkdtemp(join(tmpdir(), 'smtp-lab-playground-replay-'));
      const replayed = spawnSync(process.execPath, [BIN, 'replay', token!, '--out', out], { encoding: 'utf8' });
      expect(replayed.status, replayed.stdout + replayed.stderr).toBe(0);
      const shared = await openPage(browser, page.url());
      expect(await shared.page.locator('#trace-jsonl').inputValue()).toBe(await readFile(join(out, 'trace.jsonl'), 'utf8'));
      await shared.page.close();
    } finally {
      await page.close();
    }
  });

  it('a shared link reproduces `smtp-lab run` byte for byte (the JSON Lines trace)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'smtp-lab-playground-run-'));
    const traceFile = join(dir, 'trace.jsonl');
    const cli = spawnSync(process.execPath, [BIN, 'run', '--set', 'postfix.xclient_lookup_ms=100', '--set', 'tcp.profile=quickack', '--seed', '7', '--trace', traceFile], { encoding: 'utf8' });
    expect(cli.stderr).toBe('');
    const { page, errors } = await openPage(browser, `${pageUrl}#set=postfix.xclient_lookup_ms%3D100&set=tcp.profile%3Dquickack&seed=7`);
    try {
      const shown = await page.locator('#trace-jsonl').inputValue();
      expect(shown.length).toBeGreaterThan(10_000);
      expect(shown).toBe(await readFile(traceFile, 'utf8'));
      expect(await page.locator('[data-key="tcp.profile"]').inputValue()).toBe('quickack');
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('a broken pasted scenario shows what is wrong, and the page keeps working', async () => {
    const { page, errors } = await openPage(browser, pageUrl);
    try {
      await page.locator('details:has(#paste) > summary').click();
      await page.locator('#paste').fill('{ "base": "mailu-2024.06", "values": { "tcp.profile": "fast" } }');
      await page.locator('#paste-apply').click();
      expect(await page.locator('#error').textContent()).toMatch(/^scenario file pasted\.json: .*tcp\.profile.*linux-default/);
      expect(await page.locator('#diagram-main').textContent()).toContain('Nothing to draw');
      await page.locator('#paste').fill('{ "base": "mailu-2024.06", "values": { "postfix.xclient_lookup_ms": 100 } }');
      await page.locator('#paste-apply').click();
      expect(await page.locator('#error').isHidden()).toBe(true);
      expect(await page.locator('#outcome').textContent()).toMatch(/AUTH → 454 /);
      await page.goto(`${pageUrl}#seed=x`);
      expect(await page.locator('#error').textContent()).toContain("seed must be a whole number");
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
