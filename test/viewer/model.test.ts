/* model - the trace -> sequence-diagram model, on a hand-written trace and on real-stack records */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildDiagram, type ArrowItem, type DiagramItem } from '../../viewer/model/diagram.ts';
import { formatDelta, formatMicros, layoutRows } from '../../viewer/model/time-axis.ts';
import { parseTraceFile, parseTraceLines, TraceFormatError } from '../../viewer/model/trace-event.ts';
import { realRecordTrace } from './real-record.ts';

const fixture = readFileSync(new URL('./fixtures/two-sessions.jsonl', import.meta.url), 'utf8');
const events = parseTraceFile(fixture);
const diagram = buildDiagram(events);

const writes = (items: readonly DiagramItem[]): ArrowItem[] => items.filter((item): item is ArrowItem => item.shape === 'arrow' && item.kind === 'write');
const startsWith = (prefix: string) => (item: DiagramItem) => item.detail.startsWith(prefix);

describe('buildDiagram on the hand-written two-session trace', () => {
  it('has one lane per component in chain order', () => {
    expect(diagram.lanes).toEqual(['client', 'front', 'auth', 'postfix']);
  });

  it('makes one session per client connection, backend connections inside it', () => {
    expect(diagram.sessions.map((s) => [s.id, s.clientConn, s.conns, s.outcome, s.decisive])).toEqual([
      [1, 'c1', ['c1', 'a1', 'b1', 'b2'], '454 4.7.0 Account is temporarily unavailable.', true],
      [2, 'c2', ['c2', 'b3'], '235 2.7.0 Logged in.', false],
    ]);
    const runNote = diagram.items.find((item) => item.kind === 'run');
    expect(runNote?.session).toBeNull();
  });

  it('puts the 554 on postfix -> front and the 454 on front -> client, marked as errors', () => {
    const rejects = writes(diagram.items).filter(startsWith('554 '));
    expect(rejects.map((w) => [w.from, w.to, w.conn, w.error])).toEqual([
      ['postfix', 'front', 'b1', true],
      ['postfix', 'front', 'b2', true],
    ]);
    const unavailable = writes(diagram.items).filter(startsWith('454 '));
    expect(unavailable.map((w) => [w.from, w.to, w.conn, w.label])).toEqual([['front', 'client', 'c1', '454 4.7.0 Account is temporarily unavailable.\\r\\n']]);
  });

  it('highlights the improper-pipelining report and the EHLO bytes that arrived before it', () => {
    expect(diagram.decisive.map((m) => [m.where, m.conn, m.session])).toEqual([
      ['XCLIENT', 'b1', 1],
      ['XCLIENT', 'b2', 1],
    ]);
    const highlighted = diagram.items.filter((item) => item.decisive && item.conn === 'b1');
    expect(highlighted.map((item) => [item.kind, item.t])).toEqual([
      ['write', 27934],
      ['segment', 27935],
      ['log', 28047],
      ['fact', 28047],
    ]);
    const early = highlighted[1] as ArrowItem;
    expect([early.from, early.to, early.tEnd, early.detail]).toEqual(['front', 'postfix', 27940, '[AP] seq=123 len=25 EHLO front.example.test\\r\\n']);
    expect(diagram.items.filter((item) => item.decisive && item.session === 2)).toEqual([]);
  });

  it('draws segments from send to delivery and log lines beside the lane that wrote them', () => {
    const xclientSegment = diagram.items.find((item) => item.kind === 'segment' && item.detail.includes('XCLIENT HELO=')) as ArrowItem;
    expect([xclientSegment.t, xclientSegment.tEnd]).toEqual([27907, 27912]);
    const logLanes = new Set(diagram.items.filter((item) => item.shape === 'note' && item.kind === 'log').map((item) => (item.shape === 'note' ? item.lane : null)));
    expect([...logLanes].sort()).toEqual(['front', 'postfix']);
  });
});

describe('buildDiagram on the real stack (conformance/records, Postfix 3.7.11 + Dovecot 2.3.19.1)', () => {
  it('A2 (forbid=yes, quickack): three backend attempts lose the race, the fourth wins', () => {
    const trace = realRecordTrace('A2-forbid-yes-quickack-plain');
    const real = buildDiagram(trace);
    expect(real.lanes).toEqual(['client', 'front', 'postfix']);
    expect(real.sessions.map((s) => [s.conns, s.outcome])).toEqual([[['s0', 's1', 's2', 's3', 's4'], '250 2.0.0 Ok: queued as E4BF520C144']]);
    // Each early segment is Dovecot's EHLO, written 28 µs (s1) after XCLIENT on the real stack.
    expect(real.decisive.map((m) => [m.conn, trace[m.earlyEvent!]!.t, trace[m.earlyWrite!]!.data])).toEqual([
      ['s1', 27934, 'EHLO front.example.test\r\n'],
      ['s2', 1029835, 'EHLO front.example.test\r\n'],
      ['s3', 2031934, 'EHLO front.example.test\r\n'],
    ]);
    const xclient = trace.find((event) => event.conn === 's1' && event.kind === 'write' && String(event.data).startsWith('XCLIENT'))!;
    expect(trace[real.decisive[0]!.earlyWrite!]!.t - xclient.t).toBe(28);
  });

  it('B3 (forbid=no, default Linux TCP): nothing to highlight', () => {
    const real = buildDiagram(realRecordTrace('B3-forbid-no-default-plain'));
    expect(real.decisive).toEqual([]);
    expect(real.sessions[0]!.decisive).toBe(false);
  });
});

