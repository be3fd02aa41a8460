/* diagram - from trace events to a sequence-diagram model (pure; shared by exports and the page)
 *
 * Arrows: application writes (bold, labelled with their bytes), TCP segments from send
 * to delivery and pure ACKs (thin), connection set-up and tear-down. Notes: log lines
 * beside the lane that wrote them, timers set and fired, facts, faults, random decisions.
 * Every item keeps the index of the event it came from so a page can step through them.
 * Traces of the socket runtime (smtp-lab serve) are first mapped onto the simulator's shapes.
 */
import { connectionTable, eventNode, type Endpoints } from './connections.ts';
import { findDecisiveMoments, type DecisiveMoment } from './decisive.ts';
import { clip, describeRecord, escapeBytes, replyCode, writeLabel } from './labels.ts';
import { isRuntimeTrace, normalizeRuntimeEvents } from './runtime-events.ts';
import { assignSessions } from './sessions.ts';
import { formatMicros } from './time-axis.ts';
import { numberField, textField, type TraceEvent } from './trace-event.ts';

export type ArrowKind = 'write' | 'segment' | 'ack' | 'connect' | 'fin' | 'rst';
export type NoteKind = 'log' | 'fact' | 'timer' | 'fire' | 'fault' | 'decision' | 'run' | 'other';

interface ItemBase {
  /** Index of the event the item starts at. */
  readonly event: number;
  readonly t: number;
  readonly conn: string | null;
  readonly session: number | null;
  /** Short text drawn on the diagram. */
  readonly label: string;
  /** Full text (tooltip, step panel). */
  readonly detail: string;
  /** Part of the decisive moment: the improper-pipelining report or the bytes that came too early. */
  decisive: boolean;
  /** A 4xx/5xx reply, a refusal, a reset or a fault. */
  readonly error: boolean;
}

export interface ArrowItem extends ItemBase {
  readonly shape: 'arrow';
  readonly kind: ArrowKind;
  readonly from: string;
  readonly to: string;
  readonly weight: 'bold' | 'thin';
  /** Index of the event where the arrow ends (the segment's `deliver`); the start event when it has no flight time. */
  endEvent: number;
  tEnd: number;
}

export interface NoteItem extends ItemBase {
  readonly shape: 'note';
  readonly kind: NoteKind;
  /** The lane the note stands beside, or null for run-level notes. */
  readonly lane: string | null;
}

export type DiagramItem = ArrowItem | NoteItem;

export interface SessionSummary {
  readonly id: number;
  readonly clientConn: string;
  readonly conns: readonly string[];
  readonly startUs: number;
  /** First 4xx/5xx reply the client got, else its last reply before 221 Bye; null before any reply. */
  readonly outcome: string | null;
  /** Whether Postfix found improper pipelining in this session. */
  readonly decisive: boolean;
}

export interface Diagram {
  readonly lanes: readonly string[];
  readonly items: readonly DiagramItem[];
  readonly sessions: readonly SessionSummary[];
  readonly decisive: readonly (DecisiveMoment & { readonly session: number | null })[];
}

