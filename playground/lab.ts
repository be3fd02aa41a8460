/* lab - what the playground runs for a state: its scenario, one run or a replayed counterexample, and the fixed proxy beside it
 *
 * Pure (no DOM): the page, the find-a-failure worker, the lesson tests and the CLI's link
 * check all run a state through this one function, so a link shows the same trace everywhere.
 * A plain run is `smtp-lab run --scenario S --set ... --seed N` traced; a replay token's
 * counterexample is what `smtp-lab replay TOKEN` shows. The comparison runs the same trace (the
 * same seed, or the same generated case) with one thing changed: the lock-step proxy in place
 * of the front, or Mailu's PR 3322 (smtpd_forbid_unauth_pipelining = no).
 */
import { runLabProperty } from '../properties/check.ts';
import { runCase, type LabCase } from '../properties/lab-case.ts';
import { decodeReplayToken, type ReplayToken } from '../properties/replay-token.ts';
import { propertyById } from '../properties/suite.ts';
import { FRONT_SCENARIOS } from '../scenarios/fronts.ts';
import { loadScenario, ScenarioError, type Scenario } from '../scenarios/index.ts';
import { runScenario, type RunReport } from '../scenarios/run.ts';
import type { TraceEvent } from '../viewer/model/trace-event.ts';
import type { Comparison, PlaygroundState } from './state.ts';

export interface LabRun {
  readonly scenario: Scenario;
  readonly report: RunReport;
  readonly events: readonly TraceEvent[];
}

export interface StateRuns {
  readonly main: LabRun;
  /** The fixed proxy on the same trace; null when the state asks for no comparison. */
  readonly compared: LabRun | null;
  /** Why there is no comparison, or what it left out, in words. */
  readonly comparisonNote: string | null;
  /** The replayed counterexample, when the state carries a replay token. */
  readonly counterexample: { readonly token: ReplayToken; readonly labCase: LabCase; readonly verdict: string } | null;
}

/** The scenario and `--set`s a state runs: a replay token's own, else the state's. */
export function scenarioChoiceOf(state: PlaygroundState): { scenario: string; sets: readonly string[] } {
  if (state.replay === null) return { scenario: state.scenario, sets: state.sets };
  const token = decodeReplayToken(state.replay);
  return { scenario: token.scenario, sets: token.sets };
}

export function runState(state: PlaygroundState): StateRuns {
  const choice = scenarioChoiceOf(state);
  const scenario = loadScenario({ scenario: choice.scenario, sets: choice.sets });
  const counterexample = state.replay === null ? null : replayCounterexample(state.replay, scenario);
  const run = (ran: Scenario): LabRun => {
    const report = counterexample ? runCase(ran, counterexample.labCase, true) : runScenario(ran, { seed: state.seed, trace: true });
    return { scenario: ran, report, events: report.trace ?? [] };
  };
  const fixed = comparedScenario(state.compare, choice.scenario, choice.sets);
  return {
    main: run(scenario),
    compared: fixed.scenario ? run(fixed.scenario) : null,
    comparisonNote: fixed.note,
    counterexample,
  };
}

function replayCounterexample(text: string, scenario: Scenario): NonNullable<StateRuns['counterexample']> {
  const token = decodeReplayToken(text);
  const property = propertyById(token.property);
  if (!property) throw new ScenarioError(`the replay token names property '${token.property}', which this version does not have`);
  const firstRun = Number(token.path.split(':')[0] ?? '0');
  const outcome = runLabProperty(property, { scenario, seed: token.seed, numRuns: firstRun + 1, path: token.path });
  if (outcome.counterexample === null) throw new ScenarioError(`the replay token's trace no longer fails: ${property.title} holds for seed ${token.seed}, path ${token.path} (it showed: ${token.verdict})`);
  return { token, labCase: outcome.counterexample, verdict: outcome.verdict ?? outcome.error ?? '' };
}

/**
 * The scenario with the fix applied. The lock-step proxy reads Dovecot's reconnect settings but
 * has no release, so front.* keys it does not read are left out (and said so).
 */
function comparedScenario(compare: Comparison, name: string, sets: readonly string[]): { scenario: Scenario | null; note: string | null } {
  if (compare === 'none') return { scenario: null, note: null };
  const lockstepReads: readonly string[] = FRONT_SCENARIOS.lockstep.keys;
  const dropped = compare === 'lockstep' ? sets.filter((set) => set.startsWith('front.') && !lockstepReads.includes(set.split('=')[0]!)) : [];
  const fix = compare === 'lockstep' ? 'front.model=lockstep' : 'postfix.smtpd_forbid_unauth_pipelining=no';
  try {
    const scenario = loadScenario({ scenario: name, sets: [...sets.filter((set) => !dropped.includes(set)), fix] });
    return { scenario, note: dropped.length > 0 ? `the lock-step proxy has no ${dropped.map((set) => set.split('=')[0]).join(', ')}: left out` : null };
  } catch (error) {
    if (error instanceof ScenarioError) return { scenario: null, note: `no comparison with ${fix}: ${error.message}` };
    throw error;
  }
}
