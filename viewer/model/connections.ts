/* connections - who is on each end of each connection, and the lanes of the diagram
 *
 * The trace names nodes on connect/accept/write/segment (`from`, `to`) and on log/fact/
 * timer (`node`). Lanes are those nodes, in the order of the chain the lab models
 * (docs/architecture.md): client, front proxy, auth service, Postfix; any other node
 * follows in order of first appearance.
 */
import { textField, type TraceEvent } from './trace-event.ts';

export const CANONICAL_LANES: readonly string[] = ['client', 'front', 'auth', 'postfix'];

/** Event kinds whose `conn` is the simulator's connection label (sim/simulation.ts, sim/tcp/connection.ts). */
const CONNECTION_KINDS: ReadonlySet<string> = new Set(['connect', 'refused', 'accept', 'write', 'segment', 'deliver', 'ack', 'fin', 'rst', 'fault', 'decision']);

export interface Endpoints {
  /** The node that opened the connection (from its `connect` event), when the trace says. */
  initiator: string | null;
  /** The node that accepted it. */
  acceptor: string | null;
  /** Index of the first event naming the connection. */
  readonly firstEvent: number;
  /** Index of the last event naming it. */
  lastEvent: number;
}

export interface ConnectionTable {
  readonly lanes: readonly string[];
  readonly conns: ReadonlyMap<string, Endpoints>;
}

/** The node an event happens on: `node`, else the sender `from`, else the receiver `to` (a delivery). */
export function eventNode(event: TraceEvent): string | undefined {
  return textField(event, 'node') ?? textField(event, 'from') ?? textField(event, 'to');
}

export function connectionTable(events: readonly TraceEvent[]): ConnectionTable {
  const seen: string[] = [];
  const note = (name: string | undefined): void => {
    if (name !== undefined && name !== '' && !seen.includes(name)) seen.push(name);
  };
  const conns = new Map<string, Endpoints>();
  events.forEach((event, index) => {
    const from = textField(event, 'from');
    const to = textField(event, 'to');
    const node = textField(event, 'node');
    note(node);
    note(from);
    note(to);
    const conn = textField(event, 'conn');
    // Log lines and facts carry the model's own name for a connection, which for outgoing
    // connections is not the simulator's; only connection-level events define connections.
    if (conn === undefined || !CONNECTION_KINDS.has(event.kind)) return;
    let ends = conns.get(conn);
    if (!ends) {
      ends = { initiator: null, acceptor: null, firstEvent: index, lastEvent: index };
      conns.set(conn, ends);
    }
    ends.lastEvent = index;
    if (event.kind === 'connect' || event.kind === 'refused') {
      ends.initiator = from ?? node ?? ends.initiator;
    } else if (event.kind === 'accept') {
      // accept happens on the listening node: `node`, else the `to` of the opening side.
      ends.acceptor = node ?? to ?? ends.acceptor;
      if (ends.initiator === null && from !== undefined && from !== ends.acceptor) ends.initiator = from;
    } else if (from !== undefined && to !== undefined) {
      if (ends.initiator === null && ends.acceptor === null) {
        ends.initiator = from;
        ends.acceptor = to;
      } else if (ends.acceptor === null) {
        ends.acceptor = ends.initiator === from ? to : from;
      } else if (ends.initiator === null) {
        ends.initiator = ends.acceptor === from ? to : from;
      }
    }
  });
  for (const ends of conns.values()) {
    note(ends.initiator ?? undefined);
    note(ends.acceptor ?? undefined);
  }
  const lanes = [
    ...CANONICAL_LANES.filter((lane) => seen.includes(lane)),
    ...seen.filter((lane) => !CANONICAL_LANES.includes(lane)),
  ];
  return { lanes, conns };
}
