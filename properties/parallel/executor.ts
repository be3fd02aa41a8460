/* executor - where a unit of work runs: this thread, or a pool of worker threads (cli/workers/pool.ts)
 *
 * A unit of work is plain data (a task) and its answer is plain data, so it can cross a thread
 * or a machine: scenarios travel as their definitions (resolveScenario of a scenario's own
 * definition gives the same scenario back: same values, same given keys), properties by id.
 * This file knows no threads, so the playground's browser bundle can import what uses it.
 */
import { definitionOf, resolveScenario, type Scenario, type ScenarioDefinition } from '../../scenarios/index.ts';
import type { ExploreBoundsOptions } from '../explore/explore-scenario.ts';
import type { CaseResult } from '../explore/explore-case.ts';
import type { TallySlice } from '../differential.ts';
import type { RunsSummary } from './run-ranges.ts';
import type { CellTally } from '../matrix-cell.ts';

/** Runs [start, start + count) of a property's fast-check search, stopped at the first failure. */
export interface RunsTask {
  readonly kind: 'runs';
  readonly property: string;
  readonly scenario: ScenarioDefinition;
  readonly seed: number;
  readonly start: number;
  readonly count: number;
}

/** Generated traces [start, start + count) of a seed, each run on every scenario (property 4, the demo's table). */
export interface CasesTask {
  readonly kind: 'cases';
  readonly scenarios: readonly ScenarioDefinition[];
  readonly seed: number;
  readonly start: number;
  readonly count: number;
}

/** One case (parameter point × fault placement set) of an exploration, enumerated to the end or to maxRuns. */
export interface ExploreCaseTask {
  readonly kind: 'explore-case';
  readonly scenario: ScenarioDefinition;
  readonly property: string;
  readonly bounds: ExploreBoundsOptions;
  readonly index: number;
}

/** One cell of `smtp-lab matrix`: sessions [seed, seed + runs) of a scenario, counted (properties/matrix-cell.ts). */
export interface MatrixCellTask {
  readonly kind: 'matrix-cell';
  readonly scenario: ScenarioDefinition;
  readonly seed: number;
  readonly runs: number;
}

export interface WorkKinds {
  readonly runs: { readonly task: RunsTask; readonly result: RunsSummary };
  readonly cases: { readonly task: CasesTask; readonly result: TallySlice };
  readonly 'explore-case': { readonly task: ExploreCaseTask; readonly result: CaseResult };
  readonly 'matrix-cell': { readonly task: MatrixCellTask; readonly result: CellTally };
}

export type WorkKind = keyof WorkKinds;
export type WorkTask = WorkKinds[WorkKind]['task'];

export interface Executor {
  /** Threads that run tasks at once. */
  readonly workers: number;
  /** Tasks run in this thread, called directly (no thread to hand them to). */
  readonly inThisThread: boolean;
  run<K extends WorkKind>(task: WorkKinds[K]['task']): Promise<WorkKinds[K]['result']>;
}

/** A scenario as data another thread can resolve again to the same scenario. */
export const portableScenario: (scenario: Scenario) => ScenarioDefinition = definitionOf;

const resolved = new Map<string, Scenario>();

/** The scenario a portable definition stands for; resolved once per thread. */
export function scenarioOf(definition: ScenarioDefinition): Scenario {
  const key = JSON.stringify(definition);
  let scenario = resolved.get(key);
  if (scenario === undefined) resolved.set(key, (scenario = resolveScenario(definition)));
  return scenario;
}

/**
 * `count` items from `start` cut into consecutive ranges for `workers` threads: small ones first
 * (a search that fails early wastes little), doubling up to a size that still gives each
 * thread about four ranges to balance. A range that starts at i costs fast-check i generator
 * jumps to reach (about a microsecond each), so a few large ranges cost less than many small ones.
 * How the space is cut never changes a result.
 */
export function cutRanges(start: number, count: number, workers: number): { start: number; count: number }[] {
  const largest = Math.max(1, Math.ceil(count / (workers * 4)));
  const ranges: { start: number; count: number }[] = [];
  let size = Math.min(largest, 4);
  for (let at = start; at < start + count; at += ranges.at(-1)!.count) {
    ranges.push({ start: at, count: Math.min(size, start + count - at) });
    if (ranges.length % workers === 0) size = Math.min(largest, size * 2);
  }
  return ranges;
}
