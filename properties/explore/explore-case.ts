/* explore-case - one case of an exploration (a parameter point × a fault placement set), enumerated on its own
 *
 * Cases share nothing: each has its own visited states (dfs.ts) and its own schedules, so any
 * thread or machine can enumerate any case, and the exploration's answer is a fold of the case
 * answers in case order (explore-scenario.ts). The only thing cases share is the run budget
 * (--max-runs), which the fold applies: an answer enumerated under a larger budget than the one
 * left is the same answer as long as it used no more runs than are left and was complete
 * (`fitsBudget`); otherwise the fold enumerates that case again under the budget left.
 */
import { exploreSchedules, type ExplorationCounts, type Schedule } from '../../sim/explore/dfs.ts';
import { AlreadyExplored, ChoiceSequence, VisitedStates, type ChoicePoint } from '../../sim/explore/choice-sequence.ts';
import { RunExplorer } from '../../sim/explore/run-explorer.ts';
import type { Scenario, ScenarioValues } from '../../scenarios/index.ts';
import type { RunReport } from '../../scenarios/run.ts';
import { runResolvedCase, scenarioFor, type LabCase } from '../lab-case.ts';
import type { LabProperty } from '../suite.ts';
import {
  exploredCase, faultPlacements, linkFaultsOf, parameterAxes, parameterPoints, placementSets, type FaultPlacement, type ParameterAxis,
} from './space.ts';

export interface ExploreBoundsOptions {
  /** Decisions per schedule that may take a value other than their default. */
  readonly deviations: number;
  /** Fault placements per schedule (k). */
  readonly faults: number;
  /** Branching decisions recorded per run (later ones take their default). */
  readonly maxDecisions: number;
  /** Runs over the whole exploration before it stops unfinished. */
  readonly maxRuns: number;
}

export interface ExploredCase {
  readonly point: Partial<ScenarioValues>;
  readonly placements: readonly FaultPlacement[];
  readonly labCase: LabCase;
}

/** What an exploration enumerates, in order: the same on every thread for the same options. */
export interface ExplorationPlan {
  readonly scenario: Scenario;
  readonly property: LabProperty;
  readonly bounds: ExploreBoundsOptions;
  readonly axes: readonly ParameterAxis[];
  readonly placements: readonly FaultPlacement[];
  readonly cases: readonly ExploredCase[];
}

export function explorationPlan(scenario: Scenario, property: LabProperty, bounds: ExploreBoundsOptions): ExplorationPlan {
  const axes = parameterAxes(scenario);
  // Segment boundaries for fault placements come from the default schedule at the scenario's own values, fault-free.
  const baseline = replaySchedule(scenario, exploredCase(scenario, {}, {}), [], bounds.maxDecisions);
  const placements = faultPlacements(property.faults === 'any', baseline);
  const cases = parameterPoints(axes).flatMap((point) => placementSets(placements, bounds.faults).map((set) => ({
    point, placements: set, labCase: exploredCase(scenario, point, linkFaultsOf(set)),
  })));
  const { deviations, faults, maxDecisions, maxRuns } = bounds;
  return { scenario, property, bounds: { deviations, faults, maxDecisions, maxRuns }, axes, placements, cases };
}

/** A schedule whose verdict was not null, as data: the case it belongs to and how to replay it. */
export interface JudgedCandidate {
  readonly caseIndex: number;
  /** The choice index at each branching decision up to the last deviation (the rest take their default). */
  readonly choices: readonly number[];
  readonly deviations: number;
  /** The decisions that left their default, in order. */
  readonly deviated: readonly (ChoicePoint & { readonly at: number })[];
  readonly verdict: string;
  /** When the run ended; null when the lab threw before it could end. */
  readonly endedAtUs: number | null;
}

