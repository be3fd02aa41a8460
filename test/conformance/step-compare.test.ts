/* step-compare - the steps' run-queue waits judged real against lab (calibration/step-compare.ts) */
import { describe, expect, it } from 'vitest';
import { MIN_WAITS, stepProblems } from '../../conformance/calibration/step-compare.ts';
import type { StepName } from '../../conformance/calibration/steps.ts';

/** 200 smtpd EHLO→250 steps of 40 µs, `waits` of them waited: 1, 2, ... ms times `factor` on top. */
function steps(waits: number, factor = 1): Map<StepName, number[]> {
  return new Map([['smtpd EHLO→250', [...Array(200 - waits).fill(40), ...Array.from({ length: waits }, (_, i) => 40 + factor * 1000 * (i + 1))]]]);
}

describe('stepProblems', () => {
  it('the same waits pass', () => {
    expect(stepProblems(steps(40), steps(40))).toEqual([]);
  });

  it('waits twice as long fail, at the first percentile that tells them apart', () => {
    const [problem, ...rest] = stepProblems(steps(40), steps(40, 2));
    expect(rest).toEqual([]);
    // (at the 50th percentile 13 of 40 real and 27 of 40 lab waits lie above the pooled one: p = 0.004, just over α / 3)
    expect(problem).toBe('run-queue waits of the steps (75th percentile): real 21000 / 30000 / 36000 µs over 40 waited steps, lab 42000 / 60000 / 72000 µs over 40 (50th / 75th / 90th); '
      + 'above the pooled 75th percentile (40000 µs): real 0/40, lab 20/40; Fisher p=7.8e-8 < 0.0033');
  });

  it('fewer than MIN_WAITS waits on a side are not judged', () => {
    expect(stepProblems(steps(MIN_WAITS - 1), steps(MIN_WAITS - 1, 3))).toEqual([]);
    expect(stepProblems(steps(MIN_WAITS), steps(MIN_WAITS, 3))).toHaveLength(1);
  });
});
