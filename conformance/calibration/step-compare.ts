/* step-compare - the steps of a racy batch judged real against lab: the run-queue waits they show
 *
 * The 235 times judge the sessions logged in at once, which in several batches hardly wait at
 * all (the burst per load state, sim/run-queue.ts): there a wait twice as long as the real one
 * leaves them unchanged. Every single-wake-up step shows its waits directly (fit.ts
 * runQueueWaitsUs: the gap's excess over the step's median, where over RUN_QUEUE_WAIT_MIN_US),
 * a few hundred of them per batch, so the waits are compared as a distribution: Mood's quantile
 * test at the 50th, 75th and 90th percentile, α = ALPHA / 3 each, as the 235 times are
 * (compare.ts). Judged where each side shows at least MIN_WAITS waits; fewer are too few to judge.
 */
import { ALPHA, percentile, quantileTest } from '../stats.ts';
import { runQueueWaitsUs } from './fit.ts';
import type { StepGaps } from './steps.ts';

/** Waits each side must show for their distribution to be judged. */
export const MIN_WAITS = 20;
const PERCENTILES: readonly number[] = [0.5, 0.75, 0.9];

const text = (waits: readonly number[]) => PERCENTILES.map((p) => Math.round(percentile(waits, p))).join(' / ');

/** The problems of the lab's steps against the real ones (none when the two agree or are too few to judge). */
export function stepProblems(real: StepGaps, lab: StepGaps): string[] {
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
