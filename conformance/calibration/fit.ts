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
 *                                  the answered-first ones (smtpd's own run time).
 *                                  On these connections Dovecot kept running after its
 *                                  XCLIENT write (its EHLO follows 10-30 µs later), the one
 *                                  premise under which sim/wakeup.ts draws this latency: the
 *                                  lab applies it only where the writer keeps running, not at
 *                                  request/response steps where the writer blocks for the answer
 *                                  (their real gaps are the daemons' processing, 13-100 µs at
 *                                  the median in every batch). It still holds smtpd's extra
 *                                  work on a lost race before that reply (the improper-pipelining
 *                                  log line; with forbid=yes the 554), which the capture cannot
 *                                  tell apart from the wait: an upper bound on the scheduling
 *                                  part (median XCLIENT→reply 68-87 µs against 30 µs answered
 *                                  first, records/calibration).
 *   sim.scheduling_jitter_us       spread (95th − 5th percentile) of XCLIENT→EHLO of the
 *                                  EHLO-first connections: how late Dovecot's next write comes
 *   sim.wakeup_busy_per_mille, sim.wakeup_busy_preempt_per_mille, and the idle sessions'
 *   sim.wakeup_preempt_per_mille
 *                                  when the batch's sessions made more than one raced backend
 *                                  connection: a two-state session load (sim/wakeup.ts) fitted by
 *                                  maximum likelihood to each session's sequence of
 *                                  answered-first / EHLO-first connections (grid of 1 ‰ steps
 *                                  refined from 20 ‰); the busy state is the one where Postfix
 *                                  runs first less often. Without such sessions (forbid=no: one
 *                                  connection per session) the single rate above.
 * These are read off the capture's order of segments, which on these links is the race's
 * outcome by another name (a connection with the EHLO first and the race won never occurred,
 * records/calibration/README.md): a lab run with them reproduces the batch's scheduling, and
 * what the comparison then tests is everything after it (TCP, Postfix's check, Dovecot's
 * reconnects, the times), not the machine's load, which nothing here can predict.
 * Whether a race was lost is read from Postfix's log (one "improper command pipelining" line
 * per lost race) and used only to judge the lab afterwards, not to fit it.
 *   sim.run_queue_wait_per_mille, sim.run_queue_wait_quantiles_us
 *                                  the run-queue wait of a woken process (sim/run-queue.ts), from
 *                                  the gaps of the capture's single-wake-up steps (steps.ts: the
 *                                  client's, Dovecot's and smtpd's request/response steps). A
 *                                  step's processing is its median gap in the batch; a step waited
 *                                  when its gap exceeds that median by more than
 *                                  RUN_QUEUE_WAIT_MIN_US. per_mille: 1000 × waited steps / steps;
 *                                  quantiles: every 5th percentile of the waited steps' excess,
 *                                  the smallest and the largest at the ends (WAIT_QUANTILES), the
 *                                  captures' own distribution of waits. Pooled over all sessions,
 *                                  as the lab draws it in every session (run-queue.ts says why).
 * A linux-default batch has a delayed ACK: the EHLO waits for Postfix's answer by TCP alone,
 * so it says nothing about scheduling and is not used for the fit.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ScenarioValues } from '../../scenarios/keys.ts';
import { median, percentile } from '../stats.ts';
import { backendConnections, connectionsBySession, type BackendConnection } from './observe.ts';
import { readPcap } from './pcap.ts';
import { sessionStepGaps, SINGLE_WAKEUP_STEPS, stepGaps, type StepGaps } from './steps.ts';
import type { BatchInfo } from './record.ts';

export type RunQueueValues = Pick<ScenarioValues,
  'sim.run_queue_wait_per_mille' | 'sim.run_queue_wait_quantiles_us'
  | 'sim.run_queue_burst_per_mille' | 'sim.run_queue_burst_wait_per_mille'>;

export type SchedulingValues = Pick<ScenarioValues,
  'sim.wakeup_preempt_per_mille' | 'sim.wakeup_latency_min_us' | 'sim.wakeup_latency_median_us' | 'sim.wakeup_latency_max_us' | 'sim.scheduling_jitter_us'>
  & Partial<Pick<ScenarioValues, 'sim.wakeup_busy_per_mille' | 'sim.wakeup_busy_preempt_per_mille'>> & Partial<RunQueueValues>;

export interface BatchEvidence {
  readonly dir: string;
  readonly info: BatchInfo;
  readonly connections: readonly BackendConnection[];
  /** The same connections by client session, in order (observe.ts connectionsBySession). */
  readonly sessions: readonly (readonly BackendConnection[])[];
  /** The gaps of every request/response step (steps.ts). */
  readonly steps: StepGaps;
  /** The same per client session, in order. */
  readonly sessionSteps: readonly StepGaps[];
}

