/* hooks - what the simulator tells an explorer while it runs, and the one thing it lets it decide
 *
 * Only `smtp-lab explore` passes an explorer (SimulationOptions.explorer); a seeded run has none
 * and never reaches these calls.
 */
import type { Input, Micros } from '../../models/contract.ts';
import type { SimEvent } from '../sim-event.ts';

export interface SimulationExplorer {
  /** The model of node `node` is about to handle `input` at `now`: its state is the sequence of these. */
  modelInput(node: number, now: Micros, input: Input): void;
  /**
   * The events due at the same virtual time, in the order they were queued (the order a seeded
   * run takes): the index of the one to run now. The others stay queued in their order.
   */
  nextOf(due: readonly SimEvent[]): number;
}
