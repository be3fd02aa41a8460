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
import { runCase, type LabCase } from './lab-case.ts';
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
  if (executor.workers === 1 || count === 0) return runDifferential(scenarios, generateCases(seed, count, start), seed).tallies;
  const definitions = scenarios.map(portableScenario);
  const slices = await Promise.all(cutRanges(start, count, executor.workers).map((range) => executor.run<'cases'>({ kind: 'cases', scenarios: definitions, seed, ...range })));
  return slices.reduce(combineTallies);
}

export function runDifferential(scenarios: readonly Scenario[], cases: readonly LabCase[], seed: number): DifferentialReport {
  const tallies = scenarios.map((scenario): ScenarioTally => {
    let failures = 0;
    let pipeliningFailures = 0;
    let improperLogged = 0;
    const reasons = new Map<string, number>();
    for (const labCase of cases) {
      const report = runCase(scenario, labCase);
      if (proxyNeverPipelines(labCase, report) !== null) improperLogged++;
      const verdict = correctClientServed(labCase, report);
      if (verdict === null) continue;
      failures++;
      const bug = showsMailuBug(labCase, report);
      if (bug) pipeliningFailures++;
      const reason = reasonOf(verdict, bug);
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    }
    return { scenario: scenario.name, traces: cases.length, failures, pipeliningFailures, improperLogged, reasons };
  });
  return { seed, cases, tallies };
}