export function buildDiagram(recorded: readonly TraceEvent[]): Diagram {
  const events = isRuntimeTrace(recorded) ? normalizeRuntimeEvents(recorded) : recorded;
  const table = connectionTable(events);
  const { spans, sessionOf } = assignSessions(events, table);
  const items: DiagramItem[] = [];
  const inFlight = new Map<string, ArrowItem[]>();

  events.forEach((event, index) => {
    const conn = textField(event, 'conn') ?? null;
    const ends = conn === null ? undefined : table.conns.get(conn);
    const { from, to } = direction(event, ends);
    const session = sessionOf[index] ?? null;
    // Plain literals with one fixed key order keep items one hidden class (a spread made this 10x slower).
    const arrow = (kind: ArrowKind, arrowFrom: string, arrowTo: string, weight: 'bold' | 'thin', label: string, detail: string, error = false): ArrowItem => {
      const item: ArrowItem = { event: index, t: event.t, conn, session, label, detail, decisive: false, error, shape: 'arrow', kind, from: arrowFrom, to: arrowTo, weight, endEvent: index, tEnd: event.t };
      items.push(item);
      return item;
    };
    const note = (kind: NoteKind, lane: string | null, label: string, detail = label, error = false): void => {
      items.push({ event: index, t: event.t, conn, session, label: clip(label), detail, decisive: false, error, shape: 'note', kind, lane });
    };

    switch (event.kind) {
      case 'connect': {
        const target = ends?.acceptor ?? (table.lanes.includes(to) ? to : '?');
        arrow('connect', from, target, 'thin', `connect ${conn ?? ''}`.trim(), `connect ${conn ?? ''} to ${describeRecord(event.remote ?? event.to)}`);
        break;
      }
      case 'refused':
        note('other', from, `connection refused: ${describeRecord(event.remote ?? event.to)}`, `connect ${conn ?? ''} refused: ${describeRecord(event.remote ?? event.to)}`, true);
        break;
      case 'accept':
      case 'connected':
      case 'listen':
        break; // the connect arrow already shows the handshake; these only name the ends
      case 'write': {
        const data = textField(event, 'data') ?? '';
        const code = replyCode(data);
        arrow('write', from, to, 'bold', writeLabel(data), escapeBytes(data), code !== null && code >= '400');
        break;
      }
      case 'segment': {
        const len = numberField(event, 'len') ?? textField(event, 'data')?.length ?? 0;
        const flags = textField(event, 'flags') ?? '';
        const seq = textField(event, 'seq');
        const label = `${flags ? `[${flags}] ` : ''}${seq !== undefined ? `seq=${seq} ` : ''}len=${len}`;
        const data = textField(event, 'data');
        const item = arrow('segment', from, to, 'thin', label, data ? `${label} ${escapeBytes(data)}` : label);
        // Only segments carrying bytes or a FIN are reported delivered (sim/tcp/connection.ts, arrive()).
        if (len > 0 || flags.includes('F')) {
          const key = flightKey(event, from);
          inFlight.set(key, [...(inFlight.get(key) ?? []), item]);
        }
        break;
      }
      case 'deliver': {
        const key = flightKey(event, from);
        const waiting = inFlight.get(key);
        const item = waiting?.shift();
        if (item) {
          item.endEvent = index;
          item.tEnd = event.t;
        }
        break;
      }
      case 'ack': {
        const why = textField(event, 'why');
        const ackNo = textField(event, 'ack');
        const label = `ACK${ackNo !== undefined ? ` ${ackNo}` : ''}${why ? ` (${why})` : ''}`;
        arrow('ack', from, to, 'thin', label, label);
        break;
      }
      case 'fin': {
        if (textField(event, 'why') === 'received') {
          note('other', to, `FIN received on ${conn ?? '?'}`);
          break;
        }
        const how = textField(event, 'how');
        const label = `FIN${how ? ` (${how})` : ''}`;
        arrow('fin', from, to, 'thin', label, `${label} on ${conn ?? '?'}`);
        break;
      }
      case 'rst':
        if (textField(event, 'why') === 'received') note('other', to, `RST received on ${conn ?? '?'}`, `RST received on ${conn ?? '?'}`, true);
        else arrow('rst', from, to, 'thin', 'RST', `RST on ${conn ?? '?'}${textField(event, 'why') ? ` (${textField(event, 'why')})` : ''}`, true);
        break;
      case 'log': {
        const program = textField(event, 'program');
        const line = textField(event, 'line') ?? '';
        const text = program ? `${program}: ${line}` : line;
        note('log', eventNode(event) ?? null, text, text, /\b(error|fatal|warning|failed)\b/i.test(line));
        break;
      }
      case 'fact':
        note('fact', eventNode(event) ?? null, `fact ${describeRecord(event.fact)}`);
        break;
      case 'timer': {
        const name = textField(event, 'timer') ?? textField(event, 'name') ?? '?';
        const at = numberField(event, 'at');
        const text = at === undefined ? `timer ${name} cancelled` : `timer ${name} set for ${formatMicros(at)}`;
        note('timer', eventNode(event) ?? null, text);
        break;
      }
      case 'fire':
        note('fire', eventNode(event) ?? null, `timer ${textField(event, 'timer') ?? textField(event, 'name') ?? '?'} fired`);
        break;
      case 'fault': {
        const { t: _t, kind: _kind, ...rest } = event;
        note('fault', eventNode(event) ?? null, `fault ${describeRecord(rest)}`, `fault ${JSON.stringify(rest)}`, true);
        break;
      }
      case 'limit':
      case 'error':
        note('fault', eventNode(event) ?? null, `${event.kind} ${textField(event, 'what') ?? textField(event, 'message') ?? ''}`.trim(), JSON.stringify(event), true);
        break;
      case 'decision':
        note('decision', eventNode(event) ?? ends?.initiator ?? null, `decision ${textField(event, 'name') ?? '?'}=${describeRecord(event.value)}`);
        break;
      case 'run':
        note('run', null, `run seed=${describeRecord(event.seed)}`, `run ${JSON.stringify(event)}`);
        break;
      default:
        note('other', eventNode(event) ?? null, `${event.kind} ${describeRecord(event)}`);
    }
  });

  const moments = findDecisiveMoments(events).map((moment) => ({ ...moment, session: sessionOf[moment.eventIndex] ?? null }));
  const decisiveStarts = new Set(moments.flatMap((m) => [...m.reportEvents, ...(m.earlyWrite === null ? [] : [m.earlyWrite])]));
  const decisiveEnds = new Set(moments.flatMap((m) => (m.earlyEvent === null ? [] : [m.earlyEvent])));
  for (const item of items) {
    if (decisiveStarts.has(item.event) || (item.shape === 'arrow' && decisiveEnds.has(item.endEvent))) item.decisive = true;
  }
  const sessionsWithMoments = new Set(moments.map((m) => m.session));
  const repliesByConn = new Map<string, ArrowItem[]>();
  for (const item of items) {
    if (item.shape === 'arrow' && item.kind === 'write' && item.conn !== null && replyCode(item.detail) !== null) {
      repliesByConn.set(item.conn, [...(repliesByConn.get(item.conn) ?? []), item]);
    }
  }

  const sessions = spans.map((span): SessionSummary => {
    const first = events[span.firstEvent]!;
    return {
      id: span.id,
      clientConn: span.clientConn,
      conns: span.conns,
      startUs: first.t,
      outcome: clientOutcome(repliesByConn.get(span.clientConn) ?? [], table.conns.get(span.clientConn)?.initiator ?? null),
      decisive: sessionsWithMoments.has(span.id),
    };
  });

  return {
    lanes: table.lanes,
    items,
    sessions,
    decisive: moments,
  };
}

