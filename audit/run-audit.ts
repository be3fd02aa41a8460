/* run-audit - the audit of one scenario: is it affected, under which conditions, what the evidence is, which fix holds
 *
 * Everything reuses the property layer: N generated traces (properties/differential.ts
 * generateCases) run on the scenario and on each candidate fix (runDifferential: the same traces,
 * only the fix's keys differ); the trigger search is property 1 (bug-exists) with fast-check's
 * shrinking; the other properties that apply run as `smtp-lab check` runs them. Per trace the
 * audit also records its conditions (conditions.ts) and whether a correct client was refused
 * (verdicts.correctClientServed), for the failure rate per condition. One seed drives it all.
 */
import { runLabProperty, type CheckOutcome } from '../properties/check.ts';
import { generateCases, runDifferential, type ScenarioTally } from '../properties/differential.ts';
import { runResolvedCase, scenarioFor, type LabCase } from '../properties/lab-case.ts';
import { replayTokenOf } from '../properties/replay-token.ts';
import { DIFFERENTIAL_REFERENCE, PROPERTIES, propertyById, type LabProperty } from '../properties/suite.ts';
import { correctClientServed, successPossible } from '../properties/verdicts.ts';
import { loadScenario, type Scenario } from '../scenarios/index.ts';
import { conditionsOf, DIMENSIONS, type Condition } from './conditions.ts';
import { applyFix, CANDIDATE_FIXES, type CandidateFix } from './fixes.ts';

export interface AuditOptions {
  readonly scenario: Scenario;
  /** How a replay token names the scenario: a built-in name or a scenario file. */
  readonly scenarioRef: string;
  readonly seed: number;
  /** Generated traces run on the scenario and on each fix. */
  readonly traces: number;
  /** Runs of each property other than the search. */
  readonly propertyRuns: number;
  /** Runs of the trigger search (property 1) before it gives up. */
  readonly searchRuns: number;
}

export interface ConditionRow extends Condition {
  readonly traces: number;
  /** Traces in which success was possible (right password, legal client, healthy services). */
  readonly judged: number;
  /** Of those, traces in which the correct client was not served. */
  readonly failed: number;
}

export interface PropertyRun {
  readonly outcome: CheckOutcome;
  readonly replay: string | null;
}

export interface FixRun {
  readonly fix: CandidateFix;
  /** Why it does not apply to this scenario, or null. */
  readonly notApplicable: string | null;
  readonly tally: ScenarioTally | null;
  /** No 454 after XCLIENT on the same traces and no correct client refused that the scenario served; null when not applicable. */
  readonly holds: boolean | null;
  readonly cost: string | null;
}

export type AuditVerdict = 'affected' | 'other failures' | 'inconclusive' | 'not affected';

export interface AuditReport {
  readonly options: AuditOptions;
  readonly verdict: AuditVerdict;
  /** The scenario's tally on the generated traces, and how many of them could be judged. */
  readonly tally: ScenarioTally;
  readonly judged: number;
  /** Why generated traces (clients that log in) say nothing about this scenario, or null. */
  readonly notJudged: string | null;
  readonly conditions: readonly ConditionRow[];
  /** Property 1 on the scenario, or why it does not apply. */
  readonly search: PropertyRun | string;
  readonly properties: readonly PropertyRun[];
  readonly notApplicable: readonly { readonly property: LabProperty; readonly why: string }[];
  readonly fixes: readonly FixRun[];
}