describe('time axis', () => {
  it('grows with the log of the gap, so 30 µs and 1 s both fit', () => {
    const rows = layoutRows([0, 0, 30, 30_000, 1_030_000], 0, { rowMinPx: 20, pxPerDecade: 10, elideAboveUs: 100_000 });
    const gaps = rows.slice(1).map((row, i) => row.y - rows[i]!.y);
    expect(gaps).toEqual([20, 35, 65, 80]);
    expect(rows.map((row) => row.elided)).toEqual([false, false, false, false, true]);
  });

  it('formats µs, ms and s with µs precision', () => {
    expect([formatMicros(28), formatMicros(27_934), formatMicros(1_029_835)]).toEqual(['28 µs', '27.934 ms', '1.029835 s']);
    expect([formatDelta(30), formatDelta(40_000), formatDelta(1_000_000)]).toEqual(['+30 µs', '+40.0 ms', '+1.00 s']);
  });
});

describe('reading trace files', () => {
  it('names the line that is not a trace event', () => {
    expect(() => parseTraceLines('{"t":0,"kind":"run"}\n{"t":-1,"kind":"log"}\n')).toThrow(new TraceFormatError('line 2: "t" must be a non-negative number of virtual microseconds'));
    expect(() => parseTraceLines('{"t":0,"kind":"run"}\nnot json\n')).toThrow(/^line 2: not JSON/);
    expect(() => parseTraceFile('{"seed": 1}')).toThrow(/carry them under "trace" or "events"/);
  });

  it('reads a counterexample report carrying its trace as events or as JSON Lines', () => {
    const asArray = parseTraceFile(JSON.stringify({ seed: 7, trace: events.slice(0, 3) }));
    const asLines = parseTraceFile(JSON.stringify({ seed: 7, trace: fixture.split('\n').slice(0, 3).join('\n') }));
    expect(asArray).toEqual(events.slice(0, 3));
    expect(asLines).toEqual(events.slice(0, 3));
  });

  it('draws unknown kinds as notes instead of failing', () => {
    const odd = buildDiagram([{ t: 5, kind: 'from-the-future', node: 'postfix', x: 1 }]);
    expect(odd.items.map((item) => [item.shape, item.kind, item.label])).toEqual([['note', 'other', 'from-the-future t=5 kind=from-the-future node=postfix x=1']]);
  });
});

describe('buildDiagram on a socket-runtime trace (serve, mailu-2024.06 with a 100 ms XCLIENT lookup)', () => {
  // Recorded with serveScenario(..., { onEvent }) and a lock-step client: EHLO, AUTH PLAIN, QUIT.
  const served = parseTraceFile(readFileSync(new URL('./fixtures/serve-mailu-454.jsonl', import.meta.url), 'utf8'));
  const live = buildDiagram(served);

  it('pairs each node-to-node connection across its two ends and puts the real client on its own lane', () => {
    expect(live.lanes).toEqual(['client', 'front', 'auth', 'postfix']);
    expect(live.sessions.map((s) => [s.clientConn, s.conns, s.outcome, s.decisive])).toEqual([
      ['front<1', ['front<1', 'front:http2', 'front:backend3', 'front:backend4', 'front:backend5', 'front:backend6'], '454 4.7.0 Account is temporarily unavailable.', true],
    ]);
    const clientWrites = writes(live.items).filter((w) => w.from === 'client').map((w) => w.label);
    expect(clientWrites).toEqual(['EHLO client.example.test\\r\\n', 'AUTH PLAIN AGFsaWNlQGV4YW1wbGUudGVzdABzZWNyZXQ=\\r\\n', 'QUIT\\r\\n']);
  });

  it('shows four 554s from postfix to front, one 454 to the client, and four decisive moments', () => {
    expect(writes(live.items).filter(startsWith('554 ')).map((w) => `${w.from}->${w.to} ${w.conn}`)).toEqual([
      'postfix->front front:backend3',
      'postfix->front front:backend4',
      'postfix->front front:backend5',
      'postfix->front front:backend6',
    ]);
    expect(writes(live.items).filter(startsWith('454 ')).map((w) => `${w.from}->${w.to}`)).toEqual(['front->client']);
    expect(live.decisive.map((m) => [m.conn, m.reportEvents.length, served[m.earlyWrite!]!.data])).toEqual([
      ['front:backend3', 2, 'EHLO front.example.test\r\n'],
      ['front:backend4', 2, 'EHLO front.example.test\r\n'],
      ['front:backend5', 2, 'EHLO front.example.test\r\n'],
      ['front:backend6', 2, 'EHLO front.example.test\r\n'],
    ]);
  });
});
