/* wakeup - the scenario's wake-up keys as the simulator's WakeupOptions (sim/wakeup.ts), or none
 *
 * All the keys at 0 (their defaults) leave the model out entirely, so scenarios that do not set
 * them draw no wake-up decisions and replay exactly as before the model existed.
 */
import type { WakeupOptions } from '../sim/wakeup.ts';
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
