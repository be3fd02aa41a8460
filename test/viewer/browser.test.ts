/* browser - the viewer page in chromium: live over the WebSocket, exported HTML from disk, SVG through a real XML parser */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../../viewer/export/html.ts';
import { renderSvg } from '../../viewer/export/svg.ts';
import { buildDiagram } from '../../viewer/model/diagram.ts';
import { parseTraceFile, type TraceEvent } from '../../viewer/model/trace-event.ts';
import { startViewer, type Viewer } from '../../viewer/server.ts';
import { loadScenario } from '../../scenarios/index.ts';
import { serveScenario } from '../../runtime/serve-scenario.ts';
import { launchChromium, skipBrowserTests, type Browser, watchPage } from './chromium.ts';
import { realRecordTrace } from './real-record.ts';
import { lockstepSession } from './smtp-client.ts';

const SCREENSHOT_DIR = join(tmpdir(), 'smtp-lab-viewer-screenshots');
const BIN = fileURLToPath(new URL('../../bin/smtp-lab.js', import.meta.url));
const events = parseTraceFile(await readFile(new URL('./fixtures/two-sessions.jsonl', import.meta.url), 'utf8'));

/** Distinct colours and the share of non-white pixels: a blank or one-colour page fails both. */
export function pixelStats(png: Buffer): { colours: number; inkShare: number } {
  const image = PNG.sync.read(png);
  const colours = new Set<number>();
  let ink = 0;
  for (let i = 0; i < image.data.length; i += 4) {
    const [r, g, b] = [image.data[i]!, image.data[i + 1]!, image.data[i + 2]!];
    colours.add((r << 16) | (g << 8) | b);
    if (r < 235 || g < 235 || b < 235) ink++;
  }
  return { colours: colours.size, inkShare: ink / (image.width * image.height) };
}

