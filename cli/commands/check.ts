/* check - run the property suite against a scenario, with progress, statistics and counterexamples */
import type { Command } from '../command.ts';
import { EXIT_EXPECTATION_FAILED, EXIT_OK, UsageError } from '../command.ts';
import { integerOption, parseOptions } from '../args.ts';
import { SCENARIO_USAGE, scenarioOptions } from '../common-options.ts';
import { loadScenario } from '../../scenarios/index.ts';
import { runLabProperty, type CheckOutcome } from '../../properties/check.ts';
import { PROPERTIES, type LabProperty } from '../../properties/suite.ts';
import { encodeReplayToken } from '../../properties/replay-token.ts';
import { describeLabCase } from '../lab-case-text.ts';

const FORALL = PROPERTIES.filter((property) => property.kind === 'forall');

const usage = `usage: smtp-lab check [--scenario NAME|FILE] [--set KEY=VALUE]... [--seed N] [--runs N] [--property ID]... [--json]

Runs the lab's properties with fast-check: generated client behaviour, TCP timing, component timing
and faults. Without --scenario each property runs on its own scenario (${FORALL.map((p) => `${p.id}: ${p.scenario}`).join(', ')});
with --scenario every property runs on that one. Prints a progress line, the statistics of the
generated traces (coverage classes), and for each failure the shrunk counterexample with its seed,
path and replay token. Exit 0 when every property holds and its coverage classes were generated.

${SCENARIO_USAGE}
  --runs N              generated traces per property (default 100)
  --property ID         only this property (repeatable): ${FORALL.map((p) => p.id).join(', ')}`;

function progress(property: LabProperty, runs: number, total: number): void {
  if (process.stderr.isTTY) process.stderr.write(`\r${property.id}: ${runs}/${total} traces`);
}

function outcomeJson(outcome: CheckOutcome, replay: string | null) {
  return {
    property: outcome.property.id,
    title: outcome.property.title,
    scenario: outcome.scenario,
    runs: outcome.runs,
    result: outcome.result,
    ok: outcome.ok,
    seed: outcome.seed,
    path: outcome.path,
    verdict: outcome.verdict,
    counterexample: outcome.counterexample,
    replay,
    missingCoverage: outcome.missingCoverage,
    statistics: Object.fromEntries(outcome.coverage.counts),
    error: outcome.error,
  };
}

export const check: Command = {
  name: 'check',
  usage,
  async run(args) {
    const { values } = parseOptions(args, { ...scenarioOptions, runs: { type: 'string' }, property: { type: 'string', multiple: true } });
    const numRuns = integerOption('runs', values.runs, 100, 1, 1_000_000);
    const seed = integerOption('seed', values.seed, 1, 0, 0x7fffffff);
    const sets = values.set ?? [];
    const wanted = values.property ?? FORALL.map((p) => p.id);
    const unknown = wanted.filter((id) => !FORALL.some((p) => p.id === id));
    if (unknown.length > 0) throw new UsageError(`unknown property '${unknown[0]}'; allowed: ${FORALL.map((p) => p.id).join(', ')}`);
    const outcomes = FORALL.filter((p) => wanted.includes(p.id)).map((property) => {
      const scenarioName = values.scenario ?? property.scenario;
      const scenario = loadScenario({ scenario: scenarioName, sets });
      const outcome = runLabProperty(property, { scenario, seed, numRuns, onRun: (runs) => progress(property, runs, numRuns) });
      if (process.stderr.isTTY) process.stderr.write('\n');
      const replay = outcome.path === null || outcome.counterexample === null ? null : encodeReplayToken({ property: property.id, scenario: scenarioName, sets, seed: outcome.seed, path: outcome.path });
      return { outcome, replay };
    });
    if (values.json) console.log(JSON.stringify(outcomes.map(({ outcome, replay }) => outcomeJson(outcome, replay)), null, 2));
    else {
      for (const { outcome, replay } of outcomes) {
        console.log(`${outcome.ok ? 'ok  ' : 'FAIL'} ${outcome.property.title}`);
        console.log(`     scenario ${outcome.scenario}, ${outcome.runs} traces, seed ${outcome.seed}: ${outcome.result}`);
        for (const line of outcome.coverage.lines()) console.log(`       ${line}`);
        if (outcome.missingCoverage.length > 0) console.log(`     never generated: ${outcome.missingCoverage.join(', ')} (a pass would mean nothing)`);
        if (outcome.error) console.log(`     crashed: ${outcome.error}`);
        if (outcome.verdict) console.log(`     counterexample: ${outcome.verdict}`);
        if (outcome.counterexample) for (const line of describeLabCase(outcome.counterexample)) console.log(`       ${line}`);
        if (replay) console.log(`     seed ${outcome.seed}, path ${outcome.path}\n     replay: smtp-lab replay ${replay}`);
      }
    }
    return outcomes.every(({ outcome }) => outcome.ok) ? EXIT_OK : EXIT_EXPECTATION_FAILED;
  },
};
