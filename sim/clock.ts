/* clock - the simulator's virtual clock in integer microseconds
 *
 * Time only moves when the run loop pops an event; nothing here reads the wall
 * clock. Integer microseconds match the contract's Micros and the resolution of
 * the recorded loopback captures (tcpdump prints µs).
 */
import type { Micros } from '../models/contract.ts';

export const US_PER_MS = 1_000;
export const US_PER_SEC = 1_000_000;

export class VirtualClock {
  private nowUs: Micros = 0;

  get now(): Micros {
    return this.nowUs;
  }

  /** Move forward to `t`; time never runs backwards. */
  advanceTo(t: Micros): void {
    if (t < this.nowUs) throw new Error(`virtual clock cannot go back from ${this.nowUs} to ${t} µs`);
    this.nowUs = t;
  }
}
