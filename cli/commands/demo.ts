/* demo - the main job (npm start): reproduce the Mailu bug, then hold the fix and the workaround to the same traces */
import type { Command } from '../command.ts';
import { EXIT_EXPECTATION_FAILED, EXIT_OK } from '../command.ts';
import { integerOption, parseOptions } from '../args.ts';
import { PARALLEL_USAGE, parallelOptions, shardOption, shareOf, workersIn } from '../parallel-options.ts';
import { resultArgs, shardJson } from '../shard-file.ts';
import { checkPartJson, checkPartOf, damaged, tallyJson, tallyOf } from '../share-codec.ts';
import { withExecutor } from '../workers/pool.ts';
import { loadScenario } from '../../scenarios/index.ts';
import { checkPart, combineCheckParts, concludeCheck, type CheckPart } from '../../properties/check.ts';
import type { Executor } from '../../properties/parallel/executor.ts';
import { propertyById } from '../../properties/suite.ts';
import { replayTokenOf } from '../../properties/replay-token.ts';
import { replayLinkLine } from '../../playground/link.ts';
import { combineTallies, runDifferential, tallyCases, type ScenarioTally, type TallySlice } from '../../properties/differential.ts';
import { showCounterexample } from '../counterexample.ts';

const BUGGY = 'mailu-2024.06';
const COMPARED = [BUGGY, 'mailu-2024.06-pr3322', 'lockstep'] as const;

const usage = `usage: smtp-lab demo [--seed N] [--traces N] [--out DIR] [--json] [--workers N] [--shard i/n]

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
  --json       machine-readable output
The search's runs and the traces are spread over worker threads (and machines, with --shard and
\`smtp-lab merge\`); the output is the same for any number of them (docs/scale.md).
${PARALLEL_USAGE}`;

function why(tally: ScenarioTally): string {
  if (tally.failures === 0) return tally.improperLogged > 0 ? `none refused; Postfix still logged improper pipelining in ${tally.improperLogged}` : 'none';
  return [...tally.reasons.entries()].sort((a, b) => b[1] - a[1]).map(([reason, n]) => `${n}× ${reason}`).join('; ');
}

/** The search's runs, as \`npm start\` has always searched them. */
const SEARCH_RUNS = 500;

