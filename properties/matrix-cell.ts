/* matrix-cell - one cell of `smtp-lab matrix` (cli/matrix/): `runs` sessions of a scenario (seeds seed .. seed + runs - 1), counted */
import type { Scenario } from '../scenarios/index.ts';
import { runScenario } from '../scenarios/run.ts';

/** What a cell counts; plain data, so a worker thread can hand it back. */
export interface CellTally {
  /** Sessions whose client got 454 to AUTH (the Mailu symptom). */
  readonly refused454: number;
  /** Sessions whose client got 235. */
  readonly authenticated: number;
  /** Sessions in which Postfix logged improper command pipelining after XCLIENT. */
  readonly improperPipelining: number;
}

export function tallyCell(scenario: Scenario, seed: number, runs: number): CellTally {
  let refused454 = 0;
  let authenticated = 0;
  let improperPipelining = 0;
  for (let i = 0; i < runs; i++) {
    const report = runScenario(scenario, { seed: seed + i });
    if ((report.client.authReply ?? '').startsWith('454')) refused454++;
    if ((report.client.authReply ?? '').startsWith('235')) authenticated++;
    if (report.improperPipelining.length > 0) improperPipelining++;
  }
  return { refused454, authenticated, improperPipelining };
}
