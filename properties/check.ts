/* check - run one lab property with fast-check: generate, run, classify, shrink, gate coverage
 *
 * Every failure carries fast-check's seed and path; with them `runLabProperty` replays the
 * exact counterexample (fast-check's own replay mechanism), so a printed token is a test case.
 * The runs can be spread over threads or machines (parallel/run-ranges.ts says why the
 * answer is the same); shrinking always happens in one thread, here.
 */
import fc from 'fast-check';
import { loadScenario, type Scenario } from '../scenarios/index.ts';
import { CoverageCounter, type CoverageGap } from './coverage.ts';
import { combineTallies, tallyCases, tallyRange, type ScenarioTally, type TallySlice } from './differential.ts';
import type { LabCase } from './lab-case.ts';
import type { Executor } from './parallel/executor.ts';
import { combineRuns, evaluateRuns, searchPredicate, VerdictFailure, type RunsSummary } from './parallel/run-ranges.ts';
import { searchInOrder } from './parallel/search-in-order.ts';
import { DIFFERENTIAL_REFERENCE, type LabProperty } from './suite.ts';
import { releaseCoverage, scopeLine } from './release-scope.ts';

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
  /** The releases the verdict is about: the scenario's, and those its traces drew (release-scope.ts scopeLine). */
  readonly releases: string;
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

const NO_GAP: CoverageGap = { missing: [], pinned: [] };

/** What a run of a property computes before its conclusion: a shard's share, or the whole (see combineCheckParts). */
export type CheckPart =
  | { readonly kind: 'search'; readonly runs: RunsSummary }
  /** Property 4's tallies of the traces in the part; its shrinking search, when needed, is part of the conclusion. */
  | { readonly kind: 'differential'; readonly tallies: TallySlice };

/** The property on this thread: fast-check's search (or replay of options.path), shrunk on failure. */
export function runLabProperty(property: LabProperty, options: CheckOptions): CheckOutcome {
  if (property.kind === 'differential') {
    const tallies = tallyRange([options.scenario, referenceOf(options)], options.seed, 0, options.numRuns);
    return differentialOutcome(property, options, tallies, hasFailures(tallies) ? runLabProperty(asShrinkingSearch(property), options) : null);
  }
  const runs = evaluateRuns(property, options.scenario, {
    seed: options.seed, path: options.path ?? '0', numRuns: options.numRuns, ...(options.onRun ? { onRun: options.onRun } : {}),
  });
  return concludeSearch(property, options, runs);
}

/** The property over the executor's threads: the same outcome as runLabProperty, byte for byte. */
export async function runLabPropertyOn(executor: Executor, property: LabProperty, options: CheckOptions): Promise<CheckOutcome> {
  return concludeCheck(executor, property, options, await checkPart(executor, property, options, 0, options.numRuns));
}

/** Runs (or traces) [start, start + count) of the property: a shard's share of the work. */
export async function checkPart(executor: Executor, property: LabProperty, options: CheckOptions, start: number, count: number): Promise<CheckPart> {
  if (property.kind === 'differential') {
    const scenarios = [options.scenario, referenceOf(options)];
    return { kind: 'differential', tallies: await tallyCases(executor, scenarios, options.seed, start, count) };
  }
  const span = { seed: options.seed, start, count, ...(options.onRun ? { onRun: options.onRun } : {}) };
  return { kind: 'search', runs: await searchInOrder(property, options.scenario, span, executor) };
}

/** `a` followed by `b`, parts of the same property. */
export function combineCheckParts(a: CheckPart, b: CheckPart): CheckPart {
  if (a.kind === 'search' && b.kind === 'search') return { kind: 'search', runs: combineRuns(a.runs, b.runs) };
  if (a.kind === 'differential' && b.kind === 'differential') return { kind: 'differential', tallies: combineTallies(a.tallies, b.tallies) };
  throw new Error(`cannot combine a ${a.kind} part with a ${b.kind} part`);
}

