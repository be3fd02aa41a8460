/* check - run one lab property with fast-check: generate, run, classify, shrink, gate coverage
 *
 * Every failure carries fast-check's seed and path; with them `runLabProperty` replays the
 * exact counterexample (fast-check's own replay mechanism), so a printed token is a test case.
 */
import fc from 'fast-check';
import { loadScenario, type Scenario } from '../scenarios/index.ts';
import type { RunReport } from '../scenarios/run.ts';
import { labCase } from './arbitraries/lab-case.ts';
import { CoverageCounter, classify, type CoverageGap } from './coverage.ts';
import { generateCases, runDifferential, type ScenarioTally } from './differential.ts';
import { runResolvedCase, scenarioFor, type LabCase } from './lab-case.ts';
import { DIFFERENTIAL_REFERENCE, type LabProperty } from './suite.ts';

export interface CheckOptions {
  readonly scenario: Scenario;
  readonly seed: number;
  readonly numRuns: number;
  /** fast-check path: replays the counterexample it names. */
  readonly path?: string;
  /** Called after each generated run (not shrink runs). */
  readonly onRun?: (runs: number) => void;
  /** The differential property's reference; default: DIFFERENTIAL_REFERENCE as built in. */
  readonly reference?: Scenario;
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
  /** Required classes that never ran (missing) or that the scenario's pinned keys rule out. */
  readonly coverageGap: CoverageGap;
  /** Differential only: how the same traces fared on the scenario and on the reference. */
  readonly tallies: readonly ScenarioTally[];
  readonly error: string | null;
}

/** What the predicate threw when the verdict was not null: fast-check shrinks on it. */
class VerdictFailure extends Error {
  override readonly name = 'VerdictFailure';
}

const NO_GAP: CoverageGap = { missing: [], pinned: [] };

export function runLabProperty(property: LabProperty, options: CheckOptions): CheckOutcome {
  return property.kind === 'differential' ? runDifferentialProperty(property, options) : runSearch(property, options);
}

/** forall and exists rows: one fast-check run over generated cases, shrunk on failure. */
function runSearch(property: LabProperty, options: CheckOptions): CheckOutcome {
  const coverage = new CoverageCounter();
  let runsToFailure: number | null = null;
  const predicate = fc.property(labCase({ faults: property.faults }), (generated) => {
    const ran = scenarioFor(options.scenario, generated);
    const report: RunReport = runResolvedCase(ran, generated);
    const verdict = property.verdict(generated, report);
    if (runsToFailure === null) {
      coverage.add(classify(ran, generated, report));
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
  // fast-check reports the error of the shrunk counterexample, so this is the minimal case's verdict.
  const verdict = failure instanceof VerdictFailure ? failure.message : null;
  const coverageGap = property.kind === 'forall' && !details.failed ? coverage.gap(property.coverage(options.scenario), options.scenario) : NO_GAP;
  let result: CheckResult;
  if (crashed) result = 'crashed';
  else if (property.kind === 'exists') result = details.failed ? 'found' : 'not-found';
  else if (details.failed) result = 'failed';
  else result = coverageGap.missing.length > 0 ? 'coverage-missing' : 'passed';
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
    counterexample: details.counterexample?.[0] ?? null,
    verdict,
    coverage,
    coverageGap,
    tallies: [],
    error: crashed ? `${failure.name}: ${failure.message}` : null,
  };
}

/**
 * Property 4: the same traces on the scenario and on the reference. A failure on the scenario is
 * shrunk as a forall of the same verdict (a replayable counterexample); a reference that refused
 * nobody means the traces could not have shown a difference, which is not a pass.
 */
function runDifferentialProperty(property: LabProperty, options: CheckOptions): CheckOutcome {
  const reference = options.reference ?? loadScenario({ scenario: DIFFERENTIAL_REFERENCE });
  const cases = generateCases(options.seed, options.numRuns);
  const { tallies } = runDifferential([options.scenario, reference], cases, options.seed);
  const [mine, theirs] = tallies as [ScenarioTally, ScenarioTally];
  if (mine.failures > 0) {
    const shrunk = runSearch({ ...property, kind: 'forall', coverage: () => [] }, options);
    return { ...shrunk, property, tallies, result: 'failed', ok: false, verdict: shrunk.verdict ?? `${mine.failures} of ${mine.traces} correct clients refused` };
  }
  const coverage = new CoverageCounter();
  coverage.runs = cases.length;
  const missing = theirs.failures === 0 ? [`${reference.name} refused no correct client on these traces`] : [];
  return {
    property, scenario: options.scenario.name, seed: options.seed,
    result: missing.length > 0 ? 'coverage-missing' : 'passed', ok: missing.length === 0,
    runs: cases.length, runsToFailure: null, shrinks: 0, path: null, counterexample: null, verdict: null,
    coverage, coverageGap: { missing, pinned: [] }, tallies, error: null,
  };
}
