/* audit - is a deployment affected by the 454/XCLIENT bug: evidence (conditions, counterexample, properties), then the fixes */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from '../command.ts';
import { EXIT_EXPECTATION_FAILED, EXIT_OK, UsageError } from '../command.ts';
import { integerOption, parseOptions } from '../args.ts';
import { runAudit } from '../../audit/run-audit.ts';
import { importDeployment, scenarioFileText } from '../../import/index.ts';
import { loadScenario, type Scenario } from '../../scenarios/index.ts';
import { showCounterexample } from '../counterexample.ts';
import { auditJson, auditMarkdown, type ShownSearch } from '../audit-report.ts';

const usage = `usage: smtp-lab audit SCENARIO|DIR [--set KEY=VALUE]... [--port N] [--backend-port N] [--seed N] [--traces N] [--runs N] [--search-runs N] [--out DIR] [--json]

Answers an operator's question about one deployment: is it affected by the 454 after XCLIENT, how
often and under which conditions, with what evidence, and which change fixes it at what cost.
SCENARIO is a built-in scenario or a scenario file (smtp-lab import writes one); a DIR of
configuration files is imported first (its scenario file is written to the --out directory).
  1. N generated traces (client behaviour, TCP profiles, XCLIENT lookup time, other timing) on the
     scenario: correct clients refused, and the failure rate per condition;
  2. the trigger search (property 1), shrunk to a minimal counterexample drawn as a diagram, with
     its replay token; the other properties that apply, as \`smtp-lab check\` runs them;
  3. each candidate fix (PR 3322's smtpd_forbid_unauth_pipelining = no, a lock-step front, the
     newest Dovecot, a fast XCLIENT lookup) on the same traces, with what it costs.
Markdown, or --json. Exit 0 not affected, 1 affected (or inconclusive), 2 bad input.

  --set KEY=VALUE     override a key of the scenario (repeatable)
  --port N, --backend-port N
                      for a DIR: the client's port and Postfix's, as \`smtp-lab import\` takes them
  --seed N            the seed of everything (default 1)
  --traces N          generated traces per scenario and fix (default 300)
  --runs N            traces per property (default 50)
  --search-runs N     traces the trigger search tries (default 200)
  --out DIR           where the counterexample's files go (default ./lab-output/audit)
  --json              machine-readable output`;

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

interface ImportChoices {
  readonly port?: number;
  readonly backendPort?: number;
}

/** The scenario and how replay tokens name it: a directory is imported and its scenario file written. */
function scenarioOf(target: string, sets: readonly string[], choices: ImportChoices, outDir: string): { scenario: Scenario; ref: string } {
  if (!isDirectory(target)) {
    if (Object.keys(choices).length > 0) throw new UsageError('--port and --backend-port choose the path through a directory of configuration files; give a DIR, or import it first');
    return { scenario: loadScenario({ scenario: target, sets }), ref: target };
  }
  const imported = importDeployment({ paths: [target], sets, ...choices });
  mkdirSync(outDir, { recursive: true });
  const ref = join(outDir, 'scenario.json');
  writeFileSync(ref, scenarioFileText(imported.definition));
  return { scenario: loadScenario({ scenario: ref }), ref };
}

export const audit: Command = {
  name: 'audit',
  usage,
  async run(args) {
    const { values, positionals } = parseOptions(args, {
      set: { type: 'string', multiple: true }, port: { type: 'string' }, 'backend-port': { type: 'string' }, seed: { type: 'string' }, traces: { type: 'string' }, runs: { type: 'string' }, 'search-runs': { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' },
    }, true);
    if (positionals.length !== 1) throw new UsageError('give one scenario (a built-in name or a scenario file) or one directory of configuration files');
    const outDir = values.out ?? join('lab-output', 'audit');
    const choices: ImportChoices = {
      ...(values.port !== undefined ? { port: integerOption('port', values.port, 0, 1, 65535) } : {}),
      ...(values['backend-port'] !== undefined ? { backendPort: integerOption('backend-port', values['backend-port'], 0, 1, 65535) } : {}),
    };
    const { scenario, ref } = scenarioOf(positionals[0]!, values.set ?? [], choices, outDir);
    const report = runAudit({
      scenario,
      scenarioRef: ref,
      seed: integerOption('seed', values.seed, 1, 0, 0x7fffffff),
      traces: integerOption('traces', values.traces, 300, 1, 100_000),
      propertyRuns: integerOption('runs', values.runs, 50, 1, 100_000),
      searchRuns: integerOption('search-runs', values['search-runs'], 200, 1, 100_000),
    });
    let shown: ShownSearch | null = null;
    if (typeof report.search !== 'string' && report.search.outcome.counterexample !== null && report.search.replay !== null) {
      const { outcome, replay } = report.search;
      shown = await showCounterexample(scenario, outcome.counterexample!, {
        outDir,
        replay,
        title: `${outcome.verdict} (found after ${outcome.runsToFailure} generated traces, ${outcome.shrinks} shrink steps; fast-check seed ${outcome.seed}, path ${outcome.path})`,
        colour: !values.json && process.stdout.isTTY === true,
      });
    }
    console.log(values.json ? JSON.stringify(auditJson(report, shown, ref), null, 2) : auditMarkdown(report, shown, ref));
    return report.verdict === 'not affected' ? EXIT_OK : EXIT_EXPECTATION_FAILED;
  },
};
