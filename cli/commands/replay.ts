/* replay - re-run a printed counterexample exactly, from its token (fast-check seed and path) */
import type { Command } from '../command.ts';
import { EXIT_EXPECTATION_FAILED, EXIT_OK, UsageError } from '../command.ts';
import { parseOptions } from '../args.ts';
import { loadScenario } from '../../scenarios/index.ts';
import { runLabProperty } from '../../properties/check.ts';
import { propertyById } from '../../properties/suite.ts';
import { decodeReplayToken } from '../../properties/replay-token.ts';
import { isExploreToken } from '../../properties/explore/explore-token.ts';
import { showCounterexample } from '../counterexample.ts';
import { withoutTrace } from '../../scenarios/run.ts';

const usage = `usage: smtp-lab replay TOKEN [--out DIR] [--json]

Re-runs the counterexample a repro, check or explore printed ("replay: smtp-lab replay TOKEN"): the same
generated trace (or explored schedule) on the same scenario, drawn again, with the files written to DIR (default ./lab-output).
Exit 0 when the trace gives the same verdict it gave when the token was printed (the bug for repro,
the property failure for check); 1 when it no longer fails, or fails differently (both verdicts are
printed: the lab or the scenario changed since).`;

export const replay: Command = {
  name: 'replay',
  usage,
  async run(args) {
    const { values, positionals } = parseOptions(args, { out: { type: 'string' }, json: { type: 'boolean' } }, true);
    if (positionals.length !== 1) throw new UsageError('give exactly one replay token (the text after "smtp-lab replay" in a repro, check or explore report)');
    if (isExploreToken(positionals[0]!)) return (await import('./explore.ts')).replayExplored(positionals[0]!, values);
    const token = decodeReplayToken(positionals[0]!);
    const property = propertyById(token.property);
    if (!property) throw new UsageError(`the token names property '${token.property}', which this version does not have`);
    const scenario = loadScenario({ scenario: token.scenario, sets: token.sets });
    const firstRun = Number(token.path.split(':')[0] ?? '0');
    const outcome = runLabProperty(property, { scenario, seed: token.seed, numRuns: firstRun + 1, path: token.path });
    if (outcome.counterexample === null) {
      console.log(`the trace no longer fails: ${property.title} holds for seed ${token.seed}, path ${token.path} on ${scenario.name}\n  it showed: ${token.verdict}`);
      return EXIT_EXPECTATION_FAILED;
    }
    const verdict = outcome.verdict ?? outcome.error ?? '';
    const shown = await showCounterexample(scenario, outcome.counterexample, {
      outDir: values.out ?? 'lab-output',
      replay: positionals[0]!,
      title: `replayed ${property.id} on ${scenario.name}: ${verdict} (seed ${token.seed}, path ${token.path})`,
      colour: !values.json && process.stdout.isTTY === true,
    });
    const same = verdict === token.verdict;
    if (values.json) {
      console.log(JSON.stringify({ property: property.id, scenario: scenario.name, seed: token.seed, path: token.path, reproduced: same, verdict, printedVerdict: token.verdict, counterexample: outcome.counterexample, report: withoutTrace(shown.report), files: shown.files }, null, 2));
    } else {
      console.log(shown.text);
      if (!same) console.log(`the trace fails differently now:\n  printed: ${token.verdict}\n  now:     ${verdict}`);
    }
    return same ? EXIT_OK : EXIT_EXPECTATION_FAILED;
  },
};
