/* fit - the scheduling parameters of the race, measured from recorded calibration batches
 *
 * From each batch's capture (observe.ts) on a quick-ACK or ping-pong-3 link, every backend
 * connection is one of the two kinds sim/wakeup.ts models:
 *   answered first  Postfix's reply to XCLIENT left before the EHLO: smtpd preempted Dovecot;
 *   EHLO first      Dovecot wrote EHLO before smtpd answered: smtpd was woken elsewhere.
 * The parameters are read off those counts and times, never off the race's outcome:
 *   sim.wakeup_preempt_per_mille   1000 × answered-first / connections
 *   sim.wakeup_latency_{min,median,max}_us
 *                                  5th, 50th and 95th percentile of XCLIENT→reply of the
 *                                  EHLO-first connections minus the median XCLIENT→reply of
 *                                  the answered-first ones (smtpd's own run time)
 *   sim.scheduling_jitter_us       spread (95th − 5th percentile) of XCLIENT→EHLO of the
 *                                  EHLO-first connections: how late Dovecot's next write comes
 * Whether a race was lost is read from Postfix's log (one "improper command pipelining" line
 * per lost race) and used only to judge the lab afterwards, not to fit it.
 * A linux-default batch has a delayed ACK: the EHLO waits for Postfix's answer by TCP alone,
 * so it says nothing about scheduling and is not used for the fit.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ScenarioValues } from '../../scenarios/keys.ts';
import { median } from '../stats.ts';
import { backendConnections, type BackendConnection } from './observe.ts';
import { readPcap } from './pcap.ts';
import type { BatchInfo } from './record.ts';

export type SchedulingValues = Pick<ScenarioValues,
  'sim.wakeup_preempt_per_mille' | 'sim.wakeup_latency_min_us' | 'sim.wakeup_latency_median_us' | 'sim.wakeup_latency_max_us' | 'sim.scheduling_jitter_us'>;

export interface BatchEvidence {
  readonly dir: string;
  readonly info: BatchInfo;
  readonly connections: readonly BackendConnection[];
}

export function readBatch(dir: string): BatchEvidence {
  const info = JSON.parse(readFileSync(join(dir, 'batch.json'), 'utf8')) as BatchInfo;
  return { dir, info, connections: backendConnections(readPcap(readFileSync(join(dir, 'capture.pcap')))) };
}

/** Connections with both an XCLIENT and Postfix's answer to it in the capture. */
function raced(connections: readonly BackendConnection[]): BackendConnection[] {
  return connections.filter((c) => c.replyAfterXclientUs !== null);
}

export function answeredFirst(c: BackendConnection): boolean {
  return c.ehloAfterXclientUs === null || c.ehloAfterXclientUs > c.replyAfterXclientUs!;
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(p * (sorted.length - 1))))]!;
}

export interface SchedulingFit {
  readonly values: SchedulingValues;
  /** Connections the fit used, and how many Postfix answered first. */
  readonly connections: number;
  readonly answeredFirst: number;
  readonly smtpdRunUs: number | null;
}

/** The fit over the quick-ACK and ping-pong-3 batches given (linux-default ones are skipped). */
export function fitScheduling(batches: readonly BatchEvidence[]): SchedulingFit {
  const used = batches.filter((b) => b.info.setting.tcpMode !== 'default' && b.info.setting.xclientLookupMs === null);
  const all = used.flatMap((b) => raced(b.connections));
  if (all.length === 0) throw new Error('calibration needs at least one quickack or pp3 batch with captured XCLIENT replies');
  const first = all.filter(answeredFirst);
  const elsewhere = all.filter((c) => !answeredFirst(c));
  const smtpdRunUs = median(first.map((c) => c.replyAfterXclientUs!));
  const latencies = elsewhere.map((c) => Math.max(0, c.replyAfterXclientUs! - (smtpdRunUs ?? 0)));
  const gaps = elsewhere.map((c) => c.ehloAfterXclientUs!);
  const q = (values: number[], p: number) => (values.length === 0 ? 0 : Math.round(percentile(values, p)));
  return {
    values: {
      'sim.wakeup_preempt_per_mille': Math.round((1000 * first.length) / all.length),
      'sim.wakeup_latency_min_us': q(latencies, 0.05),
      'sim.wakeup_latency_median_us': q(latencies, 0.5),
      'sim.wakeup_latency_max_us': q(latencies, 0.95),
      'sim.scheduling_jitter_us': Math.max(0, q(gaps, 0.95) - q(gaps, 0.05)),
    },
    connections: all.length,
    answeredFirst: first.length,
    smtpdRunUs,
  };
}
