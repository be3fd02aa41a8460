/* sessions - one session per client connection, with the backend work it caused
 *
 * A client connection is one opened by a node that never accepts connections (the
 * client). Every other connection (front -> postfix, front -> auth, including the
 * reconnects Dovecot's login proxy makes after a 554) belongs to the most recent client
 * session still open when it was opened. Events without a connection (timers, log lines,
 * facts) belong to the open session on their node, else to the latest open session.
 */
import { eventNode, type ConnectionTable } from './connections.ts';
import { textField, type TraceEvent } from './trace-event.ts';

export interface SessionSpan {
  /** 1-based, in order of the client connections' first events. */
  readonly id: number;
  readonly clientConn: string;
  readonly conns: string[];
  readonly firstEvent: number;
  lastEvent: number;
}

export interface SessionAssignment {
  readonly spans: readonly SessionSpan[];
  /** For each event index: its session id, or null for run-level events before any session. */
  readonly sessionOf: readonly (number | null)[];
}

export function assignSessions(events: readonly TraceEvent[], table: ConnectionTable): SessionAssignment {
  const acceptors = new Set<string>();
  for (const ends of table.conns.values()) if (ends.acceptor !== null) acceptors.add(ends.acceptor);

  const ordered = [...table.conns.entries()].sort((a, b) => a[1].firstEvent - b[1].firstEvent);
  const spans: SessionSpan[] = [];
  const sessionOfConn = new Map<string, SessionSpan>();
  for (const [conn, ends] of ordered) {
    const isClientConn = ends.initiator !== null && !acceptors.has(ends.initiator);
    if (isClientConn || spans.length === 0) {
      const span: SessionSpan = { id: spans.length + 1, clientConn: conn, conns: [conn], firstEvent: ends.firstEvent, lastEvent: ends.lastEvent };
      spans.push(span);
      sessionOfConn.set(conn, span);
      continue;
    }
    const open = latestOpenAt(spans, ends.firstEvent) ?? spans[spans.length - 1]!;
    open.conns.push(conn);
    open.lastEvent = Math.max(open.lastEvent, ends.lastEvent);
    sessionOfConn.set(conn, open);
  }

  // One sweep over the events with the sessions open at each index (spans are in start order).
  const sessionOf: (number | null)[] = [];
  let open: SessionSpan[] = [];
  let started = 0;
  events.forEach((event, index) => {
    while (started < spans.length && spans[started]!.firstEvent <= index) open.push(spans[started++]!);
    if (open.some((span) => span.lastEvent < index)) open = open.filter((span) => span.lastEvent >= index);
    const conn = textField(event, 'conn');
    const byConn = conn === undefined ? undefined : sessionOfConn.get(conn);
    if (byConn) {
      sessionOf.push(byConn.id);
      return;
    }
    const node = eventNode(event);
    const onNode = open.filter((span) => span.conns.some((c) => touches(table, c, node)));
    const chosen = onNode[onNode.length - 1] ?? open[open.length - 1] ?? spans[started - 1];
    sessionOf.push(chosen ? chosen.id : null);
  });
  return { spans, sessionOf };
}

function touches(table: ConnectionTable, conn: string, node: string | undefined): boolean {
  const ends = table.conns.get(conn);
  return ends !== undefined && node !== undefined && (ends.initiator === node || ends.acceptor === node);
}

function latestOpenAt(spans: readonly SessionSpan[], index: number): SessionSpan | undefined {
  for (let i = spans.length - 1; i >= 0; i--) {
    const span = spans[i]!;
    if (span.firstEvent <= index && index <= span.lastEvent) return span;
  }
  return undefined;
}