export function readBatch(dir: string): BatchEvidence {
  const info = JSON.parse(readFileSync(join(dir, 'batch.json'), 'utf8')) as BatchInfo;
  return { dir, info, ...evidenceOfCapture(readFileSync(join(dir, 'capture.pcap'))) };
}

/** Backend connections and sessions of a capture file's bytes. */
export function evidenceOfCapture(pcap: Uint8Array, ports?: { dovecot: number; postfix: number }): Pick<BatchEvidence, 'connections' | 'sessions' | 'steps' | 'sessionSteps'> {
  const segments = readPcap(pcap);
  const connections = backendConnections(segments, ports?.postfix);
  return { connections, sessions: connectionsBySession(segments, connections, ports?.dovecot), steps: stepGaps(segments, ports), sessionSteps: sessionStepGaps(segments, ports) };
}

/** Connections with both an XCLIENT and Postfix's answer to it in the capture. */
function raced(connections: readonly BackendConnection[]): BackendConnection[] {
  return connections.filter((c) => c.replyAfterXclientUs !== null);
}

export function answeredFirst(c: BackendConnection): boolean {
  return c.ehloAfterXclientUs === null || c.ehloAfterXclientUs > c.replyAfterXclientUs!;
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
  return fitCaptures(batches.filter((b) => b.info.setting.tcpMode !== 'default' && b.info.setting.xclientLookupMs === null));
}

/** The fit over captures of racy settings (quickack or pp3, no slow lookup), e.g. a live conformance case's own. */
export function fitCaptures(used: readonly Pick<BatchEvidence, 'connections' | 'sessions' | 'steps' | 'sessionSteps'>[]): SchedulingFit {
  const all = used.flatMap((b) => raced(b.connections));
  if (all.length === 0) throw new Error('calibration needs at least one quickack or pp3 batch with captured XCLIENT replies');
  const first = all.filter(answeredFirst);
  const elsewhere = all.filter((c) => !answeredFirst(c));
  const smtpdRunUs = median(first.map((c) => c.replyAfterXclientUs!));
  const latencies = elsewhere.map((c) => Math.max(0, c.replyAfterXclientUs! - (smtpdRunUs ?? 0)));
  const gaps = elsewhere.map((c) => c.ehloAfterXclientUs!);
  const q = (values: number[], p: number) => (values.length === 0 ? 0 : Math.round(percentile(values, p)));
  const load = fitSessionLoad(used.flatMap((b) => b.sessions.map((session) => raced(session).map(answeredFirst))));
  return {
    values: {
      'sim.wakeup_preempt_per_mille': load ? load.idlePreempt : Math.round((1000 * first.length) / all.length),
      'sim.wakeup_busy_per_mille': load?.busy ?? 0,
      'sim.wakeup_busy_preempt_per_mille': load?.busyPreempt ?? 0,
      'sim.wakeup_latency_min_us': q(latencies, 0.05),
      'sim.wakeup_latency_median_us': q(latencies, 0.5),
      'sim.wakeup_latency_max_us': q(latencies, 0.95),
      'sim.scheduling_jitter_us': Math.max(0, q(gaps, 0.95) - q(gaps, 0.05)),
      ...fitRunQueue(used),
    },
    connections: all.length,
    answeredFirst: first.length,
    smtpdRunUs,
  };
}

/**
 * How far over its processing (the step's median gap) a step must take to count as a wait in
 * the run queue: above the processing spread of a quiet step. Where the machine was least loaded
 * (records/calibration default-b: 95 % of its single-wake-up steps answered as fast as a quiet
 * machine would) the steps' 90th percentiles lie 16-470 µs above their medians (seven within
 * 175 µs; Dovecot's 220→EHLO 229 µs, smtpd's SYN→220 470 µs); a wait behind another task on
 * these 2 CPUs is a part of its slice (SCHED_SLICE_US, 1.5 ms).
 */
export const RUN_QUEUE_WAIT_MIN_US = 500;

/**
 * The probabilities at which the run-queue wait's quantiles are fitted: every 5th percentile, 0 and
 * 100 included. Finer steps than the 5th / 50th / 95th of the first version, which drew half the
 * waits between the median and the 95th percentile (pp3-a: 4 to 32 ms) where the real waits crowd
 * near the median; 5 % steps follow a batch's 60-330 waited steps without one piece resting on a
 * single wait.
 */
export const WAIT_QUANTILES: readonly number[] = Array.from({ length: 21 }, (_, i) => i / 20);

