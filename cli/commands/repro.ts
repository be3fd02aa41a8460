/* repro - find the Mailu 454/XCLIENT failure in generated traces, shrink it, draw it, make it replayable */
import type { Command } from '../command.ts';
import { EXIT_EXPECTATION_FAILED, EXIT_OK } from '../command.ts';
import { integerOption, parseOptions } from '../args.ts';
import { SCENARIO_USAGE, scenarioChoice, scenarioOptions } from '../common-options.ts';
import { runLabProperty } from '../../properties/check.ts';
import { propertyById } from '../../properties/suite.ts';
import { replayTokenOf } from '../../properties/replay-token.ts';
import { showCounterexample } from '../counterexample.ts';
import { withoutTrace } from '../../scenarios/run.ts';

const usage = `usage: smtp-lab repro [--scenario NAME|FILE] [--set KEY=VALUE]... [--seed N] [--runs N] [--out DIR] [--json]

Searches generated traces (client behaviour, TCP timing, component timing) of the scenario for a
correctly authenticating client that gets 454 while Postfix logs improper pipelining after XCLIENT,
shrinks it to the smallest such trace and prints it as a sequence diagram with the log lines and a
replay token. Writes trace.html, trace.svg, trace.mmd (Mermaid), trace.jsonl and report.json to DIR.
Exit 0 when reproduced, 1 when not found in N runs.

${SCENARIO_USAGE}
  --runs N              generated traces to try (default 200)
  --out DIR             where the files go (default ./lab-output)`;

export const repro: Command = {
  name: 'repro',
  usage,
  async run(args) {
    const { values } = parseOptions(args, { ...scenarioOptions, runs: { type: 'string' }, out: { type: 'string' } });
    const choice = scenarioChoice(values);
    const numRuns = integerOption('runs', values.runs, 200, 1, 1_000_000);
    const property = propertyById('bug-exists')!;
    const outcome = runLabProperty(property, { scenario: choice.scenario, seed: choice.seed, numRuns });
    if (outcome.error !== null) {
      // A model or the simulator threw on a generated trace: that is a lab bug, reported with what replays it.
      console.error(`smtp-lab repro: a generated trace crashed the lab (fast-check seed ${outcome.seed}, path ${outcome.path}): ${outcome.error}`);
      return EXIT_EXPECTATION_FAILED;
    }
    const base = { scenario: choice.scenario.name, seed: choice.seed, reproduced: outcome.result === 'found', runsToFailure: outcome.runsToFailure, shrinkSteps: outcome.shrinks };
    const replay = replayTokenOf(outcome, choice.scenarioName, choice.sets);
    if (outcome.counterexample === null || replay === null) {
      if (choice.json) console.log(JSON.stringify({ ...base, replay: null }, null, 2));
      else console.log(`not reproduced: ${outcome.runs} generated traces of ${choice.scenario.name} (seed ${choice.seed}) gave no correct client a 454 with improper pipelining after XCLIENT`);
      return EXIT_EXPECTATION_FAILED;
    }
    const shown = await showCounterexample(choice.scenario, outcome.counterexample, {
      outDir: values.out ?? 'lab-output',
      replay,
      title: `reproduced on ${choice.scenario.name}: ${outcome.verdict} (found after ${outcome.runsToFailure} generated traces, ${outcome.shrinks} shrink steps; fast-check seed ${outcome.seed}, path ${outcome.path})`,
      colour: !choice.json && process.stdout.isTTY === true,
      extra: base,
    });
    if (choice.json) {
      console.log(JSON.stringify({ ...base, replay, counterexample: outcome.counterexample, verdict: outcome.verdict, report: withoutTrace(shown.report), files: shown.files }, null, 2));
    } else console.log(shown.text);
    return EXIT_OK;
  },
};
