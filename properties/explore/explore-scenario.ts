/* explore-scenario - `smtp-lab explore`'s engine: every schedule of a scenario within bounds, judged by one property
 *
 * The space is the product of the parameter points and fault placement sets (space.ts); for each
 * such case the simulator's decisions and the order of simultaneous dependent events are
 * enumerated depth-first (sim/explore/dfs.ts) and every schedule that runs to the end is judged
 * by the property's verdict. Deterministic: the same options give the same counts, the same
 * failing schedules and the same shortest one.
 */
import { exploreSchedules, type ExplorationCounts, type Schedule } from '../../sim/explore/dfs.ts';
import { AlreadyExplored, ChoiceSequence, VisitedStates, type ChoicePoint } from '../../sim/explore/choice-sequence.ts';
import { RunExplorer } from '../../sim/explore/run-explorer.ts';
import type { Scenario } from '../../scenarios/index.ts';
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
  return { verdict: property.verdict(labCase, report), report, crashed: false };
}

/** A replay takes the default after its prefix, so the defaults at the end need not be written down. */
function withoutTrailingDefaults(choices: readonly number[]): number[] {
  let end = choices.length;
  while (end > 0 && choices[end - 1] === 0) end--;
  return choices.slice(0, end);
}

/** Fewer deviations first, then the shorter run; the earlier found wins a tie. */
function shorter(a: JudgedSchedule, b: JudgedSchedule | null): boolean {
  return b === null || a.deviations < b.deviations || (a.deviations === b.deviations && a.endedAtUs < b.endedAtUs);
}

export function exploreScenario(options: ExploreOptions): ExploreOutcome {
  const { scenario, property } = options;
  const axes = parameterAxes(scenario);
  // Segment boundaries for fault placements come from the default schedule at the scenario's own values, fault-free.
  const baseline = replaySchedule(scenario, exploredCase(scenario, {}, {}), [], options.maxDecisions);
  const placements = faultPlacements(property.faults === 'any', baseline);
  const cases = parameterPoints(axes).flatMap((point) => placementSets(placements, options.faults).map((set) => ({ point, set })));
  const totals = { schedules: 0, pruned: 0, states: 0, judged: 0, crashed: 0, casesRun: 0 };
  let complete = true;
  let deviationBoundHit = false;
  let decisionBoundHit = false;
  let shortest: JudgedSchedule | null = null;
  let shortestCrash: JudgedSchedule | null = null;
  for (const { point, set } of cases) {
    const left = options.maxRuns - totals.schedules - totals.pruned;
    if (left <= 0) {
      complete = false;
      break;
    }
    const labCase = exploredCase(scenario, point, linkFaultsOf(set));
    const ran = scenarioFor(scenario, labCase);
    const counts: ExplorationCounts = exploreSchedules(
      (sequence) => judge(ran, labCase, property, sequence),
      { deviations: options.deviations, maxDecisions: options.maxDecisions, maxRuns: left },
      (schedule: Schedule<Judged>) => {
        const { verdict, report, crashed } = schedule.result;
        if (verdict === null) return;
        if (crashed) totals.crashed++;
        else totals.judged++;
        const candidate: JudgedSchedule = {
          labCase, placements: set, choices: withoutTrailingDefaults(schedule.choices), deviations: schedule.deviations, verdict,
          deviated: schedule.points.flatMap((p, at) => (p.chosen > 0 ? [{ ...p, at }] : [])),
          endedAtUs: report?.endedAtUs ?? Infinity,
        };
        if (crashed && shorter(candidate, shortestCrash)) shortestCrash = candidate;
        if (!crashed && shorter(candidate, shortest)) shortest = candidate;
      },
    );
    totals.schedules += counts.schedules;
    totals.pruned += counts.pruned;
    totals.states += counts.states;
    totals.casesRun++;
    complete &&= counts.complete;
    deviationBoundHit ||= counts.deviationBoundHit;
    decisionBoundHit ||= counts.decisionBoundHit;
    options.onCase?.(totals.casesRun, cases.length);
  }
  const ok = totals.crashed === 0 && (property.kind === 'exists' ? totals.judged > 0 : totals.judged === 0 && complete);
  return {
    property, scenario: scenario.name, axes, placements: placements.length, cases: cases.length, ...totals,
    shortest: shortestCrash ?? shortest, complete, deviationBoundHit, decisionBoundHit, ok,
  };
}

/** Run one explored schedule again, traced: the choices replay it exactly (no pruning on a single run). */
export function replaySchedule(scenario: Scenario, labCase: LabCase, choices: readonly number[], maxDecisions: number): RunReport {
  const sequence = new ChoiceSequence(choices, { deviations: choices.length, maxDecisions }, new VisitedStates());
  return runResolvedCase(scenarioFor(scenario, labCase), labCase, true, new RunExplorer(sequence));
}
