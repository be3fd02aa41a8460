/* step-table - the run-queue fit of a batch stated step by step: real against lab, 50th / 75th / 90th percentile */
import { percentile } from '../stats.ts';
import type { RunQueueValues } from './fit.ts';
import { STEP_NAMES, type StepGaps } from './steps.ts';

function spread(gaps: readonly number[] | undefined): string {
  if (!gaps || gaps.length === 0) return '-';
  return [0.5, 0.75, 0.9].map((p) => Math.round(percentile(gaps, p))).join(' / ');
}

/** A Markdown table: each step's gaps (µs) in the capture and in the lab run with the batch's fit. */
export function stepTable(name: string, fit: RunQueueValues, real: StepGaps, lab: StepGaps): string {
  const head = `${name}: run-queue wait in ${fit['sim.run_queue_wait_per_mille']} ‰ of wake-ups, ${fit['sim.run_queue_burst_wait_per_mille']} ‰ in a burst of load, `
    + `which holds ${fit['sim.run_queue_busy_burst_per_mille']} ‰ of the sessions under load and ${fit['sim.run_queue_idle_burst_per_mille']} ‰ of the others; `
    + `waits ${fit['sim.run_queue_wait_quantiles_us']} µs (every 5th percentile, shortest to longest)`;
  const rows = STEP_NAMES.map((step) => `| ${step} | ${real.get(step)?.length ?? 0} | ${spread(real.get(step))} | ${lab.get(step)?.length ?? 0} | ${spread(lab.get(step))} |`);
  return [head, '', '| step (µs) | real n | real 50 / 75 / 90 % | lab n | lab 50 / 75 / 90 % |', '|---|---|---|---|---|', ...rows].join('\n');
}
