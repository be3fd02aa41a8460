/* check - run one lab property with fast-check: generate, run, classify, shrink, gate coverage
 *
 * Every failure carries fast-check's seed and path; with them `runLabProperty` replays the
 * exact counterexample (fast-check's own replay mechanism), so a printed token is a test case.
 */
import fc from 'fast-check';
import type { Scenario } from '../scenarios/index.ts';
import type { RunReport } from '../scenarios/run.ts';
import { labCase } from './arbitraries/lab-case.ts';
import { CoverageCounter, classify } from './coverage.ts';
import { runCase, type LabCase } from './lab-case.ts';
import type { LabProperty } from './suite.ts';

export interface CheckOptions {
  readonly scenario: Scenario;
  readonly seed: number;
  readonly numRuns: number;
  /** fast-check path: replays the counterexample it names. */
  readonly path?: string;
  /** Called after each generated run (not shrink runs). */
  readonly onRun?: (runs: number) => void;
}

export type CheckResult = 'passed' | 'failed' | 'found' | 'not-found' | 'coverage-missing' | 'crashed';

export interface CheckOutcome {
  readonly property: LabProperty;
  readonly scenario: string;
  readonly seed: number;
  readonly result: CheckResult;
  /** The outcome the property promises: forall passed, or exists found. */
  readonly ok: boolean;
  readonly runs: number;
  readonly runsToFailure: number | null;
  readonly shrinks: number;
  readonly path: string | null;
  readonly counterexample: LabCase | null;
  readonly verdict: string | null;
  readonly coverage: CoverageCounter;
  readonly missingCoverage: readonly string[];
  readonly error: string | null;
}

/** What the predicate threw when the verdict was not null: fast-check shrinks on it. */
class VerdictFailure extends Error {
  override readonly name = 'VerdictFailure';
}

export function runLabProperty(property: LabProperty, options: CheckOptions): CheckOutcome {
  const coverage = new CoverageCounter();
  let runsToFailure: number | null = null;
  const predicate = fc.property(labCase({ faults: property.faults }), (generated) => {
    const report: RunReport = runCase(options.scenario, generated);
    const verdict = property.verdict(generated, report);
    if (runsToFailure === null) {
      coverage.add(classify(generated, report));
      options.onRun?.(coverage.runs);
      if (verdict !== null) runsToFailure = coverage.runs;
    }
    if (verdict !== null) throw new VerdictFailure(verdict);
  });
  const details = fc.check(predicate, {
    seed: options.seed,
    numRuns: options.numRuns,
    ...(options.path !== undefined ? { path: options.path, endOnFailure: true } : {}),
  });
  const failure = details.failed ? (details.errorInstance as Error | undefined) : undefined;
  const crashed = failure !== undefined && !(failure instanceof VerdictFailure);
  const counterexample = details.counterexample?.[0] ?? null;
  // fast-check reports the error of the shrunk counterexample, so this is the minimal case's verdict.
  const verdict = failure instanceof VerdictFailure ? failure.message : null;
  const missingCoverage = property.kind === 'forall' && !details.failed ? coverage.missing(property.coverage) : [];
  let result: CheckResult;
  if (crashed) result = 'crashed';
  else if (property.kind === 'exists') result = details.failed ? 'found' : 'not-found';
  else if (details.failed) result = 'failed';
  else result = missingCoverage.length > 0 ? 'coverage-missing' : 'passed';
  return {
    property,
    scenario: options.scenario.name,
    seed: details.seed,
    result,
    ok: result === 'passed' || result === 'found',
    runs: coverage.runs,
    runsToFailure,
    shrinks: details.numShrinks,
    path: details.counterexamplePath ?? null,
    counterexample,
    verdict,
    coverage,
    missingCoverage,
    error: crashed ? `${failure.name}: ${failure.message}` : null,
  };
}
