/* matrix - outcome tables over Postfix releases and settings × fronts × conditions (cli/matrix/) */
import type { Command } from '../command.ts';
import { EXIT_OK } from '../command.ts';
import { integerOption, parseOptions } from '../args.ts';
import { WORKERS_USAGE, workersOption } from '../parallel-options.ts';
import { withExecutor } from '../workers/pool.ts';
import { DEFAULT_SCENARIO, loadScenario } from '../../scenarios/index.ts';
import { computeMatrix } from '../matrix/compute.ts';
import { CONDITION_AXIS, FRONT_AXIS, POSTFIX_AXIS } from '../matrix/grid.ts';
import { matrixJson, matrixMarkdown } from '../matrix/render.ts';

export const DEFAULT_MATRIX_RUNS = 100;

const usage = `usage: smtp-lab matrix [--scenario NAME|FILE] [--runs N] [--seed N] [--json] [--workers N]

Which Postfix releases and settings, behind which front, hit the 454, and how often: one table per
condition (Linux's default TCP, quick-ACK, a 100 ms smtpd_authorized_xclient_hosts lookup), rows
Postfix ${POSTFIX_AXIS.map((r) => r.label.replace(/^Postfix /, '')).join('; ')},
columns ${FRONT_AXIS.map((c) => c.label).join(', ')}. Each cell runs N sessions of the scenario
with the row's, column's and table's keys and counts the clients refused with 454 and the sessions
Postfix flagged for improper pipelining after XCLIENT. Markdown (docs/matrix.md is this output on the
defaults), or JSON with Wilson 95 % intervals. The same options give the same bytes, whatever
--workers says (cells are independent seeded sessions, spread over threads a cell at a time).

  --scenario NAME|FILE  the scenario each cell starts from (default ${DEFAULT_SCENARIO})
  --runs N              sessions per cell, 1-100000 (default ${DEFAULT_MATRIX_RUNS})
  --seed N              seed of the first session (default 1)
  --json                machine-readable output
${WORKERS_USAGE}`;

export const matrix: Command = {
  name: 'matrix',
  usage,
  async run(args) {
    const { values } = parseOptions(args, { scenario: { type: 'string' }, runs: { type: 'string' }, seed: { type: 'string' }, json: { type: 'boolean' }, workers: { type: 'string' } });
    const scenario = values.scenario ?? DEFAULT_SCENARIO;
    const options = {
      scenario,
      runs: integerOption('runs', values.runs, DEFAULT_MATRIX_RUNS, 1, 100_000),
      seed: integerOption('seed', values.seed, 1, 0, 0x7fffffff),
      rows: POSTFIX_AXIS,
      columns: FRONT_AXIS,
      conditions: CONDITION_AXIS,
    };
    // The threads start first and load while the scenario does.
    const result = await withExecutor(workersOption(values.workers), (executor) => {
      // Loaded once up front: a missing or broken scenario is reported as such, not as a cell's failure.
      loadScenario({ scenario });
      return computeMatrix(options, executor);
    });
    process.stdout.write(values.json ? matrixJson(result) : matrixMarkdown(result));
    return EXIT_OK;
  },
};
