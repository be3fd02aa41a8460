/* explore - enumerate a scenario's schedules within bounds and judge each by one property */
import type { Command } from '../command.ts';
import { EXIT_EXPECTATION_FAILED, EXIT_OK, UsageError } from '../command.ts';
import { integerOption, parseOptions } from '../args.ts';
import { loadScenario, type Scenario } from '../../scenarios/index.ts';
import { withoutTrace } from '../../scenarios/run.ts';
import { PROPERTIES, propertyById, type LabProperty } from '../../properties/suite.ts';
import {
  exploreCasesOn, exploreScenarioOn, foldAnswers, replaySchedule, type ExploreBoundsOptions, type ExploreOutcome, type JudgedSchedule,
} from '../../properties/explore/explore-scenario.ts';
import { explorationPlan, type CaseResult } from '../../properties/explore/explore-case.ts';
import { PARALLEL_USAGE, interleavedShareOf, parallelOptions, shardOption, workersIn } from '../parallel-options.ts';
import { resultArgs, shardJson } from '../shard-file.ts';
import { damaged } from '../share-codec.ts';
import { withExecutor } from '../workers/pool.ts';
import { decodeExploreToken, encodeExploreToken } from '../../properties/explore/explore-token.ts';
import { exploredCase } from '../../properties/explore/space.ts';
import { scenarioFor } from '../../properties/lab-case.ts';
import { showCounterexample } from '../counterexample.ts';
import { summarise } from '../explore-report.ts';

const DEFAULT_DEVIATIONS = 2;
const DEFAULT_FAULTS = 0;
const DEFAULT_MAX_DECISIONS = 2_000;
const DEFAULT_MAX_RUNS = 500_000;

const explorable = PROPERTIES.filter((p) => p.kind !== 'differential');

const usage = `usage: smtp-lab explore [--scenario NAME|FILE] [--set KEY=VALUE]... [--property ID] [--deviations D] [--faults K]
                        [--max-decisions N] [--max-runs N] [--out DIR] [--json] [--workers N] [--shard i/n]

Enumerates, instead of sampling, the schedules of a scenario within stated bounds and judges each by
one property: every named decision of the simulator (timer scheduling jitter, delayed-ACK slack,
wake-up preemption and latency, write splitting, fault parameters) at its representative values
(range ends, thresholds, midpoints: sim/explore/representatives.ts), every order of dependent
events due at the same microsecond, postfix.xclient_lookup_ms in bins cut at the delayed-ACK
timer's thresholds, every TCP mode, and up to K fault placements. Depth-first, one fresh run per
schedule, with runs stopped where they reach a state already explored (state hashing). Prints the
counts (schedules, distinct states, pruned), the bounds, which bound was reached and what was not
enumerated, with every verdict; a failure is drawn like a repro with a replay token
(smtp-lab replay TOKEN). The same options give the same counts and the same shortest schedule.
Exit 0 when the property holds for every schedule within the bounds (a search property such as
bug-exists: when a schedule shows it), 1 when not or when --max-runs stopped the enumeration,
2 on bad usage. Cases (parameter point × fault placement set) are enumerated on worker threads,
and with --shard on other machines, and folded in case order: the same counts and the same
shortest schedule for any number of them (docs/scale.md); only the wall time differs.

  --scenario NAME|FILE  built-in scenario or a JSON scenario file (default mailu-2024.06)
  --set KEY=VALUE       override one scenario key (repeatable); a key set here is not enumerated
  --property ID         ${explorable.map((p) => p.id).join(', ')}
                        (default: the property whose own scenario this is, else the first that applies)
  --deviations D        decisions per schedule that may leave their default, 0-8 (default ${DEFAULT_DEVIATIONS})
  --faults K            fault placements per schedule, 0-2 (default ${DEFAULT_FAULTS})
  --max-decisions N     branching decisions enumerated per run (default ${DEFAULT_MAX_DECISIONS})
  --max-runs N          runs before the enumeration stops unfinished (default ${DEFAULT_MAX_RUNS})
  --out DIR             where the shortest failing schedule's files go (default ./lab-output)
  --json                machine-readable output
${PARALLEL_USAGE}`;

/** The property a scenario is explored for when none is named. */
function defaultProperty(scenario: Scenario): LabProperty {
  const applies = explorable.filter((p) => p.appliesTo(scenario) === null);
  const chosen = applies.find((p) => p.scenario === scenario.name) ?? applies[0];
  if (!chosen) throw new UsageError(`no property applies to ${scenario.name}; name one with --property (${explorable.map((p) => p.id).join(', ')})`);
  return chosen;
}

