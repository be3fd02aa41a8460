/* lab-case - fast-check builder of a whole generated trace (LabCase)
 *
 * `faults: 'none'` gives cases in which a correct session can succeed (no auth-service fault,
 * only benign link faults); `faults: 'any'` adds the destructive ones for the safety and
 * liveness properties: link faults, auth-service faults and a Postfix that fails at a step.
 */
import fc from 'fast-check';
import type { LabCase } from '../lab-case.ts';
import { backendFailure } from './backend-failure.ts';
import { clientBehaviour } from './client-behaviour.ts';
import { linkFaults, network } from './network.ts';
import { timing } from './timing.ts';

export interface LabCaseOptions {
  readonly faults: 'benign' | 'any';
}

export function labCase(options: LabCaseOptions): fc.Arbitrary<LabCase> {
  const any = options.faults === 'any';
  return fc
    .record({
      network: network(),
      timing: timing(any),
      client: clientBehaviour(),
      faults: linkFaults(any),
      seed: fc.integer({ min: 0, max: 0x7fffffff }),
      // Last, so the draws above are the ones cases had before the backend could fail.
      backend: backendFailure(any),
    })
    .map(({ network: net, timing: time, client, faults, seed, backend }) => ({
      overrides: { ...time, ...backend, 'tcp.profile': net.profile, 'tcp.client_profile': net.clientProfile, 'tcp.one_way_delay_us': net.oneWayDelayUs },
      client,
      faults,
      seed,
    }));
}