describe.skipIf(skipBrowserTests)('viewer in chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
    await mkdir(SCREENSHOT_DIR, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('shows sessions live as events stream over the WebSocket, with the 554 and 454 on their lanes', async () => {
    const viewer: Viewer = await startViewer({ title: 'live test' });
    const page = await browser.context.newPage();
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    try {
      await page.goto(viewer.url);
      await page.waitForFunction(() => document.getElementById('status')?.textContent?.startsWith('live'));
      expect(await page.locator('#diagram').textContent()).toContain('Waiting for a session');

      const firstSession = events.filter((event) => event.t < 2_000_000);
      const publishAll = (batch: readonly TraceEvent[]) => batch.forEach((event) => viewer.publish(event));
      publishAll(firstSession.slice(0, 20));
      await page.locator('#sessions li[data-session="1"]').waitFor();
      publishAll(firstSession.slice(20));
      await page.waitForFunction(() => document.querySelector('#sessions li[data-session="1"] .outcome')?.textContent?.startsWith('454'));

      const lanes = await page.locator('#diagram g.lane-head').evaluateAll((heads) => heads.map((head) => head.getAttribute('data-lane')));
      expect(lanes).toEqual(['client', 'front', 'auth', 'postfix']);
      const replies = async (from: string, to: string) =>
        page.locator(`#diagram g.kind-write[data-from="${from}"][data-to="${to}"] > text`).allTextContents();
      expect((await replies('postfix', 'front')).filter((text) => text.startsWith('554 '))).toEqual([
        '554 5.5.0 Error: SMTP protocol synchronization\\r\\n',
        '554 5.5.0 Error: SMTP protocol synchronization\\r\\n',
      ]);
      expect((await replies('front', 'client')).filter((text) => text.startsWith('454 '))).toEqual(['454 4.7.0 Account is temporarily unavailable.\\r\\n']);
      expect(await page.locator('#diagram g.decisive.kind-log').count()).toBe(2);
      expect(await page.locator('#sessions li.decisive .flag').count()).toBe(1);

      const shot = await page.screenshot({ path: join(SCREENSHOT_DIR, 'live-session-1.png') });
      const stats = pixelStats(shot);
      expect(stats.colours).toBeGreaterThan(50);
      expect(stats.inkShare).toBeGreaterThan(0.02);

      // The second session arrives while the first is shown; the page follows it until the user picks one.
      publishAll(events.filter((event) => event.t >= 2_000_000));
      await page.locator('#sessions li[data-session="2"].selected').waitFor();
      expect((await replies('front', 'client')).filter((text) => /^2\d\d /.test(text))).toContain('235 2.7.0 Logged in.\\r\\n');

      // Click session 1, jump to the failure: the current step is Postfix's log line.
      await page.locator('#sessions li[data-session="1"]').click();
      await page.locator('#failure').click();
      expect(await page.locator('#diagram g.current > title').allTextContents()).toEqual([
        'postfix/smtpd: improper command pipelining after XCLIENT from localhost[127.0.0.1]: EHLO front.example.test\\r\\n',
      ]);
      expect(await page.locator('#diagram g.future').count()).toBeGreaterThan(10);
      await page.keyboard.press('ArrowRight');
      expect(await page.locator('#diagram g.current').getAttribute('class')).toContain('kind-fact');
      expect(await page.locator('#step').textContent()).toMatch(/^step \d+\/\d+ · 28\.047 ms · fact kind=improperPipelining/);
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'live-failure.png') });

      expect(requests.filter((url) => !url.startsWith(viewer.url.replace(/\/$/, '')) && !url.startsWith('ws://127.0.0.1'))).toEqual([]);
    } finally {
      await page.close();
      await viewer.close();
    }
  });

  it('serve mailu-2024.06 with the slow-XCLIENT trigger: a real client session shows live, 554s and the 454 on their lanes', async () => {
    // The trigger: a 100 ms XCLIENT lookup outlasts the delayed ACK, so Dovecot's EHLO is
    // already in Postfix's buffer (conformance README, "Postfix's XCLIENT processing outlasts").
    const scenario = loadScenario({ scenario: 'mailu-2024.06', sets: ['postfix.xclient_lookup_ms=100'] });
    const viewer = await startViewer({ title: 'serve mailu-2024.06' });
    const page = await browser.context.newPage();
    try {
      await page.goto(viewer.url);
      await page.waitForFunction(() => document.getElementById('status')?.textContent?.startsWith('live'));
      const served = await serveScenario(scenario, { backend: 'model', port: 0, onEvent: (event) => viewer.publish(event) });
      try {
        let clientDone = false;
        const session = lockstepSession(served.topology.front.port, ['EHLO client.example.test', 'AUTH PLAIN AGFsaWNlQGV4YW1wbGUudGVzdABzZWNyZXQ=', 'QUIT']).finally(() => {
          clientDone = true;
        });
        // The session is listed while the client still waits for its AUTH reply (the 454 takes ~3 s).
        await page.locator('#sessions li[data-session="1"]').waitFor();
        expect(clientDone).toBe(false);
        const { replies } = await session;
        expect(replies[2]).toBe('454 4.7.0 Account is temporarily unavailable.');
      } finally {
        await served.close();
      }
      await page.waitForFunction(() => document.querySelector('#sessions li[data-session="1"] .outcome')?.textContent?.startsWith('454'));
      const lanes = await page.locator('#diagram g.lane-head').evaluateAll((heads) => heads.map((head) => head.getAttribute('data-lane')));
      expect(lanes).toEqual(['client', 'front', 'auth', 'postfix']);
      const replies = async (from: string, to: string, code: string) =>
        (await page.locator(`#diagram g.kind-write[data-from="${from}"][data-to="${to}"] > text`).allTextContents()).filter((text) => text.startsWith(code));
      expect(await replies('postfix', 'front', '554 ')).toEqual(Array(4).fill('554 5.5.0 Error: SMTP protocol synchronization\\r\\n'));
      expect(await replies('front', 'client', '454 ')).toEqual(['454 4.7.0 Account is temporarily unavailable.\\r\\n']);
      expect(await page.locator('#diagram g.decisive.kind-log[data-lane="postfix"]').count()).toBe(4);
      await page.locator('#failure').click();
      const shot = await page.screenshot({ path: join(SCREENSHOT_DIR, 'serve-mailu-454.png') });
      const stats = pixelStats(shot);
      expect(stats.colours).toBeGreaterThan(50);
      expect(stats.inkShare).toBeGreaterThan(0.02);
    } finally {
      await page.close();
      await viewer.close();
    }
  });

  it('smtp-lab serve --scenario mailu-2024.06 (slow XCLIENT) --view 0: the CLI serves the live viewer', async () => {
    const child = spawn(process.execPath, [BIN, 'serve', '--scenario', 'mailu-2024.06', '--set', 'postfix.xclient_lookup_ms=100', '--port', '0', '--view', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (out += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (out += text));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const page = await browser.context.newPage();
    try {
      const listening = /front 127\.0\.0\.1:(\d+)[\s\S]*viewer (http:\/\/127\.0\.0\.1:\d+\/)/;
      for (let i = 0; i < 300 && !listening.test(out); i++) await sleep(100);
      const [, frontPort, viewerUrl] = listening.exec(out) ?? [];
      expect(viewerUrl, `serve printed:\n${out}`).toBeDefined();
      await page.goto(viewerUrl!);
      await page.waitForFunction(() => document.getElementById('status')?.textContent?.startsWith('live'));
      const { replies } = await lockstepSession(Number(frontPort), ['EHLO client.example.test', 'AUTH PLAIN AGFsaWNlQGV4YW1wbGUudGVzdABzZWNyZXQ=', 'QUIT']);
      expect(replies[2]).toBe('454 4.7.0 Account is temporarily unavailable.');
      await page.waitForFunction(() => document.querySelector('#sessions li[data-session="1"] .outcome')?.textContent?.startsWith('454'));
      const texts = async (from: string, to: string, code: string) =>
        (await page.locator(`#diagram g.kind-write[data-from="${from}"][data-to="${to}"] > text`).allTextContents()).filter((text) => text.startsWith(code));
      expect(await texts('postfix', 'front', '554 ')).toHaveLength(4);
      expect(await texts('front', 'client', '454 ')).toEqual(['454 4.7.0 Account is temporarily unavailable.\\r\\n']);
      const shot = await page.screenshot({ path: join(SCREENSHOT_DIR, 'serve-cli.png') });
      expect(pixelStats(shot).colours).toBeGreaterThan(50);
    } finally {
      await page.close();
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    }
  });

  it('opens an exported HTML page from disk without any network, and steps through it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'viewer-html-'));
    const file = join(dir, 'trace.html');
    await writeFile(file, await renderHtml({ title: 'export test', events }));
    const page = await browser.context.newPage();
    const { requests, errors } = watchPage(page);
    try {
      await page.goto(`file://${file}`);
      expect(await page.locator('#sessions li').count()).toBe(2);
      expect(await page.locator('#status').textContent()).toBe('recorded · 143 events · 2 sessions');
      await page.locator('#next').click();
      await page.locator('#next').click();
      expect(await page.locator('#step').textContent()).toMatch(/^step 2\/\d+ · 8\.963 ms · 220 front\.example\.test/);
      await page.locator('#prev').click();
      expect(await page.locator('#step').textContent()).toMatch(/^step 1\/\d+ · 0 µs · connect c1/);
      // Play walks forward on its own; pause stops it.
      await page.locator('#play').click();
      await page.waitForFunction(() => /^step [3-9]\//.test(document.getElementById('step')?.textContent ?? ''));
      await page.locator('#play').click();
      expect(await page.locator('#play').textContent()).toBe('▶ play');
      await page.locator('#detail').selectOption('app');
      expect(await page.locator('#diagram g.kind-segment:not(.decisive)').count()).toBe(0);
      expect(await page.locator('#diagram g.kind-segment.decisive').count()).toBe(2);
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'export.png') });
      expect(errors).toEqual([]);
      expect(requests).toEqual([`file://${file}`]);
    } finally {
      await page.close();
    }
  });

  it('parses every SVG export with the browser XML parser', async () => {
    const hostile: TraceEvent[] = [
      { t: 0, kind: 'write', conn: 'c1', from: 'client', to: 'front', len: 9, data: '<a&b>\x00\x85"\r\n' },
      { t: 1, kind: 'log', node: 'postfix', program: 'postfix/smtpd', line: 'improper command pipelining after XCLIENT from x: <&>' },
    ];
    const documents = [
      renderSvg(buildDiagram(events)),
      renderSvg(buildDiagram(events), { session: 2, detail: 'app' }),
      renderSvg(buildDiagram(hostile)),
      renderSvg(buildDiagram(realRecordTrace('A2-forbid-yes-quickack-plain'))),
    ];
    const page = await browser.context.newPage();
    try {
      const results = await page.evaluate((svgs) =>
        svgs.map((svg) => {
          const parsed = new DOMParser().parseFromString(svg, 'image/svg+xml');
          const error = parsed.getElementsByTagName('parsererror')[0];
          return error ? `parse error: ${error.textContent}` : `${parsed.documentElement.localName} ${parsed.querySelectorAll('g.item').length}`;
        }),
      documents);
      expect(results.map((result) => result.split(' ')[0])).toEqual(['svg', 'svg', 'svg', 'svg']);
      expect(results.map((result) => Number(result.split(' ')[1]) > 0)).toEqual([true, true, true, true]);
    } finally {
      await page.close();
    }
  });
});
