/* compute - run every cell of the matrix: N sessions (seeds 1..N) of the base scenario with the cell's keys */
import { loadScenario } from '../../scenarios/index.ts';
import { portableScenario, type Executor } from '../../properties/parallel/executor.ts';
import type { CellTally } from '../../properties/matrix-cell.ts';
import type { AxisValue } from './grid.ts';

export interface MatrixOptions {
  /** The scenario every cell starts from (its keys not on an axis stay as it gives them). */
  readonly scenario: string;
  /** Sessions per cell, seeds `seed` .. `seed + runs - 1`. */
  readonly runs: number;
  readonly seed: number;
  readonly rows: readonly AxisValue[];
  readonly columns: readonly AxisValue[];
  readonly conditions: readonly AxisValue[];
}

export interface MatrixCell extends CellTally {
  readonly row: string;
  readonly column: string;
  readonly condition: string;
  readonly runs: number;
}

export interface Matrix {
  readonly options: MatrixOptions;
  readonly cells: readonly MatrixCell[];
}

/** Every cell, each a task on the executor's threads; cells are independent, so the table is the same for any number of threads. */
export async function computeMatrix(options: MatrixOptions, executor: Executor): Promise<Matrix> {
  const cells = options.conditions.flatMap((condition) => options.rows.flatMap((row) => options.columns.map((column) => ({ row, column, condition }))));
  const tallies = await Promise.all(cells.map(({ row, column, condition }) => {
    const scenario = loadScenario({ scenario: options.scenario, sets: [...row.sets, ...column.sets, ...condition.sets] });
    return executor.run<'matrix-cell'>({ kind: 'matrix-cell', scenario: portableScenario(scenario), seed: options.seed, runs: options.runs });
  }));
  return {
    options,
    cells: cells.map(({ row, column, condition }, i) => ({ row: row.label, column: column.label, condition: condition.label, runs: options.runs, ...tallies[i]! })),
  };
}
