/* network - fast-check builder of TCP behaviour per hop and of link faults
 *
 * Profiles are drawn uniformly so every real-stack TCP mode is exercised (the coverage gate
 * checks it). Faults come from the kernel's catalogue (sim/faults/catalogue.ts), each drawn from
 * the ranges its entry gives: the benign ones must never break a correct chain; the destructive
 * ones may, and properties that promise success exclude them. A new catalogue entry is generated
 * without a change here. Most cases carry no fault, so shrinking lands on plain TCP.
 */
import fc from 'fast-check';
import type { FaultName, FaultSpec, TcpProfileName } from '../../sim/index.ts';
import { FAULT_CATALOGUE, TCP_PROFILES, faultDefinition, type AnyFaultDefinition } from '../../sim/index.ts';
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

/** A fault drawn from the ranges its catalogue entry gives (`generated`), keys in the entry's order. */
function faultArbitrary(definition: AnyFaultDefinition): fc.Arbitrary<FaultSpec> {
  const params = Object.entries(definition.generated).map(([key, range]): [string, fc.Arbitrary<unknown>] => {
    if (typeof range === 'number') return [key, fc.constant(range)];
    if (typeof range[0] === 'string') return [key, fc.constantFrom(...(range as readonly string[]))];
    const [min, max] = range as readonly [number, number];
    return [key, fc.integer({ min, max })];
  });
  return fc.record({ name: fc.constant(definition.name), ...Object.fromEntries(params) }) as fc.Arbitrary<FaultSpec>;
}

const entries = (Object.keys(FAULT_CATALOGUE) as FaultName[]).map(faultDefinition);
const benignFault = fc.oneof(...entries.filter((entry) => !entry.destructive).map(faultArbitrary));
const destructiveFault = fc.oneof(...entries.filter((entry) => entry.destructive).map(faultArbitrary));

function hopFaults(destructive: boolean): fc.Arbitrary<readonly FaultSpec[]> {
  const one = destructive ? fc.oneof({ weight: 3, arbitrary: benignFault }, { weight: 1, arbitrary: destructiveFault }) : benignFault;
  return fc.oneof({ weight: 4, arbitrary: fc.constant<readonly FaultSpec[]>([]) }, { weight: 1, arbitrary: fc.array(one, { minLength: 1, maxLength: 2 }) });
}

/** Link faults on each hop; `destructive` allows faults that break or stall a link. */
export function linkFaults(destructive: boolean): fc.Arbitrary<LinkFaults> {
  return fc.record({ client: hopFaults(destructive), backend: hopFaults(destructive), auth: hopFaults(destructive) });
}
