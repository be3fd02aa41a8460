/* compute - run every cell of the matrix: N sessions (seeds 1..N) of the base scenario with the cell's keys */
import { loadScenario } from '../../scenarios/index.ts';
import { runScenario } from '../../scenarios/run.ts';
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

export interface MatrixCell {
  readonly row: string;
  readonly column: string;
  readonly condition: string;
  readonly runs: number;
  /** Sessions whose client got 454 to AUTH (the Mailu symptom). */
  readonly refused454: number;
  /** Sessions whose client got 235. */
  readonly authenticated: number;
  /** Sessions in which Postfix logged improper command pipelining after XCLIENT. */
  readonly improperPipelining: number;
}

export interface Matrix {
  readonly options: MatrixOptions;
  readonly cells: readonly MatrixCell[];
}

export function computeMatrix(options: MatrixOptions): Matrix {
  const cells: MatrixCell[] = [];
  for (const condition of options.conditions) {
    for (const row of options.rows) {
      for (const column of options.columns) {
        const scenario = loadScenario({ scenario: options.scenario, sets: [...row.sets, ...column.sets, ...condition.sets] });
        let refused454 = 0;
        let authenticated = 0;
        let improperPipelining = 0;
        for (let i = 0; i < options.runs; i++) {
          const report = runScenario(scenario, { seed: options.seed + i });
          if ((report.client.authReply ?? '').startsWith('454')) refused454++;
          if ((report.client.authReply ?? '').startsWith('235')) authenticated++;
          if (report.improperPipelining.length > 0) improperPipelining++;
        }
        cells.push({ row: row.label, column: column.label, condition: condition.label, runs: options.runs, refused454, authenticated, improperPipelining });
      }
    }
  }
  return { options, cells };
}
