/* step-compare - the steps' run-queue waits judged real against lab (calibration/step-compare.ts) */
import { describe, expect, it } from 'vitest';
import { fittedSteps, MIN_WAITS, stepProblems } from '../../conformance/calibration/step-compare.ts';
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

describe('fittedSteps', () => {
  const at = (us: number) => new Map<StepName, number[]>([['smtpd EHLO→250', [us - 2, us, us + 2]], ['client 250→AUTH', [5 * us]]]);

  it('each step a key is fitted from, with a problem where the lab\'s median is off by more than ×1.5 either way', () => {
    expect(fittedSteps(at(40), at(59)).find((f) => f.step === 'smtpd EHLO→250')).toEqual({ step: 'smtpd EHLO→250', key: 'postfix.ehlo_delay_us', problem: null });
    expect(fittedSteps(at(40), at(80)).find((f) => f.step === 'smtpd EHLO→250')!.problem)
      .toBe("smtpd EHLO→250 (median): real 40 µs, lab 80 µs; without the waited steps real 40 µs, lab 80 µs (allowed: within ×1.5, one or the other; the lab's part of it and postfix.ehlo_delay_us are fitted to the real median)");
    expect(stepProblems(at(40), at(20))).toHaveLength(1);
  });

  it('a median the run-queue waits moved is not a processing time off: the steps that did not wait agree', () => {
    // auth AUTH→SYN at 650 µs; the lab's sessions drew more waits: 6 of its 10 steps 3 ms longer
    const real = new Map<StepName, number[]>([['auth AUTH→SYN', [640, 645, 650, 650, 655, 660, 3650, 3650, 3650, 3650]]]);
    const lab = new Map<StepName, number[]>([['auth AUTH→SYN', [645, 650, 650, 655, 3650, 3650, 3650, 3650, 3650, 3650]]]);
    expect(fittedSteps(real, lab).find((f) => f.step === 'auth AUTH→SYN')!.problem).toBeNull();
    const slower = new Map<StepName, number[]>([['auth AUTH→SYN', lab.get('auth AUTH→SYN')!.map((g) => g + 650)]]);
    expect(fittedSteps(real, slower).find((f) => f.step === 'auth AUTH→SYN')!.problem).toMatch(/^auth AUTH→SYN \(median\): real 658 µs, lab 4300 µs; without the waited steps real 650 µs, lab 1300 µs/);
  });

  it('steps no key is fitted from are not judged, nor steps one side lacks', () => {
    expect(fittedSteps(at(40), at(40)).map((f) => f.step)).not.toContain('client 250→AUTH');
    expect(stepProblems(at(40), new Map())).toEqual([]);
  });
});
