/* fault-generation - generated faults come from the catalogue alone, and every draw is a valid fault */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { linkFaults } from '../../properties/arbitraries/network.ts';
import { hasDestructiveFault } from '../../properties/lab-case.ts';
import { checkFaults, FAULT_CATALOGUE } from '../../sim/faults/catalogue.ts';

describe('faults generated from the catalogue', () => {
  const drawn = fc.sample(linkFaults(true), { seed: 11, numRuns: 2_000 }).flatMap((hop) => [...(hop.client ?? []), ...(hop.backend ?? []), ...(hop.auth ?? [])]);

  it('every entry is generated, and every draw passes the catalogue check', () => {
    expect(new Set(drawn.map((fault) => fault.name))).toEqual(new Set(Object.keys(FAULT_CATALOGUE)));
    expect(() => checkFaults(drawn)).not.toThrow();
  });

  it('benign traces carry no destructive fault; the flag is what decides', () => {
    const benign = fc.sample(linkFaults(false), { seed: 11, numRuns: 500 });
    expect(benign.some((hop) => hasDestructiveFault(hop))).toBe(false);
    const destructive = Object.values(FAULT_CATALOGUE).filter((entry) => entry.destructive).map((entry) => entry.name).sort();
    expect(destructive).toEqual(['half_close', 'limit_data', 'reset_peer', 'timeout']);
  });
});
