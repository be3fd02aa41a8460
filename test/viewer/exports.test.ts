/* exports - Mermaid, SVG and HTML of a trace, and `smtp-lab view` writing them (XML/HTML parsing is in browser.test.ts) */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../cli/main.ts';
import { renderHtml } from '../../viewer/export/html.ts';
import { renderMermaid } from '../../viewer/export/mermaid.ts';
import { renderSvg } from '../../viewer/export/svg.ts';
import { buildDiagram } from '../../viewer/model/diagram.ts';
import { parseTraceFile, type TraceEvent } from '../../viewer/model/trace-event.ts';

const fixturePath = new URL('./fixtures/two-sessions.jsonl', import.meta.url);
const events = parseTraceFile(await readFile(fixturePath, 'utf8'));
const diagram = buildDiagram(events);

/** A write whose bytes are hostile to every output format. */
const hostile: TraceEvent[] = [
  { t: 0, kind: 'connect', conn: 'c1', from: 'client', to: { host: '127.0.0.1', port: 25 } },
  { t: 1, kind: 'accept', conn: 'c1', from: 'client', to: 'front' },
  { t: 2, kind: 'write', conn: 'c1', from: 'client', to: 'front', len: 40, data: 'MAIL FROM:<a&b@x> ; #1 </script><!-- "\'\x00\x85\r\n' },
];

describe('mermaid', () => {
  const text = renderMermaid(diagram, { session: 1 });
  const lines = text.trimEnd().split('\n');

  it('declares the four participants in lane order', () => {
    expect(lines[0]).toBe('sequenceDiagram');
    expect(lines.filter((line) => line.trimStart().startsWith('participant '))).toEqual([
      '  participant client as client',
      '  participant front as front',
      '  participant auth as auth',
      '  participant postfix as postfix',
    ]);
  });

  it('has the SMTP messages on the right arrows, with their virtual time', () => {
    expect(lines).toContain('  postfix->>front: [28.059 ms] 554 5.5.0 Error: SMTP protocol synchronization\\r\\n');
    expect(lines).toContain('  front->>client: [1.028200 s] 454 4.7.0 Account is temporarily unavailable.\\r\\n');
    expect(lines).toContain('  front->>postfix: [27.906 ms] XCLIENT HELO=client.example.test PROTO=ESMTP LOGIN=alice@example.test P…');
  });

  it('wraps the early EHLO and the pipelining report in a highlight block, and notes the 1 s gap', () => {
    const start = lines.indexOf('  rect rgb(255, 224, 224)');
    expect(lines.slice(start, start + 6)).toEqual([
      '  rect rgb(255, 224, 224)',
      '  front->>postfix: [27.934 ms] EHLO front.example.test\\r\\n',
      '  front-)postfix: [27.935 ms] [AP] seq=123 len=25',
      '  Note right of postfix: [28.047 ms] postfix/smtpd: improper command pipelining after XCLIENT from localhost…',
      '  Note right of postfix: [28.047 ms] fact kind=improperPipelining where=XCLIENT unread=EHLO front.example.te…',
      '  end',
    ]);
    expect(lines).toContain('  Note over client,postfix: ⋯ +982.1 ms later ⋯');
    expect(lines.filter((line) => /^\s*rect /.test(line)).length).toBe(lines.filter((line) => line.trim() === 'end').length);
  });

  it('leaves TCP segments and timers out unless asked, and keeps every line a statement Mermaid knows', () => {
    expect(lines.filter((line) => line.includes('[AP]')).length).toBe(2);
    expect(lines.filter((line) => line.includes('timer ')).length).toBe(0);
    expect(renderMermaid(diagram, { session: 1, detail: 'all' }).split('\n').filter((line) => line.includes('[AP]')).length).toBeGreaterThan(20);
    const statement = /^(sequenceDiagram|  participant \w+ as .+|  \w+(->>|-\)|--\)|-->>|-x|--x)\w+: .+|  Note (right of \w+|over \w+,\w+): .+|  rect rgb\(255, 224, 224\)|  end)$/;
    expect(lines.filter((line) => !statement.test(line))).toEqual([]);
  });

  it('turns # ; < > into entity codes so message text cannot end a statement', () => {
    const message = renderMermaid(buildDiagram(hostile)).split('\n').find((line) => line.includes('MAIL FROM'));
    expect(message).toBe('  client->>front: [2 µs] MAIL FROM:#60;a&b@x#62; #59; #35;1 #60;/script#62;#60;!-- "\'\\x00\\x85\\r\\n');
  });
});

