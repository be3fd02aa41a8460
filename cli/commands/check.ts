/* check - run the property suite against a scenario, with progress, statistics and counterexamples */
import type { Command } from '../command.ts';
import { EXIT_EXPECTATION_FAILED, EXIT_OK, UsageError } from '../command.ts';
import { integerOption, parseOptions } from '../args.ts';
import { SCENARIO_USAGE, scenarioOptions } from '../common-options.ts';
import { PARALLEL_USAGE, parallelOptions, shardOption, shareOf, workersIn } from '../parallel-options.ts';
import { resultArgs, shardJson } from '../shard-file.ts';
import { checkPartJson, checkPartOf, sharesOfLength } from '../share-codec.ts';
import { withExecutor } from '../workers/pool.ts';
import { loadScenario } from '../../scenarios/index.ts';
import { checkPart, combineCheckParts, concludeCheck, type CheckOptions, type CheckOutcome, type CheckPart } from '../../properties/check.ts';
import type { Executor } from '../../properties/parallel/executor.ts';
import { DIFFERENTIAL_REFERENCE, PROPERTIES, type LabProperty } from '../../properties/suite.ts';
import { replayTokenOf } from '../../properties/replay-token.ts';
import { replayLinkLine } from '../../playground/link.ts';
import { describeLabCase } from '../lab-case-text.ts';

const usage = `usage: smtp-lab check [--scenario NAME|FILE] [--set KEY=VALUE]... [--seed N] [--runs N] [--property ID]... [--json]
                      [--workers N] [--shard i/n]

Runs the lab's properties with fast-check: generated client behaviour, TCP timing, component timing
and faults. Without --scenario each property runs on its own scenario (${PROPERTIES.map((p) => `${p.id}: ${p.scenario}`).join(', ')});
with --scenario, the properties that apply to that scenario run on it (the others are listed with
the reason they do not apply); a property named with --property runs whether it applies or not.
Prints a progress line, the statistics of the traces that ran (classified by the configuration
each actually ran with), and for each failure the shrunk counterexample with its seed, path and
replay token. Exit 0 when every property run holds and its coverage classes ran; a class that
a --set rules out is listed as pinned away, not counted as covered.

The generated runs are spread over worker threads and, with --shard, over machines: the same runs
are made and the first failing one in run order is shrunk in one thread, so the output is the
same for any --workers and for \`smtp-lab merge\` of shards 1..n (docs/scale.md).

${SCENARIO_USAGE}
  --runs N              generated traces per property (default 100)
  --property ID         only this property (repeatable): ${PROPERTIES.map((p) => p.id).join(', ')}
${PARALLEL_USAGE}`;

function progress(property: LabProperty, runs: number, total: number): void {
  if (process.stderr.isTTY) process.stderr.write(`\r${property.id}: ${runs}/${total} traces`);
}

function outcomeJson(outcome: CheckOutcome, replay: string | null) {
  return {
    property: outcome.property.id,
    title: outcome.property.title,
    scenario: outcome.scenario,
    releases: outcome.releases,
    runs: outcome.runs,
    result: outcome.result,
    ok: outcome.ok,
    seed: outcome.seed,
    path: outcome.path,
    verdict: outcome.verdict,
    counterexample: outcome.counterexample,
    replay,
    missingCoverage: outcome.coverageGap.missing,
    pinnedCoverage: outcome.coverageGap.pinned,
    statistics: Object.fromEntries(outcome.coverage.counts),
    tallies: outcome.tallies.map(({ reasons, ...tally }) => ({ ...tally, reasons: Object.fromEntries(reasons) })),
    error: outcome.error,
  };
}

function printOutcome(outcome: CheckOutcome, replay: string | null): void {
  console.log(`${outcome.ok ? 'ok  ' : 'FAIL'} ${outcome.property.title}`);
  console.log(`     scenario ${outcome.scenario}, ${outcome.runs} traces, seed ${outcome.seed}: ${outcome.result}`);
  console.log(`     on ${outcome.releases}`);
  for (const line of outcome.coverage.lines()) console.log(`       ${line}`);
  for (const tally of outcome.tallies) console.log(`       ${tally.scenario}: ${tally.failures} of ${tally.traces} correct clients refused`);
  if (outcome.coverageGap.missing.length > 0) console.log(`     never ran: ${outcome.coverageGap.missing.join(', ')} (a pass would mean nothing)`);
  for (const { coverageClass, by } of outcome.coverageGap.pinned) console.log(`     not covered: ${coverageClass} (ruled out by ${by})`);
  if (outcome.error) console.log(`     crashed: ${outcome.error}`);
  if (outcome.verdict) console.log(`     counterexample: ${outcome.verdict}`);
  if (outcome.counterexample) for (const line of describeLabCase(outcome.counterexample)) console.log(`       ${line}`);
  if (replay) console.log(`     seed ${outcome.seed}, path ${outcome.path}\n     replay: smtp-lab replay ${replay}\n     ${replayLinkLine(replay)}`);
}