/**
 * Sender and receiver of a connection-level event. The simulator names them differently per
 * kind (sim/simulation.ts, sim/tcp/connection.ts): write/segment `from`+`to`, ack `from`,
 * deliver `to`, fin/rst(abort)/connect `node` for the sender, rst(received) `node` for the receiver.
 */
function direction(event: TraceEvent, ends: Endpoints | undefined): { from: string; to: string } {
  const peerOf = (node: string): string => (ends ? (ends.initiator === node ? ends.acceptor : ends.initiator) : null) ?? '?';
  const from = textField(event, 'from');
  const to = textField(event, 'to');
  const node = textField(event, 'node');
  if (from !== undefined) return { from, to: to ?? peerOf(from) };
  if (to !== undefined) return { from: peerOf(to), to };
  if (event.kind === 'rst' && textField(event, 'why') === 'received' && node !== undefined) return { from: peerOf(node), to: node };
  const sender = node ?? ends?.initiator ?? '?';
  return { from: sender, to: peerOf(sender) };
}

/** Segments and their deliveries meet on connection, sender, and sequence number. */
function flightKey(event: TraceEvent, from: string): string {
  return `${textField(event, 'conn') ?? ''}|${from}|${textField(event, 'seq') ?? ''}`;
}

function clientOutcome(connReplies: readonly ArrowItem[], client: string | null): string | null {
  const replies = connReplies.filter((item) => item.to === client);
  const failed = replies.find((item) => replyCode(item.detail)! >= '400');
  const beforeBye = replies.filter((item) => replyCode(item.detail) !== '221');
  const chosen = failed ?? beforeBye[beforeBye.length - 1] ?? replies[replies.length - 1];
  return chosen ? (chosen.detail.split('\\r\\n')[0] ?? chosen.detail) : null;
}
