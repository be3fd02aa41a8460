/* recorded - the lab against the recorded real-stack files, case by case (no root, no daemons needed)
 *
 * The same judge as `npm run conformance` (conformance/compare.ts), with the real side read from
 * conformance/records: every run and trial cell of runs.tsv and trials.tsv. Times are not
 * recorded, so they are left out of this comparison.
 */
import { describe, expect, it } from 'vitest';
import { conformanceCases } from '../../conformance/cases.ts';
import { compareCase } from '../../conformance/compare.ts';
import { runInLab } from '../../conformance/lab.ts';
import { RECORDS_DIR } from '../../conformance/records-dir.ts';
import { recordedOutcome, withoutTimes } from '../../conformance/recorded.ts';

const recordedCases = conformanceCases(RECORDS_DIR, { trials: 20, racyRepeat: 6 }).filter((c) => c.source !== 'own');

describe('lab vs the recorded real stack', () => {
  it('has a record for every runs.tsv and trials.tsv case', () => {
    expect(recordedCases.map((c) => recordedOutcome(RECORDS_DIR, c) === null)).toEqual(recordedCases.map(() => false));
  });

  it.each(recordedCases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const real = recordedOutcome(RECORDS_DIR, c)!;
    const lab = withoutTimes(await runInLab(c, 1));
    const verdict = compareCase(c, real, lab);
    expect(verdict.problems).toEqual([]);
  });
});
