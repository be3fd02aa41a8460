/* differential - property 4: the same generated traces on several scenarios, failures counted and explained
 *
 * Traces come from one seed (fc.sample), so every scenario sees exactly the same client,
 * network, timing and faults; only the scenario's own keys (front.model, forbid, version)
 * differ. A failure is a correct client not served (verdicts.correctClientServed); its
 * reason is read off the run: the 454 after Postfix's improper-pipelining 554, or other.
 */
import fc from 'fast-check';
import type { Scenario } from '../scenarios/index.ts';
import { labCase } from './arbitraries/lab-case.ts';
import { runResolvedCase, scenarioFor, type LabCase } from './lab-case.ts';
import { correctClientServed, proxyNeverPipelines, showsMailuBug } from './verdicts.ts';
import { cutRanges, portableScenario, type Executor } from './parallel/executor.ts';
import { mergeCounts } from './parallel/run-ranges.ts';

export interface ScenarioTally {
  readonly scenario: string;
  readonly traces: number;
  /** Correct clients not served (454 or mail lost). */
  readonly failures: number;
  /** Of those, failures caused by Postfix's pipelining check after XCLIENT (the Mailu bug). */
  readonly pipeliningFailures: number;
  /** Traces in which Postfix logged improper pipelining after XCLIENT (served or not). */
  readonly improperLogged: number;
  readonly reasons: ReadonlyMap<string, number>;
}

export interface DifferentialReport {
  readonly seed: number;
  readonly cases: readonly LabCase[];
  readonly tallies: readonly ScenarioTally[];
}

/** Generated traces [start, start + count) of the seed: trace i is the same whichever slice it is generated in (fast-check's path "i"). */
export function generateCases(seed: number, count: number, start = 0): LabCase[] {
  return fc.sample(labCase({ faults: 'benign' }), { seed, numRuns: count, path: String(start) });
}

/** The reason in a few words, for the table. */
function reasonOf(verdict: string, bug: boolean): string {
  if (bug) return '454 after 554 SMTP protocol synchronization (pipelined EHLO after XCLIENT)';
  return verdict.replace(/'[^']*'/g, "'…'").replace(/\d+/g, 'N');
}

/** Each scenario's tally, in the order of the scenarios. */
export type TallySlice = readonly ScenarioTally[];

/** The tallies of `a`'s traces followed by `b`'s: counts added, reasons in the order first met. */
export function combineTallies(a: TallySlice, b: TallySlice): TallySlice {
  return a.map((mine, i) => {
    const theirs = b[i]!;
    if (theirs.scenario !== mine.scenario) throw new Error(`tallies of ${mine.scenario} and ${theirs.scenario} cannot be added`);
    return {
      scenario: mine.scenario,
      traces: mine.traces + theirs.traces,
      failures: mine.failures + theirs.failures,
      pipeliningFailures: mine.pipeliningFailures + theirs.pipeliningFailures,
      improperLogged: mine.improperLogged + theirs.improperLogged,
      reasons: new Map(mergeCounts([...mine.reasons], [...theirs.reasons])),
    };
  });
}

/** Traces [start, start + count) of the seed on every scenario, in slices over the executor's threads, tallied in trace order. */
export async function tallyCases(executor: Executor, scenarios: readonly Scenario[], seed: number, start: number, count: number): Promise<TallySlice> {
  if (executor.inThisThread) return tallyRange(scenarios, seed, start, count);
  const definitions = scenarios.map(portableScenario);
  const slices = await Promise.all(cutRanges(start, count, executor.workers).map((slice) => executor.run<'cases'>({ kind: 'cases', scenarios: definitions, seed, ...slice })));
  return slices.reduce(combineTallies, tallyRange(scenarios, seed, start, 0));
}

/** A scenario's tally as it grows, one trace at a time. */
type Counting = { -readonly [K in keyof ScenarioTally]: K extends 'reasons' ? Map<string, number> : ScenarioTally[K] };

function counting(scenario: Scenario): Counting {
  return { scenario: scenario.name, traces: 0, failures: 0, pipeliningFailures: 0, improperLogged: 0, reasons: new Map() };
}

function count(tally: Counting, scenario: Scenario, labCase: LabCase): void {
  const ran = scenarioFor(scenario, labCase);
  const report = runResolvedCase(ran, labCase);
  tally.traces++;
  if (proxyNeverPipelines(labCase, report) !== null) tally.improperLogged++;
  const verdict = correctClientServed(labCase, report, ran);
  if (verdict === null) return;
  tally.failures++;
  const bug = showsMailuBug(labCase, report);
  if (bug) tally.pipeliningFailures++;
  const reason = reasonOf(verdict, bug);
  tally.reasons.set(reason, (tally.reasons.get(reason) ?? 0) + 1);
}

/**
 * Traces [start, start + count) of the seed tallied on every scenario, generated one at a time
 * rather than held in memory: fc.check over the same arbitrary walks the values fc.sample gives
 * (generateCases). A trace that crashes the lab ends the tally with its error, as runDifferential does.
 */
export function tallyRange(scenarios: readonly Scenario[], seed: number, start: number, traces: number): TallySlice {
  const tallies = scenarios.map(counting);
  let crash: unknown = null;
  if (traces > 0) {
    fc.check(fc.property(labCase({ faults: 'benign' }), (generated) => {
      if (crash !== null) return;
      try {
        scenarios.forEach((scenario, i) => count(tallies[i]!, scenario, generated));
      } catch (error) {
        crash = error;
      }
    }), { seed, path: String(start), numRuns: traces });
  }
  if (crash !== null) throw crash;
  return tallies;
}

export function runDifferential(scenarios: readonly Scenario[], cases: readonly LabCase[], seed: number): DifferentialReport {
  const tallies = scenarios.map((scenario) => {
    const tally = counting(scenario);
    for (const labCase of cases) count(tally, scenario, labCase);
    return tally;
  });
  return { seed, cases, tallies };
}
