/* html - the viewer page: self-contained (inline style, script and trace), for exports and the server
 *
 * A static export embeds the trace and an SVG of its first session, so the file shows
 * the diagram even before (or without) the script; the script adds session switching and
 * stepping. The live page embeds only the WebSocket path it reads events from.
 */
import { pageAssets } from '../bundle.ts';
import type { PageConfig } from '../browser/page-config.ts';
import { buildDiagram } from '../model/diagram.ts';
import type { TraceEvent } from '../model/trace-event.ts';
import { stepNavButtons } from './step-nav.ts';
import { renderSvg, xml } from './svg.ts';

export interface HtmlOptions {
  readonly title?: string;
  /** The trace to embed; the page starts on its first session. */
  readonly events?: readonly TraceEvent[];
  /** Read events from this WebSocket path on the serving host. */
  readonly wsPath?: string;
}

export async function renderHtml(options: HtmlOptions): Promise<string> {
  const { script, style } = await pageAssets();
  const title = options.title ?? 'smtp-lab trace viewer';
  const config: PageConfig = { title, ...(options.events ? { events: options.events } : {}), ...(options.wsPath ? { wsPath: options.wsPath } : {}) };
  const diagram = options.events ? buildDiagram(options.events) : null;
  const first = diagram?.sessions[0];
  const initial = diagram && first ? renderSvg(diagram, { session: first.id }) : '<p class="empty">Waiting for a session…</p>';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; connect-src 'self' ws://127.0.0.1:* ws://localhost:*">
<title>${xml(title)}</title>
<style>${style}</style>
</head>
<body>
<aside>
<h1>${xml(title)}</h1>
<div id="status"></div>
<ul id="sessions"></ul>
</aside>
<main>
<nav>
${stepNavButtons('event')}
<label>show <select id="detail"><option value="app">SMTP only</option><option value="tcp" selected>+ TCP segments, ACKs</option><option value="all">+ timers, decisions</option></select></label>
</nav>
<div id="diagram">${initial}</div>
<pre id="step"></pre>
</main>
<script id="smtp-lab-config" type="application/json">${scriptSafeJson(config)}</script>
<script>${script.replace(/<\/script/gi, '<\\/script')}</script>
</body>
</html>
`;
}

/** JSON inside <script>: no "</script>", no "<!--", and the line separators JavaScript once rejected. */
function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}