function propertyOption(id: string | undefined, scenario: Scenario): LabProperty {
  if (id === undefined) return defaultProperty(scenario);
  const property = propertyById(id);
  if (!property) throw new UsageError(`unknown property '${id}'; allowed: ${explorable.map((p) => p.id).join(', ')}`);
  if (property.kind === 'differential') throw new UsageError(`'${id}' compares two scenarios on sampled traces; explore each scenario with --property workaround instead`);
  return property;
}

/** The seed line of the case description means nothing here: every decision came from the schedule. */
const NO_SEED = '(seed unused: every decision comes from the schedule)';

function deviationLines(schedule: JudgedSchedule): string[] {
  if (schedule.deviated.length === 0) return [NO_SEED, 'schedule: every decision at its default (no deviation)'];
  return [NO_SEED, `schedule: ${schedule.deviations} deviation(s) from the default, the rest at default:`, ...schedule.deviated.map((p) => `  decision ${p.at + 1} (${p.name}): value ${p.chosen + 1} of ${p.options}`)];
}

const exploreOptions = {
  scenario: { type: 'string' }, set: { type: 'string', multiple: true }, property: { type: 'string' }, deviations: { type: 'string' },
  faults: { type: 'string' }, 'max-decisions': { type: 'string' }, 'max-runs': { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' },
  ...parallelOptions,
} as const;

function setupOf(args: readonly string[]) {
  const { values } = parseOptions(args, exploreOptions);
  const scenarioName = values.scenario ?? 'mailu-2024.06';
  const sets = values.set ?? [];
  const scenario = loadScenario({ scenario: scenarioName, sets });
  const property = propertyOption(values.property, scenario);
  const bounds: ExploreBoundsOptions = {
    deviations: integerOption('deviations', values.deviations, DEFAULT_DEVIATIONS, 0, 8),
    faults: integerOption('faults', values.faults, DEFAULT_FAULTS, 0, 2),
    maxDecisions: integerOption('max-decisions', values['max-decisions'], DEFAULT_MAX_DECISIONS, 1, 1_000_000),
    maxRuns: integerOption('max-runs', values['max-runs'], DEFAULT_MAX_RUNS, 1, 100_000_000),
  };
  const json = values.json ?? false;
  return {
    scenarioName, sets, scenario, property, bounds, json, out: values.out ?? 'lab-output', shard: shardOption(values.shard),
    onCase: (done: number, total: number) => { if (!json && process.stderr.isTTY) process.stderr.write(`\rexplore ${scenario.name}: case ${done}/${total}`); },
  };
}

type ExploreSetup = ReturnType<typeof setupOf>;

/** A share's answers and the wall time they took. */
interface ExploreShare {
  readonly answers: readonly CaseResult[];
  readonly wallMs: number;
}

function exploreShareOf(json: unknown): ExploreShare {
  const share = json as Partial<ExploreShare> | null;
  const answers = share?.answers;
  if (!Number.isFinite(share?.wallMs) || !Array.isArray(answers) || !answers.every((a) => Number.isSafeInteger(a?.index) && typeof a.counts === 'object')) {
    throw damaged('explored cases');
  }
  return share as ExploreShare;
}

/** Print the outcome as one process does; `wallMs`: the time the enumeration took (summed over shares when merged). */
async function finish(setup: ExploreSetup, outcome: ExploreOutcome, wallMs: number): Promise<number> {
  const { scenario, property, bounds, json, scenarioName, sets } = setup;
  if (!json && process.stderr.isTTY) process.stderr.write('\n');
  const summary = summarise(outcome, bounds);
  const counts = {
    cases: outcome.cases, casesRun: outcome.casesRun, schedules: outcome.schedules, states: outcome.states, pruned: outcome.pruned,
    judged: outcome.judged, crashed: outcome.crashed, wallMs,
  };
  const shortest = outcome.shortest;
  let shown: { replay: string; text: string; files: readonly string[]; report: object } | null = null;
  if (shortest) {
    const replay = encodeExploreToken({
      property: property.id, scenario: scenarioName, sets, overrides: shortest.labCase.overrides, faults: shortest.labCase.faults,
      choices: shortest.choices, maxDecisions: bounds.maxDecisions, verdict: shortest.verdict,
    });
    const report = replaySchedule(scenario, shortest.labCase, shortest.choices, bounds.maxDecisions);
    const drawn = await showCounterexample(scenario, shortest.labCase, {
      outDir: setup.out, replay, report, colour: !json && process.stdout.isTTY === true,
      title: `shortest ${property.kind === 'exists' ? 'schedule showing it' : 'failing schedule'} on ${scenario.name}: ${shortest.verdict}`,
      heading: 'explored case:', caseNotes: [...shortest.placements.map((p) => `fault: ${p.where}`), ...deviationLines(shortest)],
    });
    shown = { replay, text: drawn.text, files: drawn.files, report: withoutTrace(drawn.report) };
  }
  if (json) {
    console.log(JSON.stringify({
      scenario: scenario.name, property: property.id, verdict: summary.verdict, ok: outcome.ok, sentence: summary.sentence, counts,
      bounds: { ...bounds, lines: summary.bounds }, boundsReached: summary.boundsReached, enumerated: summary.enumerated, notEnumerated: summary.notEnumerated,
      shortest: shortest && shown ? { verdict: shortest.verdict, deviations: shortest.deviations, choices: shortest.choices, overrides: shortest.labCase.overrides, faults: shortest.labCase.faults, replay: shown.replay, files: shown.files, report: shown.report } : null,
    }, null, 2));
  } else {
    console.log([
      `explore ${scenario.name}: ${property.title}`,
      `${outcome.ok ? 'ok  ' : 'FAIL'} ${summary.sentence}`,
      `     ${outcome.schedules} schedules run, ${outcome.states} distinct states, ${outcome.pruned} runs pruned at an explored state, ${outcome.casesRun}/${outcome.cases} cases, ${(wallMs / 1000).toFixed(1)} s`,
      'bounds:', ...summary.bounds.map((line) => `  ${line}`),
      'bound reached:', ...summary.boundsReached.map((line) => `  ${line}`),
      'enumerated:', ...summary.enumerated.map((line) => `  ${line}`),
      'not enumerated:', ...summary.notEnumerated.map((line) => `  ${line}`),
      ...(shown ? ['', shown.text] : []),
    ].join('\n'));
  }
  return outcome.ok ? EXIT_OK : EXIT_EXPECTATION_FAILED;
}

export const explore: Command = {
  name: 'explore',
  usage,
  async run(args) {
    const started = performance.now();
    return withExecutor(workersIn(args), async (executor) => {
      const setup = setupOf(args);
      if (setup.shard === null) {
        const outcome = await exploreScenarioOn(executor, { scenario: setup.scenario, property: setup.property, ...setup.bounds, onCase: setup.onCase });
        return finish(setup, outcome, Math.round(performance.now() - started));
      }
      const plan = explorationPlan(setup.scenario, setup.property, setup.bounds);
      const answers = await exploreCasesOn(executor, plan, interleavedShareOf(setup.shard, plan.cases.length));
      const share: ExploreShare = { answers, wallMs: Math.round(performance.now() - started) };
      console.log(shardJson('explore', resultArgs(args, exploreOptions), setup.shard, share));
      return EXIT_OK;
    });
  },
  // The fold enumerates again at most the one case the run budget cut short: no threads needed.
  async merge(args, shares) {
    const setup = setupOf(args);
    const started = performance.now();
    const parts = shares.map(exploreShareOf);
    const outcome = foldAnswers(explorationPlan(setup.scenario, setup.property, setup.bounds), parts.flatMap((part) => part.answers), setup.onCase);
    const wallMs = parts.reduce((sum, part) => sum + part.wallMs, 0) + Math.round(performance.now() - started);
    return finish(setup, outcome, wallMs);
  },
};

/** `smtp-lab replay` with an explore token: run the schedule again, draw it, compare the verdict. */
export async function replayExplored(text: string, options: { out?: string; json?: boolean }): Promise<number> {
  const token = decodeExploreToken(text);
  const property = propertyById(token.property);
  if (!property) throw new UsageError(`the token names property '${token.property}', which this version does not have`);
  const scenario = loadScenario({ scenario: token.scenario, sets: token.sets });
  const labCase = exploredCase(scenario, token.overrides, token.faults);
  const report = replaySchedule(scenario, labCase, token.choices, token.maxDecisions);
  const verdict = property.verdict(labCase, report, scenarioFor(scenario, labCase)) ?? 'none (the schedule no longer fails)';
  const drawn = await showCounterexample(scenario, labCase, {
    outDir: options.out ?? 'lab-output', replay: text, report, colour: !options.json && process.stdout.isTTY === true,
    title: `replayed explored schedule of ${property.id} on ${scenario.name}: ${verdict}`, heading: 'explored case:',
    caseNotes: [NO_SEED, `choices: ${token.choices.join(',') || '(all defaults)'}`],
  });
  const same = verdict === token.verdict;
  if (options.json) {
    console.log(JSON.stringify({ property: property.id, scenario: scenario.name, reproduced: same, verdict, printedVerdict: token.verdict, report: withoutTrace(drawn.report), files: drawn.files }, null, 2));
  } else {
    console.log(drawn.text);
    if (!same) console.log(`the schedule gives a different verdict now:\n  printed: ${token.verdict}\n  now:     ${verdict}`);
  }
  return same ? EXIT_OK : EXIT_EXPECTATION_FAILED;
}
