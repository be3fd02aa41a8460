/* robustness - any sequence of trace-shaped records draws without throwing, and the markup stays markup */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderMermaid } from '../../viewer/export/mermaid.ts';
import { renderSvg } from '../../viewer/export/svg.ts';
import { buildDiagram } from '../../viewer/model/diagram.ts';
import type { TraceEvent } from '../../viewer/model/trace-event.ts';

const KINDS = ['run', 'connect', 'accept', 'refused', 'write', 'segment', 'deliver', 'ack', 'timer', 'fire', 'decision', 'fault', 'fin', 'rst', 'log', 'fact', 'recv', 'listen', 'connected', 'limit', 'error', 'mystery'];
const NODES = ['client', 'front', 'auth', 'postfix', 'local', 'peer', '<x>'];
const text = fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((code) => String.fromCharCode(code)), maxLength: 40 });
const value = fc.oneof(text, fc.integer(), fc.constant(null), fc.record({ kind: fc.constantFrom('improperPipelining', 'queued'), where: text }), fc.record({ host: text, port: fc.integer() }));

const event = fc.record(
  {
    t: fc.integer({ min: 0, max: 5_000_000 }),
    kind: fc.constantFrom(...KINDS),
    conn: fc.constantFrom('c1', 'c2', 'c3', 'front<1'),
    node: fc.constantFrom(...NODES),
    from: fc.constantFrom(...NODES),
    to: fc.oneof(fc.constantFrom(...NODES), value),
    data: text,
    line: fc.oneof(text, fc.constant('improper command pipelining after XCLIENT from x: EHLO y\\r\\n')),
    fact: value,
    seq: fc.integer({ min: 0, max: 10 }),
    len: fc.integer({ min: 0, max: 40 }),
    flags: fc.constantFrom('S', 'AS', 'A', 'AP', 'AF', 'R'),
    at: fc.oneof(fc.integer(), fc.constant(null)),
    why: fc.constantFrom('received', 'abort', 'quick'),
  },
  { requiredKeys: ['t', 'kind'] },
);

/** Events sorted by time, as every trace is. */
const trace = fc.array(event, { maxLength: 60 }).map((events) => [...events].sort((a, b) => a.t - b.t) as TraceEvent[]);

describe('drawing arbitrary traces', () => {
  it('never throws, draws only lanes it knows, and keeps SVG free of raw control bytes', () => {
    fc.assert(
      fc.property(trace, (events) => {
        const diagram = buildDiagram(events);
        const svg = renderSvg(diagram, { detail: 'all' });
        const mermaid = renderMermaid(diagram, { detail: 'all' });
        expect(svg).not.toMatch(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]/);
        expect(svg.match(/<g class="item /g)?.length ?? 0).toBe(diagram.items.length);
        const heads = new Set([...svg.matchAll(/<g class="lane-head" data-lane="([^"]*)">/g)].map((m) => m[1]));
        const ends = [...svg.matchAll(/data-(?:from|to|lane)="([^"]*)"/g)].map((m) => m[1]).filter((lane) => lane !== '');
        expect(ends.filter((lane) => !heads.has(lane))).toEqual([]);
        expect(mermaid.split('\n').filter((line) => /^ {2}rect /.test(line)).length).toBe(mermaid.split('\n').filter((line) => line === '  end').length);
        for (const session of diagram.sessions) expect(() => renderSvg(diagram, { session: session.id, detail: 'app' })).not.toThrow();
      }),
      { numRuns: 300, seed: 20261127 },
    );
  });
});
