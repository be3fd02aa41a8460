/* step-table - a batch's fit stated step by step: real against lab, 50th / 75th / 90th percentile,
 * each fitted processing time beside its step with the check of its median (step-compare.ts) */
import type { ScenarioValues } from '../../scenarios/keys.ts';
import { percentile } from '../stats.ts';
import { fittedSteps } from './step-compare.ts';
import { STEP_NAMES, type StepGaps } from './steps.ts';

function spread(gaps: readonly number[] | undefined): string {
  if (!gaps || gaps.length === 0) return '-';
  return [0.5, 0.75, 0.9].map((p) => Math.round(percentile(gaps, p))).join(' / ');
}

/** A Markdown table: each step's gaps (µs) in the capture and in the lab run with the batch's fit (`values`). */
export function stepTable(name: string, values: Partial<ScenarioValues>, real: StepGaps, lab: StepGaps): string {
  const head = `${name}: run-queue wait in ${values['sim.run_queue_wait_per_mille']} ‰ of wake-ups, ${values['sim.run_queue_burst_wait_per_mille']} ‰ in a burst of load, `
    + `which holds ${values['sim.run_queue_busy_burst_per_mille']} ‰ of the sessions under load and ${values['sim.run_queue_idle_burst_per_mille']} ‰ of the others; `
    + `waits ${values['sim.run_queue_wait_quantiles_us']} µs (every 5th percentile, shortest to longest)`;
  const fitted = new Map(fittedSteps(real, lab).map((f) => [f.step, f]));
  const rows = STEP_NAMES.map((step) => {
    const f = fitted.get(step);
    const fit = f ? `${f.key} = ${values[f.key as keyof ScenarioValues] ?? '(default)'} | ${f.problem ? 'OFF' : 'ok'}` : ' | ';
    return `| ${step} | ${real.get(step)?.length ?? 0} | ${spread(real.get(step))} | ${lab.get(step)?.length ?? 0} | ${spread(lab.get(step))} | ${fit} |`;
  });
  return [head, '', '| step (µs) | real n | real 50 / 75 / 90 % | lab n | lab 50 / 75 / 90 % | fitted | median |', '|---|---|---|---|---|---|---|', ...rows].join('\n');
}
