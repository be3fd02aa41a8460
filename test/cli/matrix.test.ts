/* matrix - docs/matrix.md is the command's output on its defaults, and bad options are refused */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MATRIX_RUNS } from '../../cli/commands/matrix.ts';
import { computeMatrix, type MatrixOptions } from '../../cli/matrix/compute.ts';
import { withExecutor } from '../../cli/workers/pool.ts';
import { CONDITION_AXIS, FRONT_AXIS, POSTFIX_AXIS } from '../../cli/matrix/grid.ts';
import { matrixJson, matrixMarkdown } from '../../cli/matrix/render.ts';
import { DEFAULT_SCENARIO } from '../../scenarios/index.ts';
import { runSmtpLab } from './run-smtp-lab.ts';

const inThisThread = (options: MatrixOptions) => withExecutor(1, (executor) => computeMatrix(options, executor));
const DEFAULTS = { scenario: DEFAULT_SCENARIO, runs: DEFAULT_MATRIX_RUNS, seed: 1, rows: POSTFIX_AXIS, columns: FRONT_AXIS, conditions: CONDITION_AXIS };

describe('smtp-lab matrix', () => {
  it('docs/matrix.md is what the command prints on its defaults (regenerate: smtp-lab matrix > docs/matrix.md)', async () => {
    const committed = readFileSync(new URL('../../docs/matrix.md', import.meta.url), 'utf8');
    expect(matrixMarkdown(await inThisThread(DEFAULTS))).toBe(committed);
  });

  it("shows the bug where it is, and only there: Dovecot's pipelined EHLO into the check, never the lock-step proxy or nginx", async () => {
    const small = await inThisThread({ ...DEFAULTS, runs: 20, conditions: CONDITION_AXIS.filter((c) => c.label.startsWith('slow')) });
    const cell = (row: number, column: number) => small.cells.find((c) => c.row === POSTFIX_AXIS[row]!.label && c.column === FRONT_AXIS[column]!.label)!;
    // Postfix 3.9.0 with its default (yes): the 100 ms lookup makes Dovecot lose the race every time.
    expect(cell(3, 0).refused454).toBe(20);
    expect(cell(3, 2).refused454).toBe(0);
    expect(cell(3, 3).refused454).toBe(0);
    // PR 3322's setting: flagged, not refused. Before the check existed: neither.
    expect([cell(4, 0).refused454, cell(4, 0).improperPipelining]).toEqual([0, 20]);
    expect([cell(0, 0).refused454, cell(0, 0).improperPipelining]).toEqual([0, 0]);
  });

  it('--json gives every cell with its Wilson interval; the same options give the same bytes', async () => {
    const first = await runSmtpLab(['matrix', '--runs', '2', '--json'], process.cwd());
    expect(first.exitCode).toBe(0);
    const parsed = JSON.parse(first.stdout) as { cells: { refused454: { interval95: [number, number] } }[] };
    expect(parsed.cells).toHaveLength(POSTFIX_AXIS.length * FRONT_AXIS.length * CONDITION_AXIS.length);
    expect(parsed.cells[0]!.refused454.interval95[1]).toBeGreaterThan(0);
    expect(first.stdout).toBe(matrixJson(await inThisThread({ ...DEFAULTS, runs: 2 })));
  });

  it('--workers 2 prints the same bytes as one thread', async () => {
    const [one, two] = await Promise.all([
      runSmtpLab(['matrix', '--runs', '3', '--workers', '1'], process.cwd()),
      runSmtpLab(['matrix', '--runs', '3', '--workers', '2'], process.cwd()),
    ]);
    expect(two.exitCode).toBe(0);
    expect(two.stdout).toBe(one.stdout);
    expect(one.stdout).toBe(matrixMarkdown(await inThisThread({ ...DEFAULTS, runs: 3 })));
  });

  it.each([
    [['matrix', '--runs', '0'], /--runs must be an integer from 1 to 100000, got '0'/],
    [['matrix', '--scenario', 'no-such-scenario'], /no-such-scenario/],
    [['matrix', '--frobnicate'], /allowed options: --scenario, --runs, --seed, --json, --workers/],
  ])('refuses %j with exit 2 and a message', async (args, message) => {
    const result = await runSmtpLab(args, process.cwd());
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});