/** The properties to run and, for the others, why they do not apply to the scenario the user named. */
function selection(wanted: readonly string[] | undefined, scenarioName: string | undefined, sets: readonly string[]) {
  if (wanted) return { run: PROPERTIES.filter((p) => wanted.includes(p.id)), skipped: [] };
  if (scenarioName === undefined) return { run: PROPERTIES, skipped: [] };
  const scenario = loadScenario({ scenario: scenarioName, sets });
  const reasons = PROPERTIES.map((property) => ({ property, why: property.appliesTo(scenario) }));
  return {
    run: reasons.filter(({ why }) => why === null).map(({ property }) => property),
    skipped: reasons.flatMap(({ property, why }) => (why === null ? [] : [{ property, why }])),
  };
}

const checkOptions = { ...scenarioOptions, runs: { type: 'string' }, property: { type: 'string', multiple: true }, ...parallelOptions } as const;

/** Everything `check ARGS` decides before it runs anything: the same for the whole run, a shard and a merge. */
function setupOf(args: readonly string[]) {
  const { values } = parseOptions(args, checkOptions);
  // Up to 10^8: with --shard the runs of many machines add up (docs/scale.md).
  const numRuns = integerOption('runs', values.runs, 100, 1, 100_000_000);
  const seed = integerOption('seed', values.seed, 1, 0, 0x7fffffff);
  const sets = values.set ?? [];
  const unknown = (values.property ?? []).filter((id) => !PROPERTIES.some((p) => p.id === id));
  if (unknown.length > 0) throw new UsageError(`unknown property '${unknown[0]}'; allowed: ${PROPERTIES.map((p) => p.id).join(', ')}`);
  const { run, skipped } = selection(values.property, values.scenario, sets);
  const reference = loadScenario({ scenario: DIFFERENTIAL_REFERENCE, sets });
  const properties = run.map((property) => {
    const scenarioName = values.scenario ?? property.scenario;
    const options: CheckOptions = {
      scenario: loadScenario({ scenario: scenarioName, sets }), seed, numRuns, reference, onRun: (runs) => progress(property, runs, numRuns),
    };
    return { property, scenarioName, options };
  });
  return { properties, skipped, sets, numRuns, json: values.json ?? false, shard: shardOption(values.shard) };
}

type CheckSetup = ReturnType<typeof setupOf>;

/** Each property's part of the share's runs. */
async function shareOfCheck(setup: CheckSetup, executor: Executor): Promise<CheckPart[]> {
  const { start, count } = shareOf(setup.shard, setup.numRuns);
  const parts: CheckPart[] = [];
  for (const { property, options } of setup.properties) {
    parts.push(await checkPart(executor, property, options, start, count));
    if (process.stderr.isTTY) process.stderr.write('\n');
  }
  return parts;
}

/** Conclude each property from its parts (shares in order) and print what one run prints. */
async function finish(setup: CheckSetup, shares: readonly (readonly CheckPart[])[], executor: Executor): Promise<number> {
  const outcomes: { outcome: CheckOutcome; replay: string | null }[] = [];
  for (const [i, { property, scenarioName, options }] of setup.properties.entries()) {
    const outcome = await concludeCheck(executor, property, options, shares.map((parts) => parts[i]!).reduce(combineCheckParts));
    outcomes.push({ outcome, replay: replayTokenOf(outcome, scenarioName, setup.sets) });
  }
  if (setup.json) {
    console.log(JSON.stringify({
      results: outcomes.map(({ outcome, replay }) => outcomeJson(outcome, replay)),
      notApplicable: setup.skipped.map(({ property, why }) => ({ property: property.id, why })),
    }, null, 2));
  } else {
    for (const { outcome, replay } of outcomes) printOutcome(outcome, replay);
    for (const { property, why } of setup.skipped) console.log(`n/a  ${property.title}\n     ${why}`);
  }
  return outcomes.every(({ outcome }) => outcome.ok) ? EXIT_OK : EXIT_EXPECTATION_FAILED;
}

export const check: Command = {
  name: 'check',
  usage,
  async run(args) {
    return withExecutor(workersIn(args), async (executor) => {
      const setup = setupOf(args);
      const parts = await shareOfCheck(setup, executor);
      if (setup.shard === null) return finish(setup, [parts], executor);
      console.log(shardJson('check', resultArgs(args, checkOptions), setup.shard, parts.map(checkPartJson)));
      return EXIT_OK;
    });
  },
  async merge(args, shares, workers) {
    const setup = setupOf(args);
    const parts = sharesOfLength(shares, setup.properties.length, 'one result per property').map((share) => share.map(checkPartOf));
    return withExecutor(workers, (executor) => finish(setup, parts, executor));
  },
};
