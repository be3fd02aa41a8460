/* decisions - every random choice the simulator makes, each a named method recorded in the trace
 *
 * TigerBeetle's packet simulator style: no anonymous `random()` calls in the
 * kernel; a reader of the trace sees each `decision` with its name and value and
 * can tell which knob produced it. Probabilities are integer ratios. The choices come
 * from a ChoiceSource (choices.ts): the seeded PRNG, or `smtp-lab explore`'s choice sequence,
 * which knows each decision by the name given here.
 */
import type { ChoiceSource } from './choices.ts';
import type { TraceRecorder } from './trace.ts';

/** Linux default net.ipv4.ip_local_port_range (include/net/ip.h, inet_get_local_port_range). */
export const EPHEMERAL_PORT_MIN = 32768;
export const EPHEMERAL_PORT_MAX = 60999;

export class Decider {
  constructor(
    private readonly choices: ChoiceSource,
    private readonly trace: TraceRecorder,
    private readonly clock: { readonly now: number },
    /** Connection label the decisions belong to ('' for run-wide ones). */
    readonly conn: string,
  ) {}

  /** A child decider for one connection, on its own split stream. */
  forConnection(conn: string, stream: number): Decider {
    return new Decider(this.choices.split(stream), this.trace, this.clock, conn);
  }

  /** Source port of an outgoing connection, from the default ephemeral range. */
  pickEphemeralPort(): number {
    return this.integer('pickEphemeralPort', EPHEMERAL_PORT_MIN, EPHEMERAL_PORT_MAX);
  }

  /** Extra delay on top of the delayed-ACK minimum (jiffy rounding and timer-wheel slack). */
  delackSlackUs(maxUs: number): number {
    return maxUs <= 0 ? 0 : this.integer('delackSlackUs', 0, maxUs - 1);
  }

  /** How late a node's timer fires: CPU scheduling noise of the process, in [0, maxUs]. */
  schedulingDelayUs(maxUs: number): number {
    return maxUs <= 0 ? 0 : this.integer('schedulingDelayUs', 0, maxUs);
  }

  /** Does a process woken by this node's write run before this node continues (sim/wakeup.ts)? */
  shouldWakeePreempt(perMille: number): boolean {
    return this.chance('shouldWakeePreempt', perMille, 1000);
  }

  /** Does this run (one session) happen while the machine is busy (sim/wakeup.ts)? */
  sessionUnderLoad(perMille: number): boolean {
    return this.chance('sessionUnderLoad', perMille, 1000);
  }

  /** µs into the wall clock's second at the run's virtual time 0 (Simulation.wallClockPhaseUs). */
  wallClockPhaseUs(): number {
    return this.integer('wallClockPhaseUs', 0, 999_999);
  }

  /** Wake-up latency of a process woken on another CPU: two-piece uniform through min, median, max. */
  wakeupLatencyUs(minUs: number, medianUs: number, maxUs: number): number {
    return this.twoPiece('wakeupLatencyUs', minUs, medianUs, maxUs);
  }

  /** Does a process woken while the machine is loaded wait in the run queue (sim/run-queue.ts)? */
  shouldWaitInRunQueue(perMille: number): boolean {
    return this.chance('shouldWaitInRunQueue', perMille, 1000);
  }

  /** Does this run (one session) happen in a burst of load, when woken processes wait more often (sim/run-queue.ts)? */
  sessionInLoadBurst(perMille: number): boolean {
    return this.chance('sessionInLoadBurst', perMille, 1000);
  }

  /**
   * How long it waits there: a piecewise-linear inverse CDF through the quantiles given at equally
   * spaced probabilities (the first the 0th percentile, the last the 100th): one of the n − 1 pieces
   * between neighbours, each as likely, then uniform within it (sim/run-queue.ts).
   */
  runQueueWaitUs(quantilesUs: readonly number[]): number {
    // The piece is its own named choice so an explorer can reach the first and the last (representatives.ts).
    const piece = quantilesUs.length < 2 ? 0 : this.choices.integer('runQueueWaitUs:piece', 0, quantilesUs.length - 2);
    const low = quantilesUs[piece]!;
    return this.note('runQueueWaitUs', this.choices.integer('runQueueWaitUs:inPiece', low, quantilesUs[piece + 1] ?? low));
  }

  /** Per-segment latency jitter in [0, maxUs]. */
  jitterUs(maxUs: number): number {
    return maxUs <= 0 ? 0 : this.integer('jitterUs', 0, maxUs);
  }

  /** Does the slicer split this write? */
  shouldSplitWrite(numerator: number, denominator: number): boolean {
    return this.chance('shouldSplitWrite', numerator, denominator);
  }

  /** How many pieces the slicer cuts a write into: 2..maxPieces. */
  slicePieces(maxPieces: number): number {
    return this.integer('slicePieces', 2, maxPieces);
  }

  /** Cut point inside a write of `len` bytes: 1..len-1. */
  splitPoint(len: number): number {
    return this.integer('splitPoint', 1, len - 1);
  }

  /** A fault parameter given as a [min, max] range, drawn once per connection. */
  pickFaultParam(name: string, min: number, max: number): number {
    return this.integer(`pickFaultParam:${name}`, min, max);
  }

  /** Half the draws between min and median, half between median and max. */
  private twoPiece(name: string, minUs: number, medianUs: number, maxUs: number): number {
    // The piece is its own named choice so an explorer can reach min, median and max (representatives.ts);
    // a yes/no of its own name, not the upper piece's integer one (the explorer refuses a name asked as both).
    const upper = this.choices.chance(`${name}:inUpperPiece`, 1, 2);
    const valueUs = upper ? this.choices.integer(`${name}:upperPiece`, medianUs, maxUs) : this.choices.integer(`${name}:lowerPiece`, minUs, medianUs);
    return this.note(name, valueUs);
  }

  private integer(name: string, min: number, max: number): number {
    return this.note(name, this.choices.integer(name, min, max));
  }

  private chance(name: string, numerator: number, denominator: number): boolean {
    return this.note(name, this.choices.chance(name, numerator, denominator));
  }

  private note<V extends number | boolean>(name: string, value: V): V {
    if (this.trace.enabled) this.trace.record({ t: this.clock.now, kind: 'decision', conn: this.conn, name, value });
    return value;
  }
}
