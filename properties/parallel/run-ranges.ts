/* run-ranges - a fast-check run space cut into index ranges: each evaluated anywhere, combined in index order
 *
 * Why this gives one worker's answer (issue 14 §3, docs/scale.md): fast-check's run i is a pure
 * function of (seed, i). Its tosser jumps the seeded generator once per run and generates run i
 * from that state (fast-check 4 `toss`/`lazyToss`), and `path: "i"` regenerates run i without
 * running 0..i-1 (`pathWalk`: `drop(i)` on lazy producers). So runs [a, b) evaluated in another
 * thread or on another machine are the runs a single `fc.check` would have made, and the first
 * failing run in index order is the one it would have stopped at. Its shrinking (check.ts,
 * `concludeSearch`) starts from `path: "f"` in one thread: shrink steps do not count against
 * numRuns (RunnerIterator swaps its source for the shrink stream), and the path fast-check
 * reports is the offset path merged with the shrink path (RunExecution.mergePaths), so the
 * counterexample, its path and its shrink count are the sequential run's.
 *
 * A summary of a range keeps what the sequential run keeps: the coverage classes of the runs
 * up to and including the first failure (a run that crashed the lab is not classified, as in
 * check.ts), and that failure. Summaries combine in index order; a failure ends the sum.
 */
import fc from 'fast-check';
import type { Scenario } from '../../scenarios/index.ts';
import { labCase } from '../arbitraries/lab-case.ts';
import { classify, type CoverageClass } from '../coverage.ts';
import { runResolvedCase, scenarioFor, type LabCase } from '../lab-case.ts';
import type { LabProperty } from '../suite.ts';
import { releaseCandidates } from '../release-scope.ts';

/** What the predicate threw when the verdict was not null: fast-check shrinks on it. */
export class VerdictFailure extends Error {
  override readonly name = 'VerdictFailure';
}

/** The first failing run of a range: fast-check's path to it, and whether it was a verdict (else the lab threw). */
export interface RunFailure {
  readonly path: string;
  readonly verdict: boolean;
}

export interface RunsSummary {
  /** The run indices covered, [start, end); a range stops early at its failure (end = failure + 1). */
  readonly start: number;
  readonly end: number;
  /** Runs classified (every run up to the failure; a run that threw is not). */
  readonly classified: number;
  /** Coverage class counts in the order the classes were first met. */
  readonly counts: readonly (readonly [CoverageClass, number])[];
  readonly failure: RunFailure | null;
}

/** The property's predicate: run the case, judge it, throw VerdictFailure on a non-null verdict; `seen` sees each judged run's classes first. */
export function searchPredicate(property: LabProperty, scenario: Scenario, seen?: (classes: CoverageClass[], failed: boolean) => void) {
  return fc.property(labCase({ faults: property.faults, releases: releaseCandidates(property, scenario) }), (generated: LabCase) => {
    const ran = scenarioFor(scenario, generated);
    const report = runResolvedCase(ran, generated);
    const verdict = property.verdict(generated, report, ran);
    seen?.(classify(ran, generated, report), verdict !== null);
    if (verdict !== null) throw new VerdictFailure(verdict);
  });
}

export interface RangeOptions {
  readonly seed: number;
  /** fast-check path of the first run: "i" for run i, or a replay token's path. */
  readonly path: string;
  readonly numRuns: number;
  /** Called with the number of runs classified so far in this range. */
  readonly onRun?: (classified: number) => void;
}

/** Evaluate runs from `path` on, stopping at the first failure (no shrinking). */
export function evaluateRuns(property: LabProperty, scenario: Scenario, options: RangeOptions): RunsSummary {
  const counts = new Map<CoverageClass, number>();
  let classified = 0;
  const predicate = searchPredicate(property, scenario, (classes) => {
    classified++;
    for (const c of classes) counts.set(c, (counts.get(c) ?? 0) + 1);
    options.onRun?.(classified);
  });
  const details = fc.check(predicate, { seed: options.seed, path: options.path, numRuns: options.numRuns, endOnFailure: true });
  const start = Number(options.path.split(':')[0]);
  const failure = details.failed ? { path: details.counterexamplePath as string, verdict: details.errorInstance instanceof VerdictFailure } : null;
  const end = failure === null ? start + options.numRuns : Number(failure.path.split(':')[0]) + 1;
  return { start, end, classified, counts: [...counts], failure };
}

/** Runs [start, start + count) of the property, stopping at the first failure. */
export function evaluateRange(property: LabProperty, scenario: Scenario, seed: number, start: number, count: number): RunsSummary {
  return evaluateRuns(property, scenario, { seed, path: String(start), numRuns: count });
}

/** Class counts of `a` then `b`, each class in the order first met. */
export function mergeCounts<K>(a: readonly (readonly [K, number])[], b: readonly (readonly [K, number])[]): [K, number][] {
  const merged = new Map<K, number>(a);
  for (const [key, n] of b) merged.set(key, (merged.get(key) ?? 0) + n);
  return [...merged];
}

/** `a` followed by `b` (b starts where a ends): what one evaluation of both ranges would have given. */
export function combineRuns(a: RunsSummary, b: RunsSummary): RunsSummary {
  if (a.failure !== null) return a;
  if (b.start !== a.end) throw new Error(`run ranges do not follow each other: [${a.start}, ${a.end}) then [${b.start}, ${b.end})`);
  return { start: a.start, end: b.end, classified: a.classified + b.classified, counts: mergeCounts(a.counts, b.counts), failure: b.failure };
}

/** The empty range at `start`: the unit of combineRuns. */
export function noRuns(start: number): RunsSummary {
  return { start, end: start, classified: 0, counts: [], failure: null };
}