/**
 * The run-queue wait's chance and latency from the step gaps of one or more captures (pooled per
 * step), and its bursts: each session's waited steps fitted as a two-state mixture by maximum
 * likelihood (fitSessionLoad, the same fit as the race's session load), the burst being the state
 * that waits more often. Without a session of two steps or more: the pooled chance, no bursts.
 */
export function fitRunQueue(captures: readonly Pick<BatchEvidence, 'steps' | 'sessionSteps'>[]): RunQueueValues {
  const processingUs = new Map(SINGLE_WAKEUP_STEPS.map((name) => [name, median(captures.flatMap((c) => c.steps.get(name) ?? []))]));
  const waited = (steps: StepGaps): boolean[] => SINGLE_WAKEUP_STEPS.flatMap((name) => (steps.get(name) ?? []).map((gap) => gap - processingUs.get(name)! > RUN_QUEUE_WAIT_MIN_US));
  const excess = (steps: StepGaps): number[] => SINGLE_WAKEUP_STEPS.flatMap((name) => (steps.get(name) ?? []).map((gap) => gap - processingUs.get(name)!));
  const flags = captures.flatMap((c) => waited(c.steps));
  const waits = captures.flatMap((c) => excess(c.steps)).filter((x) => x > RUN_QUEUE_WAIT_MIN_US);
  // fitSessionLoad's "answered first" is here "did not wait": its busy state is the one that waits more
  const bursts = fitSessionLoad(captures.flatMap((c) => c.sessionSteps.map((s) => waited(s).map((w) => !w))));
  return {
    'sim.run_queue_wait_per_mille': bursts ? 1000 - bursts.idlePreempt : flags.length === 0 ? 0 : Math.round((1000 * waits.length) / flags.length),
    'sim.run_queue_wait_quantiles_us': waits.length === 0 ? '0' : WAIT_QUANTILES.map((p) => Math.round(percentile(waits, p))).join(','),
    'sim.run_queue_burst_per_mille': bursts?.busy ?? 0,
    'sim.run_queue_burst_wait_per_mille': bursts ? 1000 - bursts.busyPreempt : 0,
  };
}

export interface SessionLoad {
  /** Per mille of sessions under load. */
  readonly busy: number;
  readonly busyPreempt: number;
  readonly idlePreempt: number;
}

/**
 * Maximum-likelihood two-state session load from each session's answered-first flags, or null
 * when no session raced more than once (nothing to tell the states apart). A session's
 * likelihood is busy·q^w(1−q)^l + (1−busy)·p^w(1−p)^l for w connections answered first and l
 * not (the order does not matter, and Dovecot's stopping rule does not depend on the rates).
 */
export function fitSessionLoad(sessions: readonly (readonly boolean[])[]): SessionLoad | null {
  if (!sessions.some((s) => s.length > 1)) return null;
  const patterns = new Map<string, { w: number; l: number; n: number }>();
  for (const s of sessions) {
    if (s.length === 0) continue;
    const w = s.filter(Boolean).length;
    const key = `${w}/${s.length - w}`;
    const entry = patterns.get(key) ?? { w, l: s.length - w, n: 0 };
    entry.n++;
    patterns.set(key, entry);
  }
  const list = [...patterns.values()];
  const logLikelihood = (busy: number, q: number, p: number): number => {
    let sum = 0;
    for (const { w, l, n } of list) sum += n * Math.log(busy * q ** w * (1 - q) ** l + (1 - busy) * p ** w * (1 - p) ** l + 1e-300);
    return sum;
  };
  // coarse grid, then 1 ‰ steps around the best point; q <= p names the busy state
  let best = { busy: 0, q: 0, p: 0, ll: -Infinity };
  const search = (busyRange: readonly [number, number], qRange: readonly [number, number], pRange: readonly [number, number], step: number) => {
    for (let busy = busyRange[0]; busy <= busyRange[1]; busy += step) {
      for (let q = qRange[0]; q <= qRange[1]; q += step) {
        for (let p = Math.max(q, pRange[0]); p <= pRange[1]; p += step) {
          const ll = logLikelihood(busy / 1000, q / 1000, p / 1000);
          if (ll > best.ll + 1e-9) best = { busy, q, p, ll };
        }
      }
    }
  };
  search([0, 1000], [0, 1000], [0, 1000], 20);
  const around = (x: number): readonly [number, number] => [Math.max(0, x - 20), Math.min(1000, x + 20)];
  search(around(best.busy), around(best.q), around(best.p), 1);
  return { busy: best.busy, busyPreempt: best.q, idlePreempt: best.p };
}