function conditionRows(base: Scenario, cases: readonly LabCase[]): ConditionRow[] {
  const rows = new Map<string, { condition: Condition; traces: number; judged: number; failed: number }>();
  for (const labCase of cases) {
    const ran = scenarioFor(base, labCase);
    const judged = successPossible(labCase, ran);
    const failed = judged && correctClientServed(labCase, runResolvedCase(ran, labCase), ran) !== null;
    for (const condition of conditionsOf(ran, labCase)) {
      const id = `${condition.dimension}\u0000${condition.value}`;
      const row = rows.get(id) ?? { condition, traces: 0, judged: 0, failed: 0 };
      rows.set(id, { ...row, traces: row.traces + 1, judged: row.judged + (judged ? 1 : 0), failed: row.failed + (failed ? 1 : 0) });
    }
  }
  return [...rows.values()]
    .map(({ condition, ...counts }) => ({ ...condition, ...counts }))
    .sort((a, b) => DIMENSIONS.indexOf(a.dimension) - DIMENSIONS.indexOf(b.dimension) || a.value.localeCompare(b.value));
}

function propertyRun(property: LabProperty, options: AuditOptions, numRuns: number): PropertyRun {
  const outcome = runLabProperty(property, {
    scenario: options.scenario, seed: options.seed, numRuns,
    reference: loadScenario({ scenario: DIFFERENTIAL_REFERENCE }),
  });
  return { outcome, replay: replayTokenOf(outcome, options.scenarioRef, []) };
}

/**
 * affected: the 454 after XCLIENT (a correct client refused after Postfix's 554 for the proxy's
 * pipelined EHLO, or the search found one); other failures: correct clients refused for another
 * reason, or a property failed; inconclusive: a property's coverage gate did not pass.
 */
function verdictOf(tally: ScenarioTally, search: PropertyRun | string, properties: readonly PropertyRun[]): AuditVerdict {
  if (tally.pipeliningFailures > 0 || (typeof search !== 'string' && search.outcome.result === 'found')) return 'affected';
  if (tally.failures > 0 || properties.some(({ outcome }) => outcome.result === 'failed' || outcome.result === 'crashed')) return 'other failures';
  return properties.some(({ outcome }) => !outcome.ok) ? 'inconclusive' : 'not affected';
}

export function runAudit(options: AuditOptions): AuditReport {
  const base = options.scenario;
  // Generated clients log in; a scenario whose client does not (nginx's port 25) is judged by its properties alone.
  const notJudged = propertyById('workaround')!.appliesTo(base);
  const cases = notJudged === null ? generateCases(options.seed, options.traces) : [];
  const fixes = CANDIDATE_FIXES.map((fix) => ({ fix, applied: notJudged ?? applyFix(base, fix) }));
  const runnable = fixes.flatMap(({ applied }) => (typeof applied === 'string' ? [] : [applied]));
  const [tally, ...fixTallies] = runDifferential([base, ...runnable], cases, options.seed).tallies as [ScenarioTally, ...ScenarioTally[]];
  let next = 0;
  const fixRuns = fixes.map(({ fix, applied }): FixRun => {
    if (typeof applied === 'string') return { fix, notApplicable: applied, tally: null, holds: null, cost: null };
    const fixTally = fixTallies[next++]!;
    const holds = fixTally.pipeliningFailures === 0 && fixTally.failures <= tally.failures - tally.pipeliningFailures;
    return { fix, notApplicable: null, tally: fixTally, holds, cost: fix.cost(tally, fixTally) };
  });
  const bugExists = propertyById('bug-exists')!;
  const why = bugExists.appliesTo(base);
  const search = why ?? propertyRun(bugExists, options, options.searchRuns);
  const applicable = PROPERTIES.filter((property) => property !== bugExists).map((property) => ({ property, why: property.appliesTo(base) }));
  const properties = applicable.filter(({ why: reason }) => reason === null).map(({ property }) => propertyRun(property, options, options.propertyRuns));
  return {
    options,
    verdict: verdictOf(tally, search, properties),
    tally,
    judged: cases.filter((labCase) => successPossible(labCase, scenarioFor(base, labCase))).length,
    notJudged,
    conditions: conditionRows(base, cases),
    search,
    properties,
    notApplicable: applicable.flatMap(({ property, why: reason }) => (reason === null ? [] : [{ property, why: reason }])),
    fixes: fixRuns,
  };
}