describe('svg', () => {
  const svg = renderSvg(diagram, { session: 1 });

  it('draws a lane head per component and the replies on the right lanes', () => {
    expect([...svg.matchAll(/<g class="lane-head" data-lane="(\w+)">/g)].map((m) => m[1])).toEqual(['client', 'front', 'auth', 'postfix']);
    const arrowsWith = (code: string) => [...svg.matchAll(/<g class="([^"]*)"[^>]*data-from="(\w+)" data-to="(\w+)"><title>([^<]*)<\/title>/g)].filter((m) => m[4]!.startsWith(code)).map((m) => [m[2], m[3], m[1]]);
    expect(arrowsWith('554 ')).toEqual([
      ['postfix', 'front', 'item arrow kind-write error'],
      ['postfix', 'front', 'item arrow kind-write error'],
    ]);
    expect(arrowsWith('454 ')).toEqual([['front', 'client', 'item arrow kind-write error']]);
  });

  it('marks the decisive items and shows the elided second', () => {
    expect(svg.match(/class="item [^"]* decisive"/g)?.length).toBe(8);
    expect(svg).toContain('⋯ +982.1 ms later ⋯');
  });

  it('escapes bytes so the markup stays markup', () => {
    const hostileSvg = renderSvg(buildDiagram(hostile));
    expect(hostileSvg).toContain('MAIL FROM:&lt;a&amp;b@x&gt; ; #1 &lt;/script&gt;&lt;!-- &quot;&#39;\\x00\\x85\\r\\n');
    expect(hostileSvg).not.toMatch(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]/);
  });
});

describe('html', () => {
  it('is self-contained: inline style, script and trace, nothing fetched', async () => {
    const html = await renderHtml({ title: 'fixture', events });
    expect(html).not.toMatch(/<(script|link|img|iframe)[^>]+(src|href)=/i);
    expect(html).not.toMatch(/url\(\s*['"]?(https?:)?\/\//i);
    expect(html).not.toMatch(/@import/);
    expect(html.match(/<script/g)?.length).toBe(2);
    expect(html).toContain('<svg xmlns="http://www.w3.org/2000/svg" class="sequence"');
  });

  it('cannot be broken out of by trace bytes', async () => {
    const html = await renderHtml({ title: '</title><script>alert(1)</script>', events: hostile });
    expect(html.match(/<\/script>/gi)?.length).toBe(2);
    expect(html).toContain('<title>&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;</title>');
  });
});

describe('smtp-lab view', () => {
  it('writes --html, --svg and --mermaid and exits 0', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'viewer-'));
    const out = { html: join(dir, 'a', 't.html'), svg: join(dir, 't.svg'), mermaid: join(dir, 't.mmd') };
    const printed: string[] = [];
    const original = console.log;
    console.log = (line: string) => printed.push(line);
    let code: number;
    try {
      code = await main(['view', fixturePath.pathname, '--html', out.html, '--svg', out.svg, '--mermaid', out.mermaid, '--session', '2']);
    } finally {
      console.log = original;
    }
    expect(code).toBe(0);
    expect(printed).toEqual([`wrote ${out.html}`, `wrote ${out.svg}`, `wrote ${out.mermaid}`]);
    expect(await readFile(out.mermaid, 'utf8')).toContain('front->>client: [2.062400 s] 235 2.7.0 Logged in.\\r\\n');
    expect(await readFile(out.svg, 'utf8')).not.toContain('454 4.7.0');
    expect(await readFile(out.html, 'utf8')).toContain('454 4.7.0');
  });

  it('reads the trace.jsonl of a repro/check output directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'viewer-dir-'));
    await writeFile(join(dir, 'trace.jsonl'), await readFile(fixturePath, 'utf8'));
    const svg = join(dir, 'picture.svg');
    const original = console.log;
    console.log = () => undefined;
    try {
      expect(await main(['view', dir, '--svg', svg])).toBe(0);
    } finally {
      console.log = original;
    }
    expect(await readFile(svg, 'utf8')).toContain('454 4.7.0 Account is temporarily unavailable.');
  });

  it('exits 2 with a message naming the problem', async () => {
    const errors: string[] = [];
    const original = console.error;
    console.error = (line: string) => errors.push(line);
    // Never written: each call fails before it would write.
    const svg = join(await mkdtemp(join(tmpdir(), 'viewer-unwritten-')), 'x.svg');
    try {
      expect(await main(['view'])).toBe(2);
      expect(await main(['view', '/nonexistent/trace.jsonl', '--svg', svg])).toBe(2);
      expect(await main(['view', fixturePath.pathname, '--svg', svg, '--session', '9'])).toBe(2);
      expect(await main(['view', fixturePath.pathname, '--bogus'])).toBe(2);
    } finally {
      console.error = original;
    }
    expect(errors.map((line) => line.split('\n')[0])).toEqual([
      'smtp-lab view: expected exactly one trace FILE, got 0',
      'smtp-lab view: cannot read /nonexistent/trace.jsonl: ENOENT',
      'smtp-lab view: --session: no session 9 in this trace (it has 2)',
      expect.stringMatching(/^smtp-lab view: Unknown option '--bogus'/),
    ]);
  });
});
