/* wakeup - who runs first when data wakes a sleeping process: the CPU-placement model of the race
 *
 * The XCLIENT race is decided by the scheduler, not by TCP alone (records/calibration, every
 * batch's capture.pcap; docs/conformance.md "The race is a scheduling race"). When Dovecot's
 * write() of XCLIENT lands in smtpd's socket, loopback delivers it inside that very syscall and
 * wakes smtpd with a sync wake-up (sock_def_readable → wake_up_interruptible_sync_poll, WF_SYNC:
 * "the waker is about to sleep", so wake_affine favours the waker's CPU). Then one of two things:
 *   - smtpd preempts Dovecot on its CPU (check_preempt_wakeup_fair): it processes XCLIENT and
 *     answers before Dovecot runs again to write its EHLO. Capture: XCLIENT → 220 in 24-50 µs,
 *     the EHLO after it. The race is won whatever TCP does.
 *   - smtpd runs elsewhere (the other CPU, or later on this one): Dovecot carries on and writes
 *     EHLO 10-30 µs after XCLIENT, while smtpd starts after a wake-up latency. Capture: EHLO
 *     first, XCLIENT → 554 after 56-800 µs. With a quick ACK the EHLO is there before smtpd looks.
 * Which of the two happens depends on the load of the machine (other engineers' test runs on
 * the same 2 cores), so it is a distribution with named parameters, fitted by `calibrate`:
 *   preemptPerMille   how often the woken process runs first (integer ratio, decision shouldWakeePreempt)
 *   latency*Us        its wake-up latency otherwise, drawn from a two-piece uniform through
 *                     min, median and max (decision wakeupLatencyUs)
 *   busyPerMille      how many sessions run while the machine is busy, drawn once per run
 *   busyPreemptPerMille  preemptPerMille of such a session (decision sessionUnderLoad)
 * The two-state session load is what the calibration captures show (records/calibration,
 * calibration/fit.ts): in every racy batch Postfix ran first far less often on Dovecot's
 * reconnects than on a session's first backend connection (pp3-c 38 % against 73 %, quickack-a
 * 9 % against 40 %), and consecutive sessions agree more often than independent draws would:
 * load from other processes comes in bursts of seconds, longer than one session.
 * Rules of this model:
 *   - A wake-up happens when a node with wake-up options writes to a peer with wake-up options
 *     that sleeps: it is not frozen and has no timer due within one scheduler slice.
 *   - Preempted, the writer is frozen: its timers that come due wait until the woken peer writes
 *     (it answered and goes back to sleep) or one slice has passed, whichever is first.
 *   - Otherwise the latency applies only if the writer keeps running: when the writer's turn
 *     (its handling of the input that made it write) ends with a timer of its own due within one
 *     slice, as Dovecot's EHLO 5 µs after XCLIENT is. Then the peer's first timer set after the
 *     wake-up (its processing of the new bytes) fires the drawn latency late. A writer whose turn
 *     ends with nothing due blocks (it waits for the answer), and the peer runs at once: a
 *     sync wake-up places the wakee on the waker's CPU when the waker is the only task there
 *     (kernel/sched/fair.c wake_affine_idle: `if (sync && cpu_rq(this_cpu)->nr_running == 1)
 *     return this_cpu`), and the waker's schedule() in epoll_wait/read picks it next. That is
 *     every request/response step of the 235 path (banner → EHLO → 250 → XCLIENT → 220 → ...),
 *     whose real gaps are smtpd's and Dovecot's processing (13-100 µs in the calibration
 *     captures), which the models time themselves. The latency is fitted where the premise
 *     holds (calibration/fit.ts: XCLIENT → reply of the EHLO-first connections, where Dovecot
 *     kept running to write its EHLO), and drawing it at every write to a sleeping peer added
 *     4-14 ms to the lab's 235 path under load that the real one (2-3 ms) does not show.
 * A slice is SCHED_SLICE_US (due-timers.ts). A wakee whose writer blocks may still wait in the run
 * queue behind other tasks under load: run-queue.ts.
 */
import type { Decider } from './decisions.ts';
import type { DueTimers } from './due-timers.ts';

export interface WakeupOptions {
  /** Per mille of wake-ups in which the woken process runs before the writer continues. */
  readonly preemptPerMille: number;
  readonly latencyMinUs: number;
  readonly latencyMedianUs: number;
  readonly latencyMaxUs: number;
  /** Per mille of runs (sessions) under load; 0 or absent: none. */
  readonly busyPerMille?: number;
  /** preemptPerMille of a run under load. */
  readonly busyPreemptPerMille?: number;
}

/** The options a run uses: busy or not, as drawn once for the run. */
export function optionsForRun(options: WakeupOptions, busy: boolean): WakeupOptions {
  return busy ? { ...options, preemptPerMille: options.busyPreemptPerMille ?? 0 } : options;
}

/** The scheduling state of one node (process) under this model. */
export class WakeupState {
  /** Index of the node whose run froze this one, or -1. */
  frozenBy = -1;
  /** Timers that came due while frozen, in order: name and generation. */
  readonly deferred: { name: string; gen: number }[] = [];
  /** Latency owed to the next timer this node sets (woken on another CPU), or 0. */
  private owedLatencyUs = 0;
  /** Index of the node whose write woke this one without yielding to it, until its turn ends (settleWake); or -1. */
  wokenByIndex = -1;

  /** `due`: the node's own timers (the simulator keeps them), to tell whether the process sleeps. */
  constructor(readonly options: WakeupOptions, private readonly due: DueTimers) {
    const { latencyMinUs: min, latencyMedianUs: median, latencyMaxUs: max } = options;
    const perMille = [options.preemptPerMille, options.busyPerMille ?? 0, options.busyPreemptPerMille ?? 0];
    if (!(0 <= min && min <= median && median <= max) || ![min, median, max, ...perMille].every(Number.isSafeInteger) || perMille.some((p) => p < 0 || p > 1000)) {
      throw new RangeError(`wake-up options need integers with 0 <= min <= median <= max and per-mille values in 0..1000, got ${JSON.stringify(options)}`);
    }
  }

  /** The latency for a timer set now (once per wake-up). */
  takeLatencyUs(): number {
    const owed = this.owedLatencyUs;
    this.owedLatencyUs = 0;
    return owed;
  }

  sleeps(now: number): boolean {
    if (this.frozenBy >= 0 || this.owedLatencyUs > 0 || this.wokenByIndex >= 0) return false;
    return !this.due.workWithinSlice(now);
  }

  /**
   * The node at `writerIndex` woke this node: decide where it runs. True: it preempts the writer
   * (freeze the writer). False: it waits until the writer's turn ends (settleWake).
   */
  wokenBy(writer: Decider, writerIndex: number): boolean {
    if (writer.shouldWakeePreempt(this.options.preemptPerMille)) return true;
    this.wokenByIndex = writerIndex;
    return false;
  }

  /** The waker's turn has ended: if it keeps running, this node owes the drawn latency; if it blocked, none. */
  settleWake(writer: Decider, writerKeepsRunning: boolean): void {
    this.wokenByIndex = -1;
    if (writerKeepsRunning) this.owedLatencyUs = writer.wakeupLatencyUs(this.options.latencyMinUs, this.options.latencyMedianUs, this.options.latencyMaxUs);
  }
}
