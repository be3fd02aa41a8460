/* errors - the simulator's failure kinds, each naming what a replay needs */
import type { Micros } from '../models/contract.ts';

/** A step bound was hit: the system did not settle. Carries the seed so the run can be replayed. */
export class LivenessError extends Error {
  constructor(
    readonly seed: number,
    readonly maxSteps: number,
    readonly now: Micros,
    detail: string,
  ) {
    super(`liveness: ${detail} (seed ${seed}, step bound ${maxSteps}, virtual time ${now} µs)`);
    this.name = 'LivenessError';
  }
}

/** Bad simulator input: unknown profile or fault, bad parameter, duplicate listener, unknown connection. */
export class SimConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SimConfigError';
  }
}
