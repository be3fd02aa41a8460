/* dfs - enumerate schedules depth-first over choice sequences, within bounds
 *
 * Stateless model checking with state caching: every schedule is a fresh run of `runOne` on a
 * ChoiceSequence; after each run the deepest recorded decision that still has an untried value
 * (within the deviation budget) is advanced and everything after it is dropped, so schedules
 * come in lexicographic order of their choice indices and none is run twice. A run that meets a
 * state explored before, or ends in a state a run ended in before (choice-sequence.ts), counts
 * as pruned, not as a schedule. Bounded by the
 * deviation budget, the decisions recorded per run and the number of runs; which bound cut the
 * enumeration short is part of the result, so a verdict can say what it covers.
 */
import { AlreadyExplored, ChoiceSequence, VisitedStates, type ChoicePoint, type SequenceBounds } from './choice-sequence.ts';

export interface ExploreBounds extends SequenceBounds {
  /** Runs (complete and pruned) before the enumeration stops unfinished. */
  readonly maxRuns: number;
}

export interface Schedule<R> {
  /** The choice index at each branching decision: with the same run function, it replays the schedule. */
  readonly choices: readonly number[];
  /** Decisions that took a value other than their default. */
  readonly deviations: number;
  readonly points: readonly ChoicePoint[];
  readonly result: R;
}

export interface ExplorationCounts {
  /** Runs that went to the end. */
  readonly schedules: number;
  /** Runs stopped at a state explored before, or that ended in a state an earlier run ended in. */
  readonly pruned: number;
  /** Distinct states met at branching decisions. */
  readonly states: number;
  /** Every schedule within the bounds was run (maxRuns did not stop it). */
  readonly complete: boolean;
  /** Some decision had values the deviation budget left untried. */
  readonly deviationBoundHit: boolean;
  /** Some run had more branching decisions than maxDecisions; the later ones took their default. */
  readonly decisionBoundHit: boolean;
}

/** Run every schedule within `bounds`; `onSchedule` sees each run that went to the end, in order. */
export function exploreSchedules<R>(runOne: (choices: ChoiceSequence) => R, bounds: ExploreBounds, onSchedule: (schedule: Schedule<R>) => void): ExplorationCounts {
  const visited = new VisitedStates();
  let prefix: readonly number[] = [];
  let schedules = 0;
  let pruned = 0;
  let deviationBoundHit = false;
  let decisionBoundHit = false;
  for (let runs = 0; runs < bounds.maxRuns; runs++) {
    const sequence = new ChoiceSequence(prefix, bounds, visited);
    try {
      const result = runOne(sequence);
      if (sequence.endedAsBefore()) pruned++;
      else {
        schedules++;
        onSchedule({ choices: sequence.points.map((point) => point.chosen), deviations: sequence.deviations, points: sequence.points, result });
      }
    } catch (error) {
      if (!(error instanceof AlreadyExplored)) throw error;
      pruned++;
    }
    deviationBoundHit ||= sequence.deviationBoundHit;
    decisionBoundHit ||= sequence.decisionBoundHit;
    const next = nextPrefix(sequence.points, bounds.deviations);
    if (next === null) return { schedules, pruned, states: visited.size, complete: true, deviationBoundHit, decisionBoundHit };
    prefix = next;
  }
  return { schedules, pruned, states: visited.size, complete: false, deviationBoundHit, decisionBoundHit };
}

/** The deepest decision with an untried value the budget allows, advanced; null when none is left. */
function nextPrefix(points: readonly ChoicePoint[], deviations: number): number[] | null {
  let deviationsBefore = points.filter((point) => point.chosen > 0).length;
  for (let depth = points.length - 1; depth >= 0; depth--) {
    const point = points[depth] as ChoicePoint;
    if (point.chosen > 0) deviationsBefore--;
    // Any value but the default spends one deviation at this decision.
    if (point.chosen + 1 < point.options && deviationsBefore + 1 <= deviations) {
      return [...points.slice(0, depth).map((p) => p.chosen), point.chosen + 1];
    }
  }
  return null;
}
