/* runtime-events - read the socket runtime's events (smtp-lab serve) in the simulator's vocabulary
 *
 * runtime/socket/events.ts names connections per node (each model names its own outgoing
 * ones) and records each side separately: `write` and `recv` on the node that did them,
 * `fin`/`rst` with from 'local'|'peer'. Real clients (swaks) and real servers (Postfix on
 * :10025 with --backend real) are no node at all. This maps every event one to one (so
 * event indexes stay those of the original trace) onto the sim's shapes: one connection id
 * for both ends, `from`/`to` on writes, and lanes for the outside peers: "client" for
 * whoever connects to a node from outside, "host:port" for a server no node listens on.
 * A node's outgoing connection to another node is paired with that node's next accept.
 */
import { textField, type TraceEvent } from './trace-event.ts';

/** The outside lane for real clients. */
export const EXTERNAL_CLIENT = 'client';

/** A trace from the socket runtime (rather than the simulator). */
export function isRuntimeTrace(events: readonly TraceEvent[]): boolean {
  return events.some((event) => event.kind === 'recv' || event.kind === 'listen' || event.kind === 'connected');
}

interface ConnView {
  /** The id both ends share in the mapped trace. */
  readonly id: string;
  /** The lane on the other end. */
  readonly peer: string;
  /** Whether the other end is a node that records its own writes. */
  readonly peerIsNode: boolean;
}

export function normalizeRuntimeEvents(events: readonly TraceEvent[]): TraceEvent[] {
  const listeners = new Map<string, string>();
  const awaitingAccept = new Map<string, { node: string; id: string }[]>();
  const views = new Map<string, ConnView>();
  const keyOf = (node: string, conn: string) => `${node}\u0000${conn}`;
  // The runtime's ids are usually unique already ("front<1", "front:backend3"); one another node
  // also uses gets that node's name in front.
  const ownerOfId = new Map<string, string>();
  const ownId = (node: string, conn: string): string => {
    const owner = ownerOfId.get(conn) ?? node;
    ownerOfId.set(conn, owner);
    return owner === node ? conn : `${node}/${conn}`;
  };

  return events.map((event): TraceEvent => {
    const node = textField(event, 'node') ?? '?';
    const conn = textField(event, 'conn');
    const view = conn === undefined ? undefined : views.get(keyOf(node, conn));
    const id = view?.id ?? (conn === undefined ? undefined : ownId(node, conn));
    const { t } = event;
    switch (event.kind) {
      case 'listen':
        listeners.set(`${textField(event, 'host')}:${textField(event, 'port')}`, node);
        return event;
      case 'connect': {
        const to = event.to as { host?: unknown; port?: unknown } | undefined;
        const address = `${String(to?.host)}:${String(to?.port)}`;
        const target = listeners.get(address);
        views.set(keyOf(node, conn!), { id: id!, peer: target ?? address, peerIsNode: target !== undefined });
        if (target !== undefined) awaitingAccept.set(target, [...(awaitingAccept.get(target) ?? []), { node, id: id! }]);
        return { t, kind: 'connect', conn: id, node, remote: event.to, ...(target === undefined ? { to: address } : {}) };
      }
      case 'accept': {
        const opener = awaitingAccept.get(node)?.shift();
        const mapped: ConnView = opener ? { id: opener.id, peer: opener.node, peerIsNode: true } : { id: id!, peer: EXTERNAL_CLIENT, peerIsNode: false };
        views.set(keyOf(node, conn!), mapped);
        return { t, kind: 'accept', conn: mapped.id, node, remote: event.remote, ...(opener ? {} : { from: EXTERNAL_CLIENT }) };
      }
      case 'write':
        return { t, kind: 'write', conn: id, from: node, to: view?.peer ?? '?', len: event.len, data: event.data };
      case 'recv':
        // Bytes from another node were already drawn at its write; bytes from outside are drawn when they arrive.
        if (view?.peerIsNode) return { t, kind: 'deliver', conn: id, to: node, len: event.len };
        return { t, kind: 'write', conn: id, from: view?.peer ?? '?', to: node, len: event.len, data: event.data };
      case 'fin':
      case 'rst': {
        if (event.from === 'local') return { t, kind: event.kind, conn: id, node };
        if (view?.peerIsNode) return { t, kind: event.kind, conn: id, node, why: 'received' };
        return { t, kind: event.kind, conn: id, from: view?.peer ?? '?', to: node };
      }
      case 'refused':
        return { t, kind: 'refused', conn: id, node, remote: event.reason };
      case 'connected':
      case 'log':
      case 'fact':
      case 'limit':
      case 'error':
        return conn === undefined ? event : { ...event, conn: id };
      default:
        return event;
    }
  });
}
