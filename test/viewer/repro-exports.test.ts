/* repro-exports - `smtp-lab repro --out DIR` draws its counterexample: Mermaid, SVG and HTML that parse and show the bug */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/main.ts';
import { launchChromium, skipBrowserTests, type Browser } from './chromium.ts';

const out = await mkdtemp(join(tmpdir(), 'viewer-repro-'));
const printed: string[] = [];
const original = console.log;
console.log = (line: string) => printed.push(String(line));
let exitCode: number;
try {
  exitCode = await main(['repro', '--out', out]);
} finally {
  console.log = original;
}
const file = (name: string) => readFile(join(out, name), 'utf8');

describe('repro --out DIR', () => {
  it('reproduces and names the three pictures among its files', () => {
    expect(exitCode).toBe(0);
    const files = printed.join('\n').match(/^files: (.*)$/m)?.[1]?.split(', ');
    expect(files?.slice(0, 3)).toEqual([join(out, 'trace.html'), join(out, 'trace.svg'), join(out, 'trace.mmd')]);
  });

  it('writes Mermaid with the four participants, the XCLIENT, the 554s, the 454 and the highlighted report', async () => {
    const lines = (await file('trace.mmd')).trimEnd().split('\n');
    expect(lines[0]).toBe('sequenceDiagram');
    expect(lines.filter((line) => line.startsWith('  participant '))).toEqual([
      '  participant client as client',
      '  participant front as front',
      '  participant auth as auth',
      '  participant postfix as postfix',
    ]);
    const messages = lines.filter((line) => /^ {2}\w+(->>|-\)|--\)|-->>|-x|--x)\w+: /.test(line));
    const withText = (arrow: string, text: string) => messages.filter((line) => line.startsWith(`  ${arrow}: `) && line.includes(`] ${text}`));
    expect(withText('front->>postfix', 'XCLIENT ').length).toBeGreaterThan(0);
    expect(withText('postfix->>front', '554 5.5.0 Error: SMTP protocol synchronization').length).toBeGreaterThan(0);
    expect(withText('front->>client', '454 4.7.0 Account is temporarily unavailable.')).toHaveLength(1);
    const report = lines.findIndex((line) => line.includes('improper command pipelining after XCLIENT'));
    const opened = lines.slice(0, report).lastIndexOf('  rect rgb(255, 224, 224)');
    expect(opened).toBeGreaterThan(-1);
    expect(lines.slice(opened, report).includes('  end')).toBe(false);
  });

  it('writes an SVG with the lanes and the 454 on front -> client', async () => {
    const svg = await file('trace.svg');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect([...svg.matchAll(/<g class="lane-head" data-lane="(\w+)">/g)].map((m) => m[1])).toEqual(['client', 'front', 'auth', 'postfix']);
    expect(svg).toMatch(/data-from="front" data-to="client"><title>454 4\.7\.0 Account is temporarily unavailable\.\\r\\n<\/title>/);
  });
});

describe.skipIf(skipBrowserTests)('repro --out DIR in chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('SVG is well-formed XML for the browser parser', async () => {
    const page = await browser.context.newPage();
    try {
      const svg = await file('trace.svg');
      const result = await page.evaluate((text) => {
        const parsed = new DOMParser().parseFromString(text, 'image/svg+xml');
        const error = parsed.getElementsByTagName('parsererror')[0];
        return error ? `error: ${error.textContent}` : `${parsed.documentElement.localName}: ${parsed.querySelectorAll('g.item.decisive').length} decisive`;
      }, svg);
      expect(result).toMatch(/^svg: [1-9]\d* decisive$/);
    } finally {
      await page.close();
    }
  });

  it('HTML loads from disk with no network and no script errors, the session flagged, and jumps to the failure', async () => {
    const page = await browser.context.newPage();
    const requests: string[] = [];
    const errors: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    page.on('pageerror', (error) => errors.push(error.message));
    try {
      const url = `file://${join(out, 'trace.html')}`;
      await page.goto(url);
      expect(await page.locator('#sessions li.decisive .outcome').allTextContents()).toEqual(['454 4.7.0 Account is temporarily unavailable.']);
      await page.locator('#failure').click();
      expect(await page.locator('#diagram g.current > title').textContent()).toMatch(/^postfix\/smtpd: improper command pipelining after XCLIENT from /);
      expect(errors).toEqual([]);
      expect(requests).toEqual([url]);
    } finally {
      await page.close();
    }
  });
});