export interface CaseResult {
  readonly index: number;
  /** The run budget the case was enumerated under. */
  readonly maxRuns: number;
  readonly counts: ExplorationCounts;
  readonly judged: number;
  readonly crashed: number;
  readonly shortest: JudgedCandidate | null;
  readonly shortestCrash: JudgedCandidate | null;
}

type Judged = { readonly verdict: string | null; readonly report: RunReport | null; readonly crashed: boolean };

/** One schedule of a case: its report and the property's verdict; a crash of the lab is a verdict too. */
function judge(ran: Scenario, labCase: LabCase, property: LabProperty, sequence: ChoiceSequence): Judged {
  const explorer = new RunExplorer(sequence);
  let report: RunReport;
  try {
    report = runResolvedCase(ran, labCase, false, explorer);
  } catch (error) {
    if (error instanceof AlreadyExplored) throw error;
    return { verdict: `crashed: ${(error as Error).name}: ${(error as Error).message}`, report: null, crashed: true };
  }
  return { verdict: property.verdict(labCase, report, ran), report, crashed: false };
}

/** A replay takes the default after its prefix, so the defaults at the end need not be written down. */
function withoutTrailingDefaults(choices: readonly number[]): number[] {
  let end = choices.length;
  while (end > 0 && choices[end - 1] === 0) end--;
  return choices.slice(0, end);
}

/** Fewer deviations first, then the shorter run (a run that threw is the longest); the earlier found wins a tie. */
export function shorter(a: JudgedCandidate, b: JudgedCandidate | null): boolean {
  const ended = (c: JudgedCandidate) => c.endedAtUs ?? Infinity;
  return b === null || a.deviations < b.deviations || (a.deviations === b.deviations && ended(a) < ended(b));
}

/** Every schedule of case `index` within the plan's bounds and `maxRuns` runs. */
export function exploreCase(plan: ExplorationPlan, index: number, maxRuns: number): CaseResult {
  const { labCase } = plan.cases[index]!;
  const ran = scenarioFor(plan.scenario, labCase);
  let judged = 0;
  let crashed = 0;
  let shortest: JudgedCandidate | null = null;
  let shortestCrash: JudgedCandidate | null = null;
  const counts = exploreSchedules(
    (sequence) => judge(ran, labCase, plan.property, sequence),
    { deviations: plan.bounds.deviations, maxDecisions: plan.bounds.maxDecisions, maxRuns },
    (schedule: Schedule<Judged>) => {
      const { verdict, report } = schedule.result;
      if (verdict === null) return;
      const candidate: JudgedCandidate = {
        caseIndex: index, choices: withoutTrailingDefaults(schedule.choices), deviations: schedule.deviations, verdict,
        deviated: schedule.points.flatMap((p, at) => (p.chosen > 0 ? [{ ...p, at }] : [])),
        endedAtUs: report?.endedAtUs ?? null,
      };
      if (schedule.result.crashed) {
        crashed++;
        if (shorter(candidate, shortestCrash)) shortestCrash = candidate;
      } else {
        judged++;
        if (shorter(candidate, shortest)) shortest = candidate;
      }
    },
  );
  return { index, maxRuns, counts, judged, crashed, shortest, shortestCrash };
}

/** Runs (complete and pruned) a case answer used. */
const runsOf = (result: CaseResult) => result.counts.schedules + result.counts.pruned;

/** Is `result` the answer the case gives under a budget of `left` runs? */
export function fitsBudget(result: CaseResult, left: number): boolean {
  return result.maxRuns === left || (result.counts.complete && runsOf(result) <= left);
}

/** Run one explored schedule again, traced: the choices replay it exactly (no pruning on a single run). */
export function replaySchedule(scenario: Scenario, labCase: LabCase, choices: readonly number[], maxDecisions: number): RunReport {
  const sequence = new ChoiceSequence(choices, { deviations: choices.length, maxDecisions }, new VisitedStates());
  return runResolvedCase(scenarioFor(scenario, labCase), labCase, true, new RunExplorer(sequence));
}
