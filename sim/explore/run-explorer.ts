/* run-explorer - one simulated run driven by a choice sequence: the Simulation's explorer and choice source
 *
 * Passed to a Simulation as both `choices` and `explorer` (SimulationOptions). It forwards every
 * decision to the run's ChoiceSequence, keeps each model's input digest and the event being
 * processed, and gives the sequence the state key of each new branching decision
 * (state-digest.ts).
 * Simultaneous events: the queue runs events due at the same microsecond in insertion order.
 * Two such events commute when they are independent, touching neither the same node nor the same
 * connection (an arrival touches its endpoint's node and its connection, a timer its node, a
 * scheduled link action everything, a stale timer nothing): running them in either order gives
 * the same state, so only orders that differ on a dependent pair are enumerated (partial-order
 * reduction with this static relation): an event may run first only when it depends on an event
 * queued before it. Limit: with tcp.one_way_delay_us = 0 a write can land in the same instant on
 * another connection's peer, which this relation calls independent.
 */
import type { Input, Micros } from '../../models/contract.ts';
import type { ChoiceSource } from '../choices.ts';
import type { SimEvent } from '../sim-event.ts';
import type { ExplorationView } from '../simulation.ts';
import type { ChoiceSequence } from './choice-sequence.ts';
import { Digest, digestValue } from './digest.ts';
import type { SimulationExplorer } from './hooks.ts';
import { isLive, stateKey } from './state-digest.ts';

export class RunExplorer implements ChoiceSource, SimulationExplorer {
  private view: (() => ExplorationView) | null = null;
  private readonly modelInputs: Digest[] = [];
  private event: SimEvent | null = null;
  /** Events popped together while their order is being chosen; empty otherwise. */
  private due: readonly SimEvent[] = [];
  /** Decisions taken since the current event began. */
  private ordinal = 0;

  constructor(private readonly sequence: ChoiceSequence) {
    sequence.stateKey = (decision) => this.key(decision);
  }

  attach(view: () => ExplorationView): void {
    this.view = view;
  }

  modelInput(node: number, now: Micros, input: Input): void {
    const digest = (this.modelInputs[node] ??= new Digest());
    digest.number(now);
    digestValue(digest, input);
  }

  nextOf(due: readonly SimEvent[]): number {
    const nodes = this.readView().nodes;
    const candidates = due.flatMap((event, i) => (i === 0 || (isLive(event, nodes) && due.slice(0, i).some((earlier) => dependent(earlier, event, nodes))) ? [i] : []));
    if (candidates.length === 1) return 0;
    this.event = null;
    this.ordinal = 0;
    this.due = due;
    const chosen = candidates[this.integer('simultaneousEvents', 0, candidates.length - 1)] as number;
    this.due = [];
    return chosen;
  }

  dispatching(event: SimEvent): void {
    this.event = event;
    this.ordinal = 0;
  }

  integer(name: string, min: number, max: number): number {
    this.ordinal++;
    return this.sequence.integer(name, min, max);
  }

  chance(name: string, numerator: number, denominator: number): boolean {
    this.ordinal++;
    return this.sequence.chance(name, numerator, denominator);
  }

  /** The whole run shares one sequence and one count of decisions per event. */
  split(): RunExplorer {
    return this;
  }

  private key(decision: string): string {
    return stateKey({ view: this.readView(), modelInputs: this.modelInputs, event: this.event, due: this.due, decision, ordinal: this.ordinal });
  }

  private readView(): ExplorationView {
    if (this.view === null) throw new Error('RunExplorer: pass it to a Simulation as both `choices` and `explorer` before the run');
    return this.view();
  }
}

/** The node an event acts on, or null for a scheduled link action (it may act on anything). */
function nodeOf(event: SimEvent): number | null {
  switch (event.type) {
    case 'arrive':
    case 'delack':
    case 'kernel':
      return event.conn.ends[event.side].node;
    case 'timer':
    case 'refused':
      return event.node;
    case 'call':
      return null;
  }
}

function dependent(a: SimEvent, b: SimEvent, nodes: ExplorationView['nodes']): boolean {
  if (!isLive(a, nodes)) return false;
  const nodeA = nodeOf(a);
  const nodeB = nodeOf(b);
  if (nodeA === null || nodeB === null || nodeA === nodeB) return true;
  const connA = a.type === 'arrive' || a.type === 'delack' ? a.conn : null;
  return connA !== null && (b.type === 'arrive' || b.type === 'delack') && b.conn === connA;
}