const demoOptions = { seed: { type: 'string' }, traces: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' }, ...parallelOptions } as const;

function setupOf(args: readonly string[]) {
  const { values } = parseOptions(args, demoOptions);
  return {
    seed: integerOption('seed', values.seed, 1, 0, 0x7fffffff),
    traces: integerOption('traces', values.traces, 1000, 1, 1_000_000),
    out: values.out ?? 'lab-output',
    json: values.json ?? false,
    shard: shardOption(values.shard),
    buggy: loadScenario({ scenario: BUGGY }),
    compared: COMPARED.map((name) => loadScenario({ scenario: name })),
  };
}

type DemoSetup = ReturnType<typeof setupOf>;

/** The share's part of step 1's search and of step 2's traces. */
interface DemoShare {
  readonly search: CheckPart;
  readonly table: TallySlice;
}

async function shareOfDemo(setup: DemoSetup, executor: Executor): Promise<DemoShare> {
  const runs = shareOf(setup.shard, SEARCH_RUNS);
  const traces = shareOf(setup.shard, setup.traces);
  return {
    search: await checkPart(executor, propertyById('bug-exists')!, { scenario: setup.buggy, seed: setup.seed, numRuns: SEARCH_RUNS }, runs.start, runs.count),
    table: await tallyCases(executor, setup.compared, setup.seed, traces.start, traces.count),
  };
}

async function finish(setup: DemoSetup, shares: readonly DemoShare[], executor: Executor): Promise<number> {
  const { seed, traces, buggy } = setup;
  const say = (text: string) => { if (!setup.json) console.log(text); };

  say(`smtp-lab demo, seed ${seed}\n\n== 1. repro on ${BUGGY} (Dovecot 2.3 submission proxy -> Postfix 3.9 defaults)\n`);
  const property = propertyById('bug-exists')!;
  const found = await concludeCheck(executor, property, { scenario: buggy, seed, numRuns: SEARCH_RUNS }, shares.map((share) => share.search).reduce(combineCheckParts));
  const replay = replayTokenOf(found, BUGGY, []);
  if (found.counterexample !== null && replay !== null) {
    const shown = await showCounterexample(buggy, found.counterexample, {
      outDir: setup.out,
      replay,
      title: `reproduced after ${found.runsToFailure} generated traces, ${found.shrinks} shrink steps: ${found.verdict}`,
      colour: !setup.json && process.stdout.isTTY === true,
    });
    say(shown.text);
  } else say(`NOT reproduced in ${found.runs} traces`);

  say(`\n== 2. the same ${traces} generated traces${found.counterexample ? ' + the shrunk counterexample' : ''} on ${COMPARED.join(', ')}\n`);
  const generated = shares.map((share) => share.table).reduce(combineTallies);
  const tallies = found.counterexample ? combineTallies(generated, runDifferential(setup.compared, [found.counterexample], seed).tallies) : generated;
  const total = tallies[0]!.traces;
  const tallyOf = (name: string) => tallies.find((t) => t.scenario === name)!;

  const ok =
    found.result === 'found' &&
    tallyOf(BUGGY).pipeliningFailures > 0 &&
    tallyOf('mailu-2024.06-pr3322').failures === 0 &&
    tallyOf('lockstep').failures === 0 &&
    tallyOf('lockstep').improperLogged === 0;

  if (setup.json) {
    console.log(JSON.stringify({
      seed,
      reproduced: found.result === 'found',
      runsToFailure: found.runsToFailure,
      shrinkSteps: found.shrinks,
      replay,
      traces: total,
      scenarios: tallies.map((t) => ({ scenario: t.scenario, traces: t.traces, failures: t.failures, pipeliningFailures: t.pipeliningFailures, improperLogged: t.improperLogged, why: Object.fromEntries(t.reasons) })),
      ok,
    }, null, 2));
  } else {
    const rows = tallies.map((t) => [t.scenario, String(t.traces), String(t.failures), String(t.improperLogged), why(t)]);
    const head = ['scenario', 'traces', 'failed', 'improper logged', 'why'];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
    say(line(head));
    say(widths.map((w) => '-'.repeat(w)).join('  '));
    for (const row of rows) say(line(row));
    say('\n"failed": a client with the right password did not get 235 or lost a message; "improper logged": Postfix logged improper command pipelining after XCLIENT.');
    if (found.counterexample) say(`The last trace (#${total}) is the shrunk counterexample from step 1.`);
    say(ok
      ? `\nRESULT: the bug is real (${tallyOf(BUGGY).pipeliningFailures} of ${total} traces refuse a correct client on ${BUGGY}); the lock-step proxy and Mailu's workaround serve every one of them.`
      : '\nRESULT: expectation NOT met (see the table)');
    if (replay) say(`replay the counterexample: smtp-lab replay ${replay}\n${replayLinkLine(replay)}`);
  }
  return ok ? EXIT_OK : EXIT_EXPECTATION_FAILED;
}

function demoShareOf(json: unknown): DemoShare {
  const share = json as { search?: unknown; table?: unknown } | null;
  if (typeof share !== 'object' || share === null) throw damaged('a demo share');
  return { search: checkPartOf(share.search), table: tallyOf(share.table) };
}

export const demo: Command = {
  name: 'demo',
  usage,
  async run(args) {
    return withExecutor(workersIn(args), async (executor) => {
      const setup = setupOf(args);
      const share = await shareOfDemo(setup, executor);
      if (setup.shard === null) return finish(setup, [share], executor);
      console.log(shardJson('demo', resultArgs(args, demoOptions), setup.shard, { search: checkPartJson(share.search), table: tallyJson(share.table) }));
      return EXIT_OK;
    });
  },
  async merge(args, shares, workers) {
    const setup = setupOf(args);
    return withExecutor(workers, (executor) => finish(setup, shares.map(demoShareOf), executor));
  },
};
