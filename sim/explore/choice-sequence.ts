/* choice-sequence - one explored schedule: the Decider's choices from a sequence of indices
 *
 * A stateless model checker's run (VeriSoft, CHESS): the run starts from scratch, takes the
 * given prefix of choice indices at its first branching decisions and the default (index 0)
 * after it, and records every branching decision it met (name, how many values, which one).
 * The explorer (dfs.ts) turns that record into the next prefix. Decisions with a single
 * representative value are not branching and are not recorded. At each new branching decision
 * the run's state key is looked up: a state already explored with at least the deviations this
 * run has left ends the run (AlreadyExplored), since everything after it has been run before;
 * a run that ends in a state an earlier run ended in is a repeat too (endedAsBefore).
 */
import type { ChoiceSource } from '../choices.ts';
import { chanceRepresentatives, integerRepresentatives } from './representatives.ts';

/** The state key's decision name for the state a run ended in. */
const END_OF_RUN = 'end of run';

export interface ChoicePoint {
  readonly name: string;
  /** How many representative values the decision had here. */
  readonly options: number;
  readonly chosen: number;
}

/** The run reached a state whose every continuation within the budget has been explored. */
export class AlreadyExplored extends Error {
  override readonly name = 'AlreadyExplored';
}

/** States met at branching decisions, with the most deviations that were left when they were explored. */
export class VisitedStates {
  private readonly budgetLeft = new Map<string, number>();

  get size(): number {
    return this.budgetLeft.size;
  }

  /** False when `key` was explored with at least `left` deviations to spare; else remember it. */
  enter(key: string, left: number): boolean {
    const before = this.budgetLeft.get(key);
    if (before !== undefined && before >= left) return false;
    this.budgetLeft.set(key, left);
    return true;
  }
}

export interface SequenceBounds {
  /** Decisions that may take a value other than their default. */
  readonly deviations: number;
  /** Branching decisions recorded per run; later ones take their default and are not enumerated. */
  readonly maxDecisions: number;
}

export class ChoiceSequence implements ChoiceSource {
  readonly points: ChoicePoint[] = [];
  private deviationsUsed = 0;
  /** Some branching decision had alternatives the deviation budget did not allow. */
  deviationBoundHit = false;
  /** The run met more branching decisions than maxDecisions. */
  decisionBoundHit = false;
  /** The run's state at the decision about to be taken, or null for no pruning (run-explorer.ts). */
  stateKey: ((decision: string) => string) | null = null;

  constructor(
    private readonly prefix: readonly number[],
    private readonly bounds: SequenceBounds,
    private readonly visited: VisitedStates,
  ) {}

  get deviations(): number {
    return this.deviationsUsed;
  }

  integer(name: string, min: number, max: number): number {
    const values = integerRepresentatives(name, min, max);
    return values[this.choose(name, values.length)] as number;
  }

  chance(name: string, numerator: number, denominator: number): boolean {
    const values = chanceRepresentatives(name, numerator, denominator);
    return values[this.choose(name, values.length)] as boolean;
  }

  /**
   * After the run: did it end in a state an earlier run ended in? Then it is the same execution
   * as far as anything after it can tell (two orders of events that changed nothing, such as a
   * duplicate ACK before or after a timer), and it is not counted as a schedule of its own.
   */
  endedAsBefore(): boolean {
    return this.stateKey !== null && !this.visited.enter(this.stateKey(END_OF_RUN), 0);
  }

  /** One sequence serves the whole run: the order of its decisions is fixed by the run itself. */
  split(): ChoiceSequence {
    return this;
  }

  private choose(name: string, options: number): number {
    if (options === 1) return 0;
    const depth = this.points.length;
    if (depth >= this.bounds.maxDecisions) {
      this.decisionBoundHit = true;
      return 0;
    }
    const replaying = depth < this.prefix.length;
    const left = this.bounds.deviations - this.deviationsUsed;
    if (!replaying && this.stateKey !== null && !this.visited.enter(this.stateKey(name), left)) throw new AlreadyExplored();
    const chosen = replaying ? (this.prefix[depth] as number) : 0;
    if (chosen >= options) throw new Error(`replay diverged at decision ${depth} (${name}): index ${chosen} of ${options} values; the run is not deterministic`);
    if (chosen > 0) this.deviationsUsed++;
    else if (left === 0) this.deviationBoundHit = true;
    this.points.push({ name, options, chosen });
    return chosen;
  }
}
