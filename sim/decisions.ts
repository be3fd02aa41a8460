/* decisions - every random choice the simulator makes, each a named method recorded in the trace
 *
 * TigerBeetle's packet simulator style: no anonymous `random()` calls in the
 * kernel; a reader of the trace sees each `decision` with its name and value and
 * can tell which knob produced it. Probabilities are integer ratios.
 */
import type { Prng } from './prng.ts';
import type { TraceRecorder } from './trace.ts';

/** Linux default net.ipv4.ip_local_port_range (include/net/ip.h, inet_get_local_port_range). */
export const EPHEMERAL_PORT_MIN = 32768;
export const EPHEMERAL_PORT_MAX = 60999;

export class Decider {
  constructor(
    private readonly prng: Prng,
    private readonly trace: TraceRecorder,
    private readonly clock: { readonly now: number },
    /** Connection label the decisions belong to ('' for run-wide ones). */
    readonly conn: string,
  ) {}

  /** A child decider for one connection, on its own split stream. */
  forConnection(conn: string, stream: number): Decider {
    return new Decider(this.prng.split(stream), this.trace, this.clock, conn);
  }

  /** Source port of an outgoing connection, from the default ephemeral range. */
  pickEphemeralPort(): number {
    return this.note('pickEphemeralPort', this.prng.between(EPHEMERAL_PORT_MIN, EPHEMERAL_PORT_MAX));
  }

  /** Extra delay on top of the delayed-ACK minimum (jiffy rounding and timer-wheel slack). */
  delackSlackUs(maxUs: number): number {
    return maxUs <= 0 ? 0 : this.note('delackSlackUs', this.prng.below(maxUs));
  }

  /** How late a node's timer fires: CPU scheduling noise of the process, in [0, maxUs]. */
  schedulingDelayUs(maxUs: number): number {
    return maxUs <= 0 ? 0 : this.note('schedulingDelayUs', this.prng.between(0, maxUs));
  }

  /** Does a process woken by this node's write run before this node continues (sim/wakeup.ts)? */
  shouldWakeePreempt(perMille: number): boolean {
    return this.note('shouldWakeePreempt', this.prng.chance(perMille, 1000));
  }

  /** Does this run (one session) happen while the machine is busy (sim/wakeup.ts)? */
  sessionUnderLoad(perMille: number): boolean {
    return this.note('sessionUnderLoad', this.prng.chance(perMille, 1000));
  }

  /** Wake-up latency of a process woken on another CPU: two-piece uniform through min, median, max. */
  wakeupLatencyUs(minUs: number, medianUs: number, maxUs: number): number {
    const upper = this.prng.chance(1, 2);
    return this.note('wakeupLatencyUs', upper ? this.prng.between(medianUs, maxUs) : this.prng.between(minUs, medianUs));
  }

  /** Per-segment latency jitter in [0, maxUs]. */
  jitterUs(maxUs: number): number {
    return maxUs <= 0 ? 0 : this.note('jitterUs', this.prng.between(0, maxUs));
  }

  /** Does the slicer split this write? */
  shouldSplitWrite(numerator: number, denominator: number): boolean {
    return this.note('shouldSplitWrite', this.prng.chance(numerator, denominator));
  }

  /** How many pieces the slicer cuts a write into: 2..maxPieces. */
  slicePieces(maxPieces: number): number {
    return this.note('slicePieces', this.prng.between(2, maxPieces));
  }

  /** Cut point inside a write of `len` bytes: 1..len-1. */
  splitPoint(len: number): number {
    return this.note('splitPoint', this.prng.between(1, len - 1));
  }

  /** A fault parameter given as a [min, max] range, drawn once per connection. */
  pickFaultParam(name: string, min: number, max: number): number {
    return this.note(`pickFaultParam:${name}`, this.prng.between(min, max));
  }

  private note<V extends number | boolean>(name: string, value: V): V {
    if (this.trace.enabled) this.trace.record({ t: this.clock.now, kind: 'decision', conn: this.conn, name, value });
    return value;
  }
}
