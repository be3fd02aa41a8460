/* search-in-order - a property's runs over an executor's threads, combined in index order, stopped past the first failure
 *
 * Ranges are handed out in index order, a few per thread ahead; answers are combined in index
 * order as they complete, so the first failure in index order is found even when a later range
 * fails first, and no range past it is handed out. Ranges already running past it are left to
 * finish and ignored. One thread (or none given) evaluates the whole span in this thread.
 */
import type { Scenario } from '../../scenarios/index.ts';
import type { LabProperty } from '../suite.ts';
import { cutRanges, portableScenario, type Executor } from './executor.ts';
import { combineRuns, evaluateRuns, noRuns, type RunsSummary } from './run-ranges.ts';

export interface SearchSpan {
  readonly seed: number;
  readonly start: number;
  readonly count: number;
  /** Runs classified so far, as they are combined. */
  readonly onRun?: (classified: number) => void;
}

/** Ranges in flight per thread: enough to keep each busy while the one before it is combined. */
const AHEAD_PER_WORKER = 2;

export async function searchInOrder(property: LabProperty, scenario: Scenario, span: SearchSpan, executor?: Executor): Promise<RunsSummary> {
  if (span.count === 0) return noRuns(span.start);
  if (executor === undefined || executor.inThisThread) {
    return evaluateRuns(property, scenario, { seed: span.seed, path: String(span.start), numRuns: span.count, ...(span.onRun ? { onRun: span.onRun } : {}) });
  }
  const definition = portableScenario(scenario);
  const ranges = cutRanges(span.start, span.count, executor.workers);
  const pending = new Map<number, Promise<RunsSummary>>();
  let combined = noRuns(span.start);
  let handedOut = 0;
  for (let next = 0; next < ranges.length && combined.failure === null; next++) {
    for (; handedOut < ranges.length && handedOut < next + executor.workers * AHEAD_PER_WORKER; handedOut++) {
      const { start, count } = ranges[handedOut]!;
      pending.set(handedOut, executor.run<'runs'>({ kind: 'runs', property: property.id, scenario: definition, seed: span.seed, start, count }));
    }
    const answer = await pending.get(next)!;
    pending.delete(next);
    combined = combineRuns(combined, answer);
    span.onRun?.(combined.classified);
  }
  // Ranges past the failure: their answers (or errors) are not needed.
  for (const abandoned of pending.values()) abandoned.catch(() => undefined);
  return combined;
}
