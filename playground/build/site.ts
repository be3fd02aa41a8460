/* site - the playground as a static site: one self-contained index.html (script, style, lab and worker inline)
 *
 * One file because a page opened from file:// may load nothing else: no module, no worker
 * script, no fetch. The same bundle is the page and its worker (playground/browser/main.ts).
 * The Content-Security-Policy allows nothing outside the page: it works offline, and a link
 * to it can be projected, mailed or hosted anywhere.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { BUILTIN_NAMES } from '../../scenarios/index.ts';
import { DETAILS } from '../../viewer/export/detail.ts';
import { stepNavButtons } from '../../viewer/export/step-nav.ts';
import { PAGE_FILE } from '../link.ts';
import { COMPARISONS, DEFAULT_STATE } from '../state.ts';
import { browserSeamOptions, browserSeams } from './browser-seams.ts';
import { lessonHtml, lessonPageFile, readLessons, type Lesson } from './lessons.ts';

const PLAYGROUND = fileURLToPath(new URL('../', import.meta.url));

export interface BuiltSite {
  /** The page's path. */
  readonly file: string;
  /** Its size: the whole site. */
  readonly bytes: number;
  /** Of which the script (lab, viewer, page, worker). */
  readonly scriptBytes: number;
  /** The lesson pages written beside it. */
  readonly lessons: readonly string[];
}

/** Bundle the page's script: the lab, the viewer and the page, for the browser. */
export async function bundlePlaygroundScript(): Promise<string> {
  const result = await build({
    entryPoints: [`${PLAYGROUND}browser/main.ts`],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    charset: 'utf8',
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
    plugins: [browserSeams],
    ...browserSeamOptions,
  });
  const script = result.outputFiles?.[0]?.text;
  if (script === undefined) throw new Error('esbuild produced no output for playground/browser/main.ts');
  return script;
}

export async function buildPlayground(outDir: string): Promise<BuiltSite> {
  const [script, style, lessons] = await Promise.all([bundlePlaygroundScript(), readFile(`${PLAYGROUND}page.css`, 'utf8'), readLessons()]);
  const html = pageHtml(script, style, lessons);
  await mkdir(outDir, { recursive: true });
  const file = join(outDir, PAGE_FILE);
  await writeFile(file, html);
  const lessonFiles = await Promise.all(
    lessons.map(async (lesson) => {
      const path = join(outDir, lessonPageFile(lesson));
      await writeFile(path, lessonHtml(lesson, style));
      return path;
    }),
  );
  return { file, bytes: Buffer.byteLength(html), scriptBytes: Buffer.byteLength(script), lessons: lessonFiles };
}

const DETAIL_WORDS: Readonly<Record<string, string>> = { app: 'SMTP only', tcp: '+ TCP segments and ACKs', all: '+ timers and decisions' };
const COMPARISON_WORDS: Readonly<Record<string, string>> = { lockstep: 'the lock-step proxy', pr3322: 'PR 3322 (forbid = no)', none: 'nothing' };

const options = (values: readonly string[], selected: string, words: Readonly<Record<string, string>> = {}): string =>
  values.map((value) => `<option value="${value}"${value === selected ? ' selected' : ''}>${words[value] ?? value}</option>`).join('');

function pageHtml(script: string, style: string, lessons: readonly Lesson[]): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; worker-src blob:; img-src data:">
<title>smtp-lab playground: SMTP pipelining, XCLIENT and the Mailu 454</title>
<style>${style}</style>
</head>
<body>
<aside>
<h1>smtp-lab playground</h1>
<p class="lead">Client → front proxy → Postfix, simulated in this page. Every state is the link in the address bar.</p>
<div id="error" hidden></div>
<div class="row"><label>scenario <select id="scenario">${options(BUILTIN_NAMES, DEFAULT_STATE.scenario)}</select></label></div>
<details><summary>paste a scenario (JSON)</summary>
<textarea id="paste" spellcheck="false" placeholder='{ "name": "slow-xclient", "base": "mailu-2024.06", "values": { "postfix.xclient_lookup_ms": 100 } }'></textarea>
<button id="paste-apply">use this scenario</button>
</details>
<div class="row"><label>seed <input id="seed" type="number" min="0" step="1" value="1" style="width:90px"></label>
<button id="run" class="primary">run</button>
<button id="find" title="search generated traces for the 454 and shrink it (property 1, in a worker)">find a failure</button></div>
<div id="progress"></div>
<div id="replaying"></div>
<div id="knobs"></div>
<details><summary>lessons</summary><ol id="lessons">${lessons.map((lesson) => `<li><a href="${lessonPageFile(lesson)}">${lesson.title.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</a></li>`).join('')}</ol></details>
<details><summary>link to this state</summary><input id="share-url" readonly></details>
<details><summary>shrunk counterexample</summary><div id="case"></div></details>
<details><summary>trace as JSON Lines (as smtp-lab run --trace writes it)</summary><textarea id="trace-jsonl" readonly spellcheck="false"></textarea></details>
</aside>
<main>
<nav>
${stepNavButtons('step')}
<label>show <select id="detail">${options(DETAILS, DEFAULT_STATE.detail, DETAIL_WORDS)}</select></label>
<label title="shrink each diagram to its pane's width: an overview, small print"><input id="fit" type="checkbox"> fit width</label>
<label>beside it <select id="compare">${options(COMPARISONS, DEFAULT_STATE.compare, COMPARISON_WORDS)}</select></label>
</nav>
<pre id="outcome"></pre>
<div id="panes" class="panes">
<section class="pane"><h2 id="title-main"></h2><div id="diagram-main" class="diagram"></div></section>
<section class="pane"><h2 id="title-compare"></h2><div id="diagram-compare" class="diagram"></div></section>
</div>
<pre id="step"></pre>
</main>
<script id="playground-script">${script.replace(/<\/script/gi, '<\\/script')}</script>
</body>
</html>
`;
}
