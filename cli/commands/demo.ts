/* demo - the main job (npm start): reproduce the Mailu bug, then hold the fix and the workaround to the same traces */
import type { Command } from '../command.ts';
import { EXIT_EXPECTATION_FAILED, EXIT_OK } from '../command.ts';
import { integerOption, parseOptions } from '../args.ts';
import { loadScenario } from '../../scenarios/index.ts';
import { runLabProperty } from '../../properties/check.ts';
import { propertyById } from '../../properties/suite.ts';
import { replayTokenOf } from '../../properties/replay-token.ts';
import { replayLinkLine } from '../../playground/link.ts';
import { generateCases, runDifferential, type ScenarioTally } from '../../properties/differential.ts';
import { showCounterexample } from '../counterexample.ts';

const BUGGY = 'mailu-2024.06';
const COMPARED = [BUGGY, 'mailu-2024.06-pr3322', 'lockstep'] as const;

const usage = `usage: smtp-lab demo [--seed N] [--traces N] [--out DIR] [--json]

The lab's main job, what \`npm start\` runs:
  1. repro on ${BUGGY}: find a correct client that gets 454 because Postfix saw Dovecot's pipelined
     EHLO after XCLIENT, shrink it, draw it, print its replay token;
  2. generate N traces (client behaviour, TCP profiles, timings, benign faults) and run the SAME traces,
     plus the shrunk counterexample, on ${COMPARED.join(', ')};
  3. a table: traces, failures per scenario, and why.
Exit 0 when the bug is reproduced, breaks ${BUGGY} on generated traces, and neither the workaround
nor the lock-step proxy fails a correct client on any of them.

  --seed N     seed of the search and of the traces (default 1)
  --traces N   traces for the comparison (default 1000)
  --out DIR    where the counterexample's files go (default ./lab-output)
  --json       machine-readable output`;

function why(tally: ScenarioTally): string {
  if (tally.failures === 0) return tally.improperLogged > 0 ? `none refused; Postfix still logged improper pipelining in ${tally.improperLogged}` : 'none';
  return [...tally.reasons.entries()].sort((a, b) => b[1] - a[1]).map(([reason, n]) => `${n}× ${reason}`).join('; ');
}

export const demo: Command = {
  name: 'demo',
  usage,
  async run(args) {
    const { values } = parseOptions(args, { seed: { type: 'string' }, traces: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' } });
    const seed = integerOption('seed', values.seed, 1, 0, 0x7fffffff);
    const traces = integerOption('traces', values.traces, 1000, 1, 1_000_000);
    const buggy = loadScenario({ scenario: BUGGY });
    const say = (text: string) => { if (!values.json) console.log(text); };

    say(`smtp-lab demo, seed ${seed}\n\n== 1. repro on ${BUGGY} (Dovecot 2.3 submission proxy -> Postfix 3.9 defaults)\n`);
    const property = propertyById('bug-exists')!;
    const found = runLabProperty(property, { scenario: buggy, seed, numRuns: 500 });
    const replay = replayTokenOf(found, BUGGY, []);
    if (found.counterexample !== null && replay !== null) {
      const shown = await showCounterexample(buggy, found.counterexample, {
        outDir: values.out ?? 'lab-output',
        replay,
        title: `reproduced after ${found.runsToFailure} generated traces, ${found.shrinks} shrink steps: ${found.verdict}`,
        colour: !values.json && process.stdout.isTTY === true,
      });
      say(shown.text);
    } else say(`NOT reproduced in ${found.runs} traces`);

    say(`\n== 2. the same ${traces} generated traces${found.counterexample ? ' + the shrunk counterexample' : ''} on ${COMPARED.join(', ')}\n`);
    const cases = generateCases(seed, traces);
    if (found.counterexample) cases.push(found.counterexample);
    const report = runDifferential(COMPARED.map((name) => loadScenario({ scenario: name })), cases, seed);
    const tallyOf = (name: string) => report.tallies.find((t) => t.scenario === name)!;

    const ok =
      found.result === 'found' &&
      tallyOf(BUGGY).pipeliningFailures > 0 &&
      tallyOf('mailu-2024.06-pr3322').failures === 0 &&
      tallyOf('lockstep').failures === 0 &&
      tallyOf('lockstep').improperLogged === 0;

    if (values.json) {
      console.log(JSON.stringify({
        seed,
        reproduced: found.result === 'found',
        runsToFailure: found.runsToFailure,
        shrinkSteps: found.shrinks,
        replay,
        traces: cases.length,
        scenarios: report.tallies.map((t) => ({ scenario: t.scenario, traces: t.traces, failures: t.failures, pipeliningFailures: t.pipeliningFailures, improperLogged: t.improperLogged, why: Object.fromEntries(t.reasons) })),
        ok,
      }, null, 2));
    } else {
      const rows = report.tallies.map((t) => [t.scenario, String(t.traces), String(t.failures), String(t.improperLogged), why(t)]);
      const head = ['scenario', 'traces', 'failed', 'improper logged', 'why'];
      const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
      const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
      say(line(head));
      say(widths.map((w) => '-'.repeat(w)).join('  '));
      for (const row of rows) say(line(row));
      say('\n"failed": a client with the right password did not get 235 or lost a message; "improper logged": Postfix logged improper command pipelining after XCLIENT.');
      if (found.counterexample) say(`The last trace (#${cases.length}) is the shrunk counterexample from step 1.`);
      say(ok
        ? `\nRESULT: the bug is real (${tallyOf(BUGGY).pipeliningFailures} of ${cases.length} traces refuse a correct client on ${BUGGY}); the lock-step proxy and Mailu's workaround serve every one of them.`
        : '\nRESULT: expectation NOT met (see the table)');
      if (replay) say(`replay the counterexample: smtp-lab replay ${replay}\n${replayLinkLine(replay)}`);
    }
    return ok ? EXIT_OK : EXIT_EXPECTATION_FAILED;
  },
};
