/* explore-scenario - `smtp-lab explore`'s engine: every schedule of a scenario within bounds, judged by one property
 *
 * The space is the product of the parameter points and fault placement sets (space.ts); for each
 * such case the simulator's decisions and the order of simultaneous dependent events are
 * enumerated depth-first (sim/explore/dfs.ts) and every schedule that runs to the end is judged
 * by the property's verdict. Deterministic: the same options give the same counts, the same
 * failing schedules and the same shortest one, on one thread or many (explore-case.ts: cases
 * are enumerated anywhere, then folded here in case order under the run budget).
 */
import type { ChoicePoint } from '../../sim/explore/choice-sequence.ts';
import type { Scenario } from '../../scenarios/index.ts';
import type { LabCase } from '../lab-case.ts';
import { portableScenario, type Executor } from '../parallel/executor.ts';
import type { LabProperty } from '../suite.ts';
import {
  exploreCase, explorationPlan, fitsBudget, shorter, type CaseResult, type ExplorationPlan, type ExploreBoundsOptions, type JudgedCandidate,
} from './explore-case.ts';
import type { FaultPlacement, ParameterAxis } from './space.ts';

export { replaySchedule, type ExploreBoundsOptions } from './explore-case.ts';

export interface ExploreOptions extends ExploreBoundsOptions {
  readonly scenario: Scenario;
  readonly property: LabProperty;
  /** Called after each case (parameter point × fault set). */
  readonly onCase?: (done: number, total: number) => void;
}

/** A schedule whose verdict was not null: the failure (forall) or the sought trace (exists). */
export interface JudgedSchedule {
  readonly labCase: LabCase;
  readonly placements: readonly FaultPlacement[];
  /** The choice index at each branching decision up to the last deviation (the rest take their default). */
  readonly choices: readonly number[];
  readonly deviations: number;
  /** The decisions that left their default, in order. */
  readonly deviated: readonly (ChoicePoint & { readonly at: number })[];
  readonly verdict: string;
  readonly endedAtUs: number;
}

export interface ExploreOutcome {
  readonly property: LabProperty;
  readonly scenario: string;
  readonly axes: readonly ParameterAxis[];
  readonly placements: number;
  readonly cases: number;
  readonly casesRun: number;
  readonly schedules: number;
  readonly pruned: number;
  readonly states: number;
  /** Schedules whose verdict was not null. */
  readonly judged: number;
  /** Schedules on which the lab itself threw (a model, or the step bound): never a pass, nor a find. */
  readonly crashed: number;
  /** The shortest crash if there was one, else the shortest judged schedule. */
  readonly shortest: JudgedSchedule | null;
  /** Every case ran to the end of its enumeration (maxRuns did not stop it). */
  readonly complete: boolean;
  readonly deviationBoundHit: boolean;
  readonly decisionBoundHit: boolean;
  /** exists: found; forall: no failing schedule and the enumeration complete. */
  readonly ok: boolean;
}

/** Every case of the plan in order, each answer from `answerOf` (enumerated under the run budget left, or one that fits it). */
export function foldCases(plan: ExplorationPlan, answerOf: (index: number, left: number) => CaseResult, onCase?: ExploreOptions['onCase']): ExploreOutcome {
  const totals = { schedules: 0, pruned: 0, states: 0, judged: 0, crashed: 0, casesRun: 0 };
  let complete = true;
  let deviationBoundHit = false;
  let decisionBoundHit = false;
  let shortest: JudgedCandidate | null = null;
  let shortestCrash: JudgedCandidate | null = null;
  for (let index = 0; index < plan.cases.length; index++) {
    const left = plan.bounds.maxRuns - totals.schedules - totals.pruned;
    if (left <= 0) {
      complete = false;
      break;
    }
    const answer = answerOf(index, left);
    totals.schedules += answer.counts.schedules;
    totals.pruned += answer.counts.pruned;
    totals.states += answer.counts.states;
    totals.judged += answer.judged;
    totals.crashed += answer.crashed;
    totals.casesRun++;
    if (answer.shortest && shorter(answer.shortest, shortest)) shortest = answer.shortest;
    if (answer.shortestCrash && shorter(answer.shortestCrash, shortestCrash)) shortestCrash = answer.shortestCrash;
    complete &&= answer.counts.complete;
    deviationBoundHit ||= answer.counts.deviationBoundHit;
    decisionBoundHit ||= answer.counts.decisionBoundHit;
    onCase?.(totals.casesRun, plan.cases.length);
  }
  const { property } = plan;
  const ok = totals.crashed === 0 && (property.kind === 'exists' ? totals.judged > 0 : totals.judged === 0 && complete);
  const best = shortestCrash ?? shortest;
  return {
    property, scenario: plan.scenario.name, axes: plan.axes, placements: plan.placements.length, cases: plan.cases.length, ...totals,
    shortest: best === null ? null : judgedSchedule(plan, best), complete, deviationBoundHit, decisionBoundHit, ok,
  };
}

function judgedSchedule(plan: ExplorationPlan, candidate: JudgedCandidate): JudgedSchedule {
  const { labCase, placements } = plan.cases[candidate.caseIndex]!;
  return {
    labCase, placements, choices: candidate.choices, deviations: candidate.deviations, deviated: candidate.deviated, verdict: candidate.verdict,
    endedAtUs: candidate.endedAtUs ?? Infinity,
  };
}

export function exploreScenario(options: ExploreOptions): ExploreOutcome {
  const plan = explorationPlan(options.scenario, options.property, options);
  return foldCases(plan, (index, left) => exploreCase(plan, index, left), options.onCase);
}

/** The plan's cases `indices` over the executor's threads, each under the whole run budget (a shard's share, or all of them). */
export async function exploreCasesOn(executor: Executor, plan: ExplorationPlan, indices: readonly number[], onDone?: (done: number) => void): Promise<CaseResult[]> {
  const scenario = portableScenario(plan.scenario);
  let done = 0;
  return Promise.all(indices.map(async (index) => {
    const answer = executor.inThisThread
      ? exploreCase(plan, index, plan.bounds.maxRuns)
      : await executor.run<'explore-case'>({ kind: 'explore-case', scenario, property: plan.property.id, bounds: plan.bounds, index });
    onDone?.(++done);
    return answer;
  }));
}

/** The fold over answers enumerated elsewhere: an answer that does not fit the budget left is enumerated again here. */
export function foldAnswers(plan: ExplorationPlan, answers: readonly CaseResult[], onCase?: ExploreOptions['onCase']): ExploreOutcome {
  const byIndex = new Map(answers.map((answer) => [answer.index, answer]));
  return foldCases(plan, (index, left) => {
    const answer = byIndex.get(index);
    return answer !== undefined && fitsBudget(answer, left) ? answer : exploreCase(plan, index, left);
  }, onCase);
}

/** The exploration over the executor's threads: the same outcome as exploreScenario. */
export async function exploreScenarioOn(executor: Executor, options: ExploreOptions): Promise<ExploreOutcome> {
  const plan = explorationPlan(options.scenario, options.property, options);
  if (executor.inThisThread) return foldCases(plan, (index, left) => exploreCase(plan, index, left), options.onCase);
  const answers = await exploreCasesOn(executor, plan, plan.cases.map((_, index) => index), (done) => options.onCase?.(done, plan.cases.length));
  return foldAnswers(plan, answers);
}
