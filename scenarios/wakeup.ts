/* wakeup - the scenario's scheduling keys as the simulator's WakeupOptions (sim/wakeup.ts) and
 * RunQueueOptions (sim/run-queue.ts), or none
 *
 * All of a model's keys at 0 (their defaults) leave the model out entirely, so scenarios that do
 * not set them draw no such decisions and replay exactly as before the model existed.
 */
import type { RunQueueOptions } from '../sim/run-queue.ts';
import type { WakeupOptions } from '../sim/wakeup.ts';
import { parseQuantileList } from './quantile-list.ts';
import type { Scenario } from './scenario.ts';

export function wakeupOf(scenario: Scenario): { wakeup?: WakeupOptions } {
  const options: WakeupOptions = {
    preemptPerMille: scenario.get('sim.wakeup_preempt_per_mille'),
    latencyMinUs: scenario.get('sim.wakeup_latency_min_us'),
    latencyMedianUs: scenario.get('sim.wakeup_latency_median_us'),
    latencyMaxUs: scenario.get('sim.wakeup_latency_max_us'),
    busyPerMille: scenario.get('sim.wakeup_busy_per_mille'),
    busyPreemptPerMille: scenario.get('sim.wakeup_busy_preempt_per_mille'),
  };
  return Object.values(options).every((v) => v === 0) ? {} : { wakeup: options };
}

export function runQueueOf(scenario: Scenario): { runQueue?: RunQueueOptions } {
  const options: RunQueueOptions = {
    waitPerMille: scenario.get('sim.run_queue_wait_per_mille'),
    waitQuantilesUs: parseQuantileList(scenario.get('sim.run_queue_wait_quantiles_us')),
    idleBurstPerMille: scenario.get('sim.run_queue_idle_burst_per_mille'),
    busyBurstPerMille: scenario.get('sim.run_queue_busy_burst_per_mille'),
    burstWaitPerMille: scenario.get('sim.run_queue_burst_wait_per_mille'),
  };
  return options.waitPerMille === 0 && options.idleBurstPerMille === 0 && options.busyBurstPerMille === 0 ? {} : { runQueue: options };
}
