/* clock - wall-clock microseconds since a run started
 *
 * The socket runtime is the one place in the lab allowed to read a wall clock: models get
 * `now` from it exactly as they get virtual time from the simulator. A monotonic source
 * (hrtime) keeps timer arithmetic safe from system clock steps.
 */
import type { Micros } from '../../models/contract.ts';

export class WallClock {
  private readonly originNs = process.hrtime.bigint();

  /** Integer microseconds since this clock was created. */
  now(): Micros {
    return Number((process.hrtime.bigint() - this.originNs) / 1000n);
  }
}
