/* lab-case - fast-check builder of a whole generated trace (LabCase)
 *
 * `faults: 'none'` gives cases in which a correct session can succeed (no auth-service fault,
 * only benign link faults, Postfix settings a correct client cannot trip); `faults: 'any'` adds
 * the destructive ones for the safety and liveness properties: link faults, auth-service faults,
 * a Postfix that fails at a step, tight limits and a milter that refuses.
 */
import fc from 'fast-check';
import type { LabCase } from '../lab-case.ts';
import { backendFailure } from './backend-failure.ts';
import { clientBehaviour, withProbes } from './client-behaviour.ts';
import { linkFaults, network } from './network.ts';
import { postfixSettings } from './postfix-settings.ts';
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
      // Last again: Postfix's settings and the client's command probes (postfix-settings.ts).
      postfix: postfixSettings(any),
    })
    .map(({ network: net, timing: time, client, faults, seed, backend, postfix }) => ({
      overrides: { ...time, ...backend, ...postfix.settings, 'tcp.profile': net.profile, 'tcp.client_profile': net.clientProfile, 'tcp.one_way_delay_us': net.oneWayDelayUs },
      client: withProbes(client, postfix.probes),
      faults,
      seed,
    }));
}