/** The outcome from the whole run's part: shrinking (on this thread) and the coverage gate. */
export async function concludeCheck(executor: Executor, property: LabProperty, options: CheckOptions, part: CheckPart): Promise<CheckOutcome> {
  if (part.kind === 'search') return concludeSearch(property, options, part.runs);
  const shrunk = hasFailures(part.tallies) ? await runLabPropertyOn(executor, asShrinkingSearch(property), options) : null;
  return differentialOutcome(property, options, part.tallies, shrunk);
}

/**
 * The outcome of a search whose runs were evaluated (run-ranges.ts): the first failure is
 * shrunk here, from its path, as fast-check would have shrunk it in the same fc.check; a
 * replay (options.path) is evaluated again without shrinking.
 */
function concludeSearch(property: LabProperty, options: CheckOptions, runs: RunsSummary): CheckOutcome {
  const coverage = new CoverageCounter();
  coverage.runs = runs.classified;
  for (const [coverageClass, n] of runs.counts) coverage.counts.set(coverageClass, n);
  const runsToFailure = runs.failure?.verdict ? runs.classified : null;
  const details = runs.failure === null ? null : fc.check(searchPredicate(property, options.scenario), {
    seed: options.seed, path: runs.failure.path, ...(options.path !== undefined ? { endOnFailure: true } : {}),
  });
  const failure = details?.failed ? (details.errorInstance as Error | undefined) : undefined;
  const failed = details?.failed === true;
  const crashed = failure !== undefined && !(failure instanceof VerdictFailure);
  // fast-check reports the error of the shrunk counterexample, so this is the minimal case's verdict.
  const verdict = failure instanceof VerdictFailure ? failure.message : null;
  const required = [...property.coverage(options.scenario), ...releaseCoverage(property, options.scenario)];
  const coverageGap = property.kind === 'forall' && !failed ? coverage.gap(required, options.scenario) : NO_GAP;
  let result: CheckResult;
  if (crashed) result = 'crashed';
  else if (property.kind === 'exists') result = failed ? 'found' : 'not-found';
  else if (failed) result = 'failed';
  else result = coverageGap.missing.length > 0 ? 'coverage-missing' : 'passed';
  return {
    property,
    scenario: options.scenario.name,
    releases: scopeLine(property, options.scenario),
    seed: options.seed,
    result,
    ok: result === 'passed' || result === 'found',
    runs: coverage.runs,
    runsToFailure,
    shrinks: details?.numShrinks ?? 0,
    path: details?.counterexamplePath ?? null,
    counterexample: (details?.counterexample?.[0] as LabCase | undefined) ?? null,
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
function differentialOutcome(property: LabProperty, options: CheckOptions, tallies: TallySlice, shrunk: CheckOutcome | null): CheckOutcome {
  const [mine, theirs] = tallies as [ScenarioTally, ScenarioTally];
  if (shrunk !== null) {
    return { ...shrunk, property, tallies, result: 'failed', ok: false, verdict: shrunk.verdict ?? `${mine.failures} of ${mine.traces} correct clients refused` };
  }
  const coverage = new CoverageCounter();
  coverage.runs = mine.traces;
  const reference = referenceOf(options);
  const missing = theirs.failures === 0 ? [`${reference.name} refused no correct client on these traces`] : [];
  return {
    property, scenario: options.scenario.name, releases: scopeLine(property, options.scenario), seed: options.seed,
    result: missing.length > 0 ? 'coverage-missing' : 'passed', ok: missing.length === 0,
    runs: mine.traces, runsToFailure: null, shrinks: 0, path: null, counterexample: null, verdict: null,
    coverage, coverageGap: { missing, pinned: [] }, tallies, error: null,
  };
}

function referenceOf(options: CheckOptions): Scenario {
  return options.reference ?? loadScenario({ scenario: DIFFERENTIAL_REFERENCE });
}

const hasFailures = (tallies: TallySlice) => (tallies[0]?.failures ?? 0) > 0;

/** Property 4's failure is shrunk as a forall of the same verdict, with no coverage gate. */
const asShrinkingSearch = (property: LabProperty): LabProperty => ({ ...property, kind: 'forall', coverage: () => [] });
