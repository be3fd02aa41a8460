/* step-compare - the steps of a racy batch judged real against lab: the processing times fitted
 * from them, and the run-queue waits they show
 *
 * The daemons' processing times are fitted per batch from its steps' medians (step-timings.ts);
 * each fitted step's median in the lab must lie within STEP_MEDIAN_RATIO of the capture's, so a
 * step twice as long or half as long as the real one fails (and a fit that did not take, e.g. a
 * key the scenario does not read, shows). Unless the processing medians agree: the median of the
 * steps that did not wait in the run queue (within RUN_QUEUE_WAIT_MIN_US of the step's 25th
 * percentile), on each side. Where half the steps wait, the plain median moves with the waits:
 * quickack-d's AUTH→SYN (45 % of its real auth steps waited) had a lab median of 648-651 µs at
 * nine seeds of ten and 1785 µs at the tenth, whose sessions drew more bursts, while its
 * processing median stayed at 649 µs; the waits are judged below. The processing median alone is
 * no judge either: pp3-c's Dovecot 220→EHLO is two-humped (75-110 µs in a third of the steps,
 * 400-900 µs in the rest, real median 420), and its processing median reads the first hump only.
 * The 235 times judge the sessions logged in at once, which in several batches hardly wait at
 * all (the burst per load state, sim/run-queue.ts): there a wait twice as long as the real one
 * leaves them unchanged. Every single-wake-up step shows its waits directly (fit.ts
 * runQueueWaitsUs: the gap's excess over the step's median, where over RUN_QUEUE_WAIT_MIN_US),
 * a few hundred of them per batch, so the waits are compared as a distribution: Mood's quantile
 * test at the 50th, 75th and 90th percentile, α = ALPHA / 3 each, as the 235 times are
 * (compare.ts). Judged where each side shows at least MIN_WAITS waits; fewer are too few to judge.
 */
import { ALPHA, median, percentile, quantileTest } from '../stats.ts';
import { RUN_QUEUE_WAIT_MIN_US, runQueueWaitsUs } from './fit.ts';
import { AUTH_LATENCY_STEP, STEP_TIMING_KEYS } from './step-timings.ts';
import type { StepGaps, StepName } from './steps.ts';

/** A fitted step's median in the lab may differ from the capture's by this factor (2× fails). */
export const STEP_MEDIAN_RATIO = 1.5;

/** The key fitted from each step (step-timings.ts). */
const KEY_OF_STEP: ReadonlyMap<StepName, string> = new Map([
  ...Object.entries(STEP_TIMING_KEYS).map(([key, step]): [StepName, string] => [step, key]),
  [AUTH_LATENCY_STEP, 'auth.latency_ms'],
]);

/** Waits each side must show for their distribution to be judged. */
export const MIN_WAITS = 20;
const PERCENTILES: readonly number[] = [0.5, 0.75, 0.9];

const text = (waits: readonly number[]) => PERCENTILES.map((p) => Math.round(percentile(waits, p))).join(' / ');

/** The problems of the lab's steps against the real ones (none when the two agree or are too few to judge). */
export function stepProblems(real: StepGaps, lab: StepGaps): string[] {
  return [...medianProblems(real, lab), ...waitProblems(real, lab)];
}

/** A step a key was fitted from: its medians on both sides and, when they differ too much, the problem. */
export interface FittedStep {
  readonly step: StepName;
  readonly key: string;
  readonly problem: string | null;
}

/** The median of the gaps that did not wait: within RUN_QUEUE_WAIT_MIN_US of their 25th percentile; null without gaps. */
export function processingMedianUs(gaps: readonly number[]): number | null {
  if (gaps.length === 0) return null;
  const quiet = percentile(gaps, 0.25) + RUN_QUEUE_WAIT_MIN_US;
  return median(gaps.filter((g) => g <= quiet));
}

const apart = (r: number | null, l: number | null): boolean => r !== null && l !== null && Math.max(r, l) > STEP_MEDIAN_RATIO * Math.min(r, l);
const us = (x: number | null) => (x === null ? '-' : `${Math.round(x)} µs`);

export function fittedSteps(real: StepGaps, lab: StepGaps): FittedStep[] {
  return [...KEY_OF_STEP].map(([step, key]) => {
    const [rs, ls] = [real.get(step) ?? [], lab.get(step) ?? []];
    const [r, l] = [median(rs), median(ls)];
    const [rp, lp] = [processingMedianUs(rs), processingMedianUs(ls)];
    const off = apart(r, l) && apart(rp, lp);
    return {
      step, key,
      problem: off ? `${step} (median): real ${us(r)}, lab ${us(l)}; without the waited steps real ${us(rp)}, lab ${us(lp)} (allowed: within ×${STEP_MEDIAN_RATIO}, one or the other; the lab's part of it and ${key} are fitted to the real median)` : null,
    };
  });
}

function medianProblems(real: StepGaps, lab: StepGaps): string[] {
  return fittedSteps(real, lab).flatMap((f) => (f.problem ? [f.problem] : []));
}

function waitProblems(real: StepGaps, lab: StepGaps): string[] {
  const [rs, ls] = [runQueueWaitsUs(real), runQueueWaitsUs(lab)];
  if (Math.min(rs.length, ls.length) < MIN_WAITS) return [];
  const alpha = ALPHA / PERCENTILES.length;
  for (const p of PERCENTILES) {
    const test = quantileTest(rs, ls, p);
    if (test.p >= alpha) continue;
    return [`run-queue waits of the steps (${Math.round(p * 100)}th percentile): real ${text(rs)} µs over ${rs.length} waited steps, lab ${text(ls)} µs over ${ls.length} (50th / 75th / 90th); `
      + `above the pooled ${Math.round(p * 100)}th percentile (${test.threshold} µs): real ${test.aboveA}/${rs.length}, lab ${test.aboveB}/${ls.length}; Fisher p=${test.p.toExponential(1)} < ${alpha.toPrecision(2)}`];
  }
  return [];
}
