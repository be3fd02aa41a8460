/* network - fast-check builder of TCP behaviour per hop and of link faults
 *
 * Profiles are drawn uniformly so every real-stack TCP mode is exercised (the coverage gate
 * checks it). Faults come from the kernel's catalogue (sim/faults/catalogue.ts): the benign ones
 * (latency, bandwidth, slicer, coalesce, slow_close) must never break a correct chain; the
 * destructive ones (reset_peer, timeout, limit_data, half_close) may, and properties that
 * promise success exclude them. Most cases carry no fault, so shrinking lands on plain TCP.
 */
import fc from 'fast-check';
import type { FaultSpec, TcpProfileName } from '../../sim/index.ts';
import { TCP_PROFILES } from '../../sim/index.ts';
import type { LinkFaults } from '../../scenarios/run.ts';

export const PROFILES = Object.keys(TCP_PROFILES) as TcpProfileName[];

export interface NetworkChoice {
  readonly profile: TcpProfileName;
  readonly clientProfile: TcpProfileName;
  readonly oneWayDelayUs: number;
}

export function network(): fc.Arbitrary<NetworkChoice> {
  return fc.record({
    profile: fc.constantFrom(...PROFILES),
    clientProfile: fc.constantFrom(...PROFILES),
    // Loopback (10 µs), a container bridge, or a LAN hop.
    oneWayDelayUs: fc.oneof({ weight: 3, arbitrary: fc.constant(10) }, { weight: 1, arbitrary: fc.integer({ min: 5, max: 2_000 }) }),
  });
}

const benignFault: fc.Arbitrary<FaultSpec> = fc.oneof(
  fc.record({ name: fc.constant('latency'), extraUs: fc.integer({ min: 0, max: 5_000 }), jitterUs: fc.integer({ min: 0, max: 5_000 }) }),
  fc.record({ name: fc.constant('bandwidth'), bytesPerSec: fc.integer({ min: 10_000, max: 100_000_000 }) }),
  fc.record({ name: fc.constant('slicer'), numerator: fc.integer({ min: 1, max: 4 }), denominator: fc.constant(4), maxPieces: fc.integer({ min: 2, max: 8 }) }),
  fc.record({ name: fc.constant('coalesce'), holdUs: fc.integer({ min: 1, max: 2_000 }) }),
  fc.record({ name: fc.constant('slow_close'), delayUs: fc.integer({ min: 0, max: 200_000 }) }),
);

const destructiveFault: fc.Arbitrary<FaultSpec> = fc.oneof(
  fc.record({ name: fc.constant('reset_peer'), afterBytes: fc.integer({ min: 0, max: 2_000 }) }),
  fc.record({ name: fc.constant('timeout'), afterBytes: fc.integer({ min: 0, max: 2_000 }) }),
  fc.record({ name: fc.constant('limit_data'), bytes: fc.integer({ min: 0, max: 2_000 }) }),
  fc.record({ name: fc.constant('half_close'), afterBytes: fc.integer({ min: 0, max: 1_000 }), direction: fc.constantFrom('toListener', 'toConnector') }),
);

function hopFaults(destructive: boolean): fc.Arbitrary<readonly FaultSpec[]> {
  const one = destructive ? fc.oneof({ weight: 3, arbitrary: benignFault }, { weight: 1, arbitrary: destructiveFault }) : benignFault;
  return fc.oneof({ weight: 4, arbitrary: fc.constant<readonly FaultSpec[]>([]) }, { weight: 1, arbitrary: fc.array(one, { minLength: 1, maxLength: 2 }) });
}

/** Link faults on each hop; `destructive` allows faults that break or stall a link. */
export function linkFaults(destructive: boolean): fc.Arbitrary<LinkFaults> {
  return fc.record({ client: hopFaults(destructive), backend: hopFaults(destructive), auth: hopFaults(destructive) });
}
