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
 *   sim.run_queue_burst_wait_per_mille, sim.run_queue_{idle,busy}_burst_per_mille
 *                                  the waits' bursts: the same flags per session fitted as a
 *                                  two-state mixture, and the burst's share of sessions per load
 *                                  state of the race (burst-by-load.ts).
 * A linux-default batch has a delayed ACK: the EHLO waits for Postfix's answer by TCP alone,
 * so it says nothing about scheduling and is not used for the fit.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ScenarioValues } from '../../scenarios/keys.ts';
import { median, percentile } from '../stats.ts';
import { backendConnections, connectionsBySession, type BackendConnection } from './observe.ts';
import { readPcap } from './pcap.ts';
import { fitBurstByLoad } from './burst-by-load.ts';
import { maximizeOnPerMilleGrid } from './per-mille-grid.ts';
import { sessionStepGaps, SINGLE_WAKEUP_STEPS, stepGaps, type StepGaps, type StepName } from './steps.ts';
import type { BatchInfo } from './record.ts';

export type RunQueueValues = Pick<ScenarioValues,
  'sim.run_queue_wait_per_mille' | 'sim.run_queue_wait_quantiles_us'
  | 'sim.run_queue_idle_burst_per_mille' | 'sim.run_queue_busy_burst_per_mille' | 'sim.run_queue_burst_wait_per_mille'>;

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
      ...fitRunQueue(used, load),
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
 * With the race's session load (`load`, fitted from the same captures' sessions), the burst's share
 * of sessions is fitted per load state (burst-by-load.ts); without it, one share for both.
 */
export function fitRunQueue(captures: readonly RunQueueEvidence[], load: SessionLoad | null = null): RunQueueValues {
  const processingUs = processingOf(captures.map((c) => c.steps));
  const waited = (steps: StepGaps): boolean[] => stepExcessUs(steps, processingUs).map((x) => x > RUN_QUEUE_WAIT_MIN_US);
  const flags = captures.flatMap((c) => waited(c.steps));
  const waits = captures.flatMap((c) => runQueueWaitsUs(c.steps, processingUs));
  const sessionWaits = captures.flatMap((c) => c.sessionSteps.map(waited));
  // fitSessionLoad's "answered first" is here "did not wait": its busy state is the one that waits more
  const bursts = fitSessionLoad(sessionWaits.map((s) => s.map((w) => !w)));
  const byLoad = bursts && load ? fitBurstByLoad(sessionRaces(captures).map((raced, i) => ({ raced, waited: sessionWaits[i]! })), load, bursts) : null;
  return {
    'sim.run_queue_wait_per_mille': bursts ? 1000 - bursts.idlePreempt : flags.length === 0 ? 0 : Math.round((1000 * waits.length) / flags.length),
    'sim.run_queue_wait_quantiles_us': waits.length === 0 ? '0' : WAIT_QUANTILES.map((p) => Math.round(percentile(waits, p))).join(','),
    'sim.run_queue_idle_burst_per_mille': byLoad?.idle ?? bursts?.busy ?? 0,
    'sim.run_queue_busy_burst_per_mille': byLoad?.busy ?? bursts?.busy ?? 0,
    'sim.run_queue_burst_wait_per_mille': bursts ? 1000 - bursts.busyPreempt : 0,
  };
}

/** Each single-wake-up step's processing: its median gap over the captures' steps. */
export function processingOf(steps: readonly StepGaps[]): ReadonlyMap<StepName, number | null> {
  return new Map(SINGLE_WAKEUP_STEPS.map((name) => [name, median(steps.flatMap((s) => s.get(name) ?? []))]));
}

/** Each single-wake-up step's gap over its processing, in SINGLE_WAKEUP_STEPS order. */
function stepExcessUs(steps: StepGaps, processingUs: ReadonlyMap<StepName, number | null>): number[] {
  return SINGLE_WAKEUP_STEPS.flatMap((name) => (steps.get(name) ?? []).map((gap) => gap - processingUs.get(name)!));
}

/** The run-queue waits the steps show: the excess of each step that waited (over RUN_QUEUE_WAIT_MIN_US). */
export function runQueueWaitsUs(steps: StepGaps, processingUs: ReadonlyMap<StepName, number | null> = processingOf([steps])): number[] {
  return stepExcessUs(steps, processingUs).filter((x) => x > RUN_QUEUE_WAIT_MIN_US);
}

/** What fitRunQueue reads: the step gaps, and for the burst per load state each session's connections. */
export type RunQueueEvidence = Pick<BatchEvidence, 'steps' | 'sessionSteps'> & Partial<Pick<BatchEvidence, 'sessions'>>;

/** Each session's answered-first flags, in the order of sessionSteps (both split the capture at the client's SYNs). */
function sessionRaces(captures: readonly RunQueueEvidence[]): boolean[][] {
  return captures.flatMap((c) => {
    if (c.sessions?.length !== c.sessionSteps.length) throw new Error(`calibration: ${c.sessions?.length ?? 'no'} sessions of backend connections for ${c.sessionSteps.length} sessions of steps; the burst per load state needs both per session`);
    return c.sessions.map((session) => raced(session).map(answeredFirst));
  });
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
  // q <= p names the busy state
  const [busy, q, p] = maximizeOnPerMilleGrid(3, ([b, q, p]) => (q! > p! ? -Infinity : logLikelihood(b! / 1000, q! / 1000, p! / 1000)));
  return { busy: busy!, busyPreempt: q!, idlePreempt: p! };
}
