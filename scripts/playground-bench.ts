/* playground-bench - the playground's size and speed in chromium, written to BENCHMARKS.md's playground section
 *
 * `npm run bench:playground`: builds the site, opens it from file:// in Debian's chromium
 * (test/viewer/chromium.ts) several times and records the page's own time to its first diagram
 * (navigation start to the first run drawn, body[data-first-diagram-ms]), then the time "find a
 * failure" takes to find and shrink the bug in the worker. Only the section between the
 * markers is rewritten; `npm run bench` keeps it (it rewrites the figures above the notes).
 */
import { readFile, mkdtemp, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { buildPlayground } from '../playground/build/site.ts';
import { CHROMIUM_PATH, launchChromium } from '../test/viewer/chromium.ts';

const LOADS = 7;
const BENCHMARKS = new URL('../BENCHMARKS.md', import.meta.url);
const START = '<!-- playground: rewritten by npm run bench:playground -->';
const END = '<!-- /playground -->';

const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const loadBefore = loadavg()[0]!.toFixed(1);
const site = await buildPlayground(await mkdtemp(join(tmpdir(), 'smtp-lab-playground-bench-')));
const html = await readFile(site.file);
const browser = await launchChromium();
const firstDiagram: number[] = [];
let findMs = 0;
let found = '';
try {
  for (let i = 0; i < LOADS; i++) {
    const page = await browser.context.newPage();
    await page.goto(pathToFileURL(site.file).href);
    await page.waitForFunction(() => document.body.dataset.firstDiagramMs !== undefined);
    firstDiagram.push(Number(await page.evaluate(() => document.body.dataset.firstDiagramMs)));
    if (i === LOADS - 1) {
      const started = Date.now();
      await page.locator('#find').click();
      await page.waitForFunction(() => /^found after/.test(document.getElementById('progress')?.textContent ?? ''), null, { timeout: 300_000 });
      findMs = Date.now() - started;
      found = (await page.locator('#progress').textContent())!.replace(/: correct client.*$/, '');
    }
    await page.close();
  }
} finally {
  await browser.close();
}

const chromium = execFileSync(CHROMIUM_PATH, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
const section = `${START}
## Playground

Measured by \`npm run bench:playground\` on ${new Date().toISOString().slice(0, 10)}: ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${chromium} (headless), page opened from file://; load average ${loadBefore} before the run (the first load also pays for chromium's start, so the median is quoted).

| figure | measured |
|---|---|
| the whole site: index.html with script, style, lab and worker inline | ${kib(site.bytes)} (${kib(gzipSync(html).length)} gzipped); of it the script ${kib(site.scriptBytes)} |
| time to the first diagram: navigation start to the default scenario run and drawn beside the lock-step proxy (median of ${LOADS} loads) | ${median(firstDiagram)} ms (loads: ${firstDiagram.join(', ')} ms) |
| "find a failure" in the worker, click to the shrunk counterexample drawn | ${findMs} ms (${found}) |
${END}`;

const text = await readFile(BENCHMARKS, 'utf8');
const at = text.indexOf(START);
const next = at < 0 ? `${text.trimEnd()}\n\n${section}\n` : `${text.slice(0, at)}${section}${text.slice(text.indexOf(END) + END.length)}`;
await writeFile(BENCHMARKS, next);
console.log(section);
