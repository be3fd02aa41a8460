/* scenario-file - a calibration as a scenario file (scenarios/load.ts format), and its summary
 *
 * The file is what `smtp-lab calibrate` writes and `--scenario FILE` reads: base real-stack, the
 * fitted scheduling keys and processing times (step-timings.ts), and in its description which batches they came from, with their
 * dates and load averages, so a reader can tell which machine state the numbers describe.
 */
import type { BatchEvidence, SchedulingFit } from './fit.ts';
import type { StepTimingValues } from './step-timings.ts';

export interface ScenarioFile {
  readonly name: string;
  readonly description: string;
  readonly base: string;
  readonly values: SchedulingFit['values'] & Partial<StepTimingValues>;
}

export function calibrationScenario(name: string, fit: SchedulingFit, processing: Partial<StepTimingValues>, batches: readonly BatchEvidence[]): ScenarioFile {
  const used = batches.map((b) => `${b.info.name} (${b.info.startedAt.slice(0, 16)}Z, load ${b.info.loadBefore[0]})`).join(', ');
  return {
    name,
    description: `real-stack calibrated from ${fit.connections} captured backend connections (${fit.answeredFirst} answered first by Postfix): ${used}`,
    base: 'real-stack',
    values: { ...fit.values, ...processing },
  };
}
