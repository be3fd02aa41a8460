/* state-digest - the key of a run's state at a decision: what the rest of the run depends on
 *
 * Hashed (digest.ts), at the moment a branching decision is about to be taken:
 *   - each model's state, as the sequence of inputs it has handled with their times: a model is a
 *     deterministic function of that sequence (models/contract.ts: no clock, no randomness), so
 *     equal sequences mean equal state, equal pending outputs and equal logs and facts so far
 *     (which the verdicts read); run-explorer.ts keeps these per node;
 *   - the virtual time, the connection count (it names accepted connections), each node's open
 *     connections, live timers, wake-up state (sim/wakeup.ts, every field) and run-queue state
 *     (sim/run-queue.ts: until when the node waits, how many inputs it holds);
 *   - the run's wall-clock phase (Simulation.wallClockPhaseUs), or that none was drawn: it is in
 *     a model's configuration, not its inputs, and two runs half a second apart in it answer a
 *     failed login at different times from the same inputs;
 *   - every connection's two TCP endpoints (every field of tcp/endpoint.ts: sequence numbers,
 *     Nagle's snd_sml, the delayed-ACK engine, unsent bytes) and its link (per-direction
 *     arrival floor, bandwidth, byte counts, cut, held writes; the faults' drawn parameters);
 *   - the pending events in pop order: segments in flight with their bytes, live delayed-ACK
 *     and model timers (stale ones, which the run skips, are left out), kernel timers (each re-arms
 *     itself or is skipped from the endpoint's fields, which are hashed), refusals; a scheduled
 *     link action ('call': a fault's time trigger, a coalesce flush, the end of a wake-up
 *     freeze) only by its time, as its closure cannot be read;
 *   - the event being processed, and the name and ordinal of the decision within it: decisions
 *     are taken in the middle of an event, and the rest of that event depends on it.
 * Not sound where it conflates: two pending 'call' actions due at the same time but doing
 * different things (among them inputs a node waiting in the run queue holds: seen by count and
 * time, not by their bytes); locals of the event's code computed from a state the digest no longer sees
 * (every decision site reads only the event and the state above); a 64-bit collision.
 */
import type { ExplorationView, NodeView } from '../simulation.ts';
import type { SimEvent } from '../sim-event.ts';
import type { TcpConnection } from '../tcp/connection.ts';
import { Digest, digestValue } from './digest.ts';

export interface DecisionContext {
  readonly view: ExplorationView;
  /** Per node: the digest of the inputs its model handled (run-explorer.ts). */
  readonly modelInputs: readonly (Digest | undefined)[];
  readonly event: SimEvent | null;
  /** Events due at the same time, popped while their order is the decision (run-explorer.ts). */
  readonly due: readonly SimEvent[];
  readonly decision: string;
  /** Decisions already taken while processing this event. */
  readonly ordinal: number;
}

export function stateKey(context: DecisionContext): string {
  const { view } = context;
  const digest = new Digest().name(context.decision).word(context.ordinal).number(view.now).word(view.connCount).number(view.clockPhaseUs ?? -1);
  digestEvent(digest, context.event);
  for (const event of context.due) digestEvent(digest, event);
  const connections = new Set<TcpConnection>();
  for (const node of view.nodes) {
    const inputs = context.modelInputs[node.index];
    if (inputs) digest.absorb(inputs);
    else digest.word(0);
    digestValue(digest, [...node.timers.keys()]);
    if (node.wakeup) digestValue(digest, node.wakeup);
    if (node.runQueue) digestValue(digest, node.runQueue);
    for (const [id, entry] of node.conns) {
      digest.name(id).word(entry.side);
      if (entry.conn === null) digest.word(-1);
      else {
        digest.name(entry.conn.id);
        connections.add(entry.conn);
      }
    }
  }
  for (const conn of connections) {
    digestValue(digest, conn.ends[0]);
    digestValue(digest, conn.ends[1]);
    digestValue(digest, conn.link.explorationState());
  }
  for (const pending of view.pending()) {
    if (isLive(pending.item, view.nodes)) digestEvent(digest.number(pending.time), pending.item);
  }
  return digest.hex();
}

/** A stale model timer (cancelled or re-set) or delayed-ACK timer (the ACK went out another way) changes nothing when it pops. */
export function isLive(event: SimEvent, nodes: readonly NodeView[]): boolean {
  if (event.type === 'timer') return (nodes[event.node] as NodeView).timers.get(event.name) === event.gen;
  if (event.type === 'delack') {
    const end = event.conn.ends[event.side];
    return !end.dead && end.delackGen === event.gen;
  }
  return true;
}

/** An event by what it does; the current one needs no liveness mark, as a stale one takes no decision. */
function digestEvent(digest: Digest, event: SimEvent | null): void {
  if (event === null) {
    digest.name('none');
    return;
  }
  digest.name(event.type);
  switch (event.type) {
    case 'arrive':
      digest.name(event.conn.id).word(event.side);
      digestValue(digest, event.seg);
      return;
    case 'delack':
      digest.name(event.conn.id).word(event.side);
      return;
    case 'kernel':
      digest.name(event.conn.id).word(event.side).name(event.timer);
      return;
    case 'timer':
      digest.word(event.node).name(event.name);
      return;
    case 'refused':
      digest.word(event.node).name(event.conn);
      return;
    case 'call':
      return;
  }
}
