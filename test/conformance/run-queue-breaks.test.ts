/* run-queue-breaks - the AUTH→235 time comparison fails a lab whose run-queue wait is wrong (issue 11 §2, disagreement 12)
 *
 * C-quickack-d was recorded while the load rose from 4.8 to 11.6: its real 235 median (4 ms) is
 * the one that the waits move past the ±1 ms resolution of swaks' times. With the run-queue wait
 * fitted from its own capture's step gaps (calibration/fit.ts fitRunQueue) the lab's median
 * agrees; without the wait, or with waits three or two times too long, the comparison fails.
 * The other batches' real 235 medians are 2 ms, where most sessions do not wait at all: a median
 * cannot see the waits' length there (docs/conformance.md disagreement 12).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunQueueValues } from '../../conformance/calibration/fit.ts';
import { CALIBRATION_DIR, conformanceCases, type ConformanceCase } from '../../conformance/cases.ts';
import { compareCase } from '../../conformance/compare.ts';
import { runInLab } from '../../conformance/lab.ts';
import { measure } from '../../conformance/real-run.ts';
import { RECORDS_DIR } from '../../conformance/records-dir.ts';
import { recordedOutcome } from '../../conformance/recorded.ts';

const SEED = 1;
const TIME_OF_235 = /^AUTH→reply time of 235 \(median\): real 4 ms, lab (\d+) ms/;
const quickackD = conformanceCases(RECORDS_DIR, { trials: 20, racyRepeat: 6 }).find((c) => c.name === 'C-quickack-d')!;
const fitted = quickackD.labValues as RunQueueValues;

async function timeProblems(c: ConformanceCase, runQueue: Partial<RunQueueValues>): Promise<string[]> {
  const changed = { ...c, labValues: { ...c.labValues, ...runQueue } };
  const verdict = compareCase(c, recordedOutcome(RECORDS_DIR, c)!, await runInLab(changed, SEED));
  return verdict.problems.filter((p) => p.startsWith('AUTH→reply time of 235 ('));
}

function waitsTimes(factor: number): Partial<RunQueueValues> {
  return {
    'sim.run_queue_wait_min_us': factor * fitted['sim.run_queue_wait_min_us'],
    'sim.run_queue_wait_median_us': factor * fitted['sim.run_queue_wait_median_us'],
    'sim.run_queue_wait_max_us': factor * fitted['sim.run_queue_wait_max_us'],
  };
}

describe('C-quickack-d: the run-queue wait fitted from its own capture', () => {
  it('is fitted from the step gaps: waits of 0.9 to 19 ms, in 19 % of the wake-ups of the 46 % of sessions in a burst of load, 4 % of the others', () => {
    expect([fitted['sim.run_queue_burst_per_mille'], fitted['sim.run_queue_burst_wait_per_mille'], fitted['sim.run_queue_wait_per_mille']]).toEqual([460, 189, 37]);
    expect([fitted['sim.run_queue_wait_min_us'], fitted['sim.run_queue_wait_median_us'], fitted['sim.run_queue_wait_max_us']]).toEqual([864, 3391, 18546]);
  });

  it('is what a live run of the same sessions would take from its capture', () => {
    const pcap = readFileSync(join(RECORDS_DIR, CALIBRATION_DIR, 'quickack-d', 'capture.pcap'));
    expect(measure(quickackD, pcap, { dovecot: 1587, postfix: 10025 }).scheduling).toMatchObject(fitted);
  });

  it('gives the real 235 time', async () => {
    expect(await timeProblems(quickackD, {}), `seed ${SEED}`).toEqual([]);
  });

  it('absent (no wait): the lab is too fast and fails', async () => {
    const problems = await timeProblems(quickackD, { 'sim.run_queue_wait_per_mille': 0, 'sim.run_queue_burst_per_mille': 0 });
    expect(problems[0], `seed ${SEED}`).toMatch(TIME_OF_235);
    expect(Number(TIME_OF_235.exec(problems[0]!)![1])).toBeLessThan(3);
  });

  it.each([3, 2])('waits %i times too long: the lab is too slow and fails', async (factor) => {
    const problems = await timeProblems(quickackD, waitsTimes(factor));
    expect(problems[0], `seed ${SEED}`).toMatch(TIME_OF_235);
    expect(Number(TIME_OF_235.exec(problems[0]!)![1])).toBeGreaterThanOrEqual(6);
  });
});
