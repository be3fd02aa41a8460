/* run-queue - how long a woken process waits for a CPU on a loaded machine
 *
 * wakeup.ts lets a process woken by a writer that then blocks run at once: a sync wake-up puts
 * it on the waker's CPU when the waker is the only task there (kernel/sched/fair.c
 * wake_affine_idle), true on a quiet machine. Under load the CPUs have other runnable tasks
 * (records/calibration: a StrykerJS run, benchmarks, test suites on the 2 cores), and the wakee
 * waits in the run queue until the scheduler picks it (EEVDF: the running task's slice ends or
 * the wakee is eligible and earlier, kernel/sched/fair.c check_preempt_wakeup_fair /
 * pick_eevdf). The calibration captures show that wait at every request/response step of the
 * 235 path, in every process, the client (swaks) and Dovecot's auth processes included: each
 * step's gap on the wire has its processing time at the median and, in a part of the steps, a
 * wait of 0.5-30 ms on top (docs/conformance.md disagreement 12; calibration/steps.ts).
 * Parameters (scenario keys sim.run_queue_*, fitted per batch by calibration/fit.ts):
 *   waitPerMille          how often a woken process waits (decision shouldWaitInRunQueue)
 *   waitQuantilesUs       the wait's quantiles at equally spaced probabilities, the shortest wait
 *                         first and the longest last (calibrate fits every 5th percentile): drawn
 *                         from the piecewise-linear inverse CDF through them (decision
 *                         runQueueWaitUs), i.e. the captures' own distribution of waits, smoothed
 *                         between neighbouring quantiles. A two-piece uniform through the 5th, 50th
 *                         and 95th percentile (the first version) put half the waits between the
 *                         median and the 95th percentile where the real waits crowd near the
 *                         median: the lab's 75th / 90th percentiles of the 235 time were up to ten
 *                         times the real ones (docs/conformance.md disagreement 12).
 *   idleBurstPerMille     how many sessions not under load (wakeup.ts busyPerMille's other sessions,
 *                         or every session without that model) run in a burst of load
 *   busyBurstPerMille     how many sessions under load (wakeup.ts: drawn busy) run in one; each run
 *                         draws once, at its first wake-up, with the chance of its load state
 *                         (decision sessionInLoadBurst); 0 or absent: none
 *   burstWaitPerMille     waitPerMille of such a session
 * The bursts are what the captures show: waits cluster by session far more than independent
 * draws would (quickack-b: 48 of 60 sessions without a wait, 7 with two or more; a mixture
 * fitted by maximum likelihood puts 24 % of its sessions at 156 ‰ of steps and the rest at 3 ‰).
 * Drawn independently at every wake-up, the same mean rate spread waits over more sessions and
 * moved the lab's 235 median where the real one had none (live T3, T5: real 2 ms, lab 4-5 ms).
 * Rules:
 *   - A node with these options that sleeps (no timer of its own due within a slice, not frozen,
 *     owing no wake-up latency; wakeup.ts) and is handed input by the network (bytes, a new or
 *     completed connection, EOF, a refusal) is woken: it waits with the drawn chance. A node whose
 *     wake-up froze its writer (it preempted) ran at once and does not.
 *   - While it waits it runs nothing: that input, every later one and its timers that come due are
 *     handled when the wait ends, in their order. The kernel meanwhile does what it does for a
 *     process that is not running: TCP receives, queues and ACKs the bytes (sim/tcp), so a
 *     peer's segments sit in the receive queue as they would.
 *   - A node that waits is runnable, not asleep: another write to it does not wake it again.
 * Unlike wakeup.ts, it applies to every node the scenario gives it, the client and the auth
 * service included, which have no preemption model: they block on every step.
 * The burst depends on the session load of wakeup.ts (sessionUnderLoad) through its two chances,
 * because the captures tie waits and lost races per batch, in a direction that changes between
 * batches: sessions logged in on their first backend connection (mostly the load fit's idle
 * state) waited in 20-41 ‰ of their steps against 91-144 ‰ in the other sessions in pp3-b, pp3-c,
 * quickack-b and quickack-c, and as often or more in pp3-a, pp3-d, quickack-a and quickack-d
 * (46-140 ‰ against 39-98 ‰). Drawn independently of the load (the first version), the lab gave
 * quickack-c's first-connection sessions 51 ‰ against 64 ‰ and its 235 times heavier tails
 * than the real ones (docs/conformance.md disagreement 12); calibration/fit.ts fits both chances.
 */
import type { Decider } from './decisions.ts';

export interface RunQueueOptions {
  /** Per mille of wake-ups in which the woken process waits for a CPU. */
  readonly waitPerMille: number;
  /** The wait's quantiles (µs) at equally spaced probabilities, non-decreasing: 0th percentile first, 100th last. */
  readonly waitQuantilesUs: readonly number[];
  /** Per mille of runs (sessions) not under load (wakeup.ts) in a burst of load; 0 or absent: none. */
  readonly idleBurstPerMille?: number;
  /** Per mille of runs under load (wakeup.ts sessionUnderLoad) in a burst of load; 0 or absent: none. */
  readonly busyBurstPerMille?: number;
  /** waitPerMille of a run in a burst. */
  readonly burstWaitPerMille?: number;
}

export class RunQueueState {
  /** When the node gets a CPU after its last wait (µs); before then it runs nothing. */
  private readyAtUs = 0;
  /** Inputs handed to it while it waited, not yet handled. */
  private held = 0;
  /** The run's chance of a wait per wake-up, once its burst is drawn (at the first wake-up). */
  private runWaitPerMille: number | undefined;

  /** `inBurst`: whether the run is in a burst of load, asked once, at the node's first wake-up. */
  constructor(readonly options: RunQueueOptions, private readonly inBurst: () => boolean = () => false) {
    const quantiles = options.waitQuantilesUs;
    const perMille = [options.waitPerMille, options.idleBurstPerMille ?? 0, options.busyBurstPerMille ?? 0, options.burstWaitPerMille ?? 0];
    const ascending = quantiles.length > 0 && quantiles[0]! >= 0 && quantiles.every((q, i) => i === 0 || quantiles[i - 1]! <= q);
    if (![...perMille, ...quantiles].every(Number.isSafeInteger) || perMille.some((p) => p < 0 || p > 1000) || !ascending) {
      throw new RangeError(`run-queue options need integers with per-mille values in 0..1000 and at least one wait quantile, non-negative and non-decreasing, got ${JSON.stringify(options)}`);
    }
  }

  /** The sleeping node is woken at `now`: draw whether, and how long, it waits before it runs. */
  woken(decider: Decider, now: number): void {
    this.runWaitPerMille ??= this.inBurst() ? this.options.burstWaitPerMille ?? 0 : this.options.waitPerMille;
    if (decider.shouldWaitInRunQueue(this.runWaitPerMille)) this.readyAtUs = now + decider.runQueueWaitUs(this.options.waitQuantilesUs);
  }

  /** Whether the node is still waiting at `now`, or has inputs from its wait left to handle. */
  waiting(now: number): boolean {
    return now < this.readyAtUs || this.held > 0;
  }

  /** An input arrives while it waits: when to handle it (after every earlier one). */
  hold(now: number): number {
    this.held++;
    return Math.max(now, this.readyAtUs);
  }

  /** A held input is being handled now. */
  release(): void {
    this.held--;
  }
}
