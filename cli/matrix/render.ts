/* render - the matrix as Markdown tables (one per condition) and as JSON with Wilson 95 % intervals */
import { wilson } from '../../conformance/stats.ts';
import type { Matrix, MatrixCell } from './compute.ts';

const pct = (k: number, n: number) => `${Math.round((100 * k) / n)} %`;

function cellText(cell: MatrixCell): string {
  return `454: ${pct(cell.refused454, cell.runs)} · flagged: ${pct(cell.improperPipelining, cell.runs)}`;
}

export function matrixMarkdown(matrix: Matrix): string {
  const { options } = matrix;
  const lines = [
    '# Release matrix',
    '',
    `Written by \`smtp-lab matrix > docs/matrix.md\` (a test fails when this file and the command disagree). Each cell: ${options.runs} sessions of the`,
    `\`${options.scenario}\` scenario (seeds ${options.seed}..${options.seed + options.runs - 1}) with the row's Postfix, the column's front and the table's condition;`,
    "**454**: sessions whose client got `454 4.7.0` to AUTH (Mailu's symptom); **flagged**: sessions in which Postfix logged",
    '`improper command pipelining after XCLIENT` (with `smtpd_forbid_unauth_pipelining=no` it logs and goes on; before the check existed it cannot).',
    "Rates are the lab's, with its default timing model (not fitted to a machine: `smtp-lab calibrate` does that); `--json` gives each with its Wilson 95 % interval.",
  ];
  for (const condition of options.conditions) {
    lines.push('', `## ${condition.label}`, '', `| | ${options.columns.map((c) => c.label).join(' | ')} |`, `|---|${options.columns.map(() => '---').join('|')}|`);
    for (const row of options.rows) {
      const cells = options.columns.map((column) => matrix.cells.find((c) => c.condition === condition.label && c.row === row.label && c.column === column.label)!);
      lines.push(`| ${row.label} | ${cells.map(cellText).join(' | ')} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export function matrixJson(matrix: Matrix): string {
  const { options } = matrix;
  const rate = (k: number, n: number) => ({ count: k, rate: k / n, interval95: wilson(k, n) });
  return `${JSON.stringify(
    {
      scenario: options.scenario,
      runsPerCell: options.runs,
      seeds: [options.seed, options.seed + options.runs - 1],
      axes: { postfix: options.rows, front: options.columns, condition: options.conditions },
      cells: matrix.cells.map((cell) => ({
        postfix: cell.row,
        front: cell.column,
        condition: cell.condition,
        runs: cell.runs,
        refused454: rate(cell.refused454, cell.runs),
        authenticated: rate(cell.authenticated, cell.runs),
        improperPipelining: rate(cell.improperPipelining, cell.runs),
      })),
    },
    null,
    2,
  )}\n`;
}
