/* hooks - what the simulator tells an explorer while it runs, and the one thing it lets it decide
 *
 * Only `smtp-lab explore` passes an explorer (SimulationOptions.explorer); a seeded run has none
 * and never reaches these calls.
 */
import type { Input, Micros } from '../../models/contract.ts';
import type { SimEvent } from '../sim-event.ts';
import type { ExplorationView } from '../simulation.ts';

export interface SimulationExplorer {
  /** Called once by the Simulation's constructor: how to read its state (state-digest.ts) at a decision. */
  attach(view: () => ExplorationView): void;
  /** The model of node `node` is about to handle `input` at `now`: its state is the sequence of these. */
  modelInput(node: number, now: Micros, input: Input): void;
  /**
   * Two or more events are due at the same virtual time, listed in the order they were queued
   * (the order a seeded run takes): the index of the one to run now. The others stay queued in their order.
   */
  nextOf(due: readonly SimEvent[]): number;
  /** `event` runs now (stale timers included: the run skips those itself). */
  dispatching(event: SimEvent): void;
}
