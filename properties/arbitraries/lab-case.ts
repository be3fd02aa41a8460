/* lab-case - fast-check builder of a whole generated trace (LabCase)
 *
 * `faults: 'none'` gives cases in which a correct session can succeed (no auth-service fault,
 * only benign link faults, Postfix settings a correct client cannot trip); `faults: 'any'` adds
 * the destructive ones for the safety and liveness properties: link faults, auth-service faults,
 * a Postfix that fails at a step, tight limits and a milter that refuses. With `releases`, a
 * trace also draws the Postfix, front and Mailu releases it runs on (releases.ts).
 */
import fc from 'fast-check';
import type { LabCase } from '../lab-case.ts';
import { backendFailure } from './backend-failure.ts';
import { clientBehaviour, withProbes } from './client-behaviour.ts';
import { linkFaults, network } from './network.ts';
import { postfixSettings } from './postfix-settings.ts';
import { releaseDraw } from './releases.ts';
import type { ReleaseCandidates } from '../release-scope.ts';
import { timing } from './timing.ts';

export interface LabCaseOptions {
  readonly faults: 'benign' | 'any';
  /** Other releases the traces may run on (release-scope.ts); none: the scenario's own only, and no draw is made. */
  readonly releases?: ReleaseCandidates;
}

export function labCase(options: LabCaseOptions): fc.Arbitrary<LabCase> {
  const any = options.faults === 'any';
  const cases = fc
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
    .map(({ network: net, timing: time, client, faults, seed, backend, postfix }): LabCase => ({
      overrides: { ...time, ...backend, ...postfix.settings, 'tcp.profile': net.profile, 'tcp.client_profile': net.clientProfile, 'tcp.one_way_delay_us': net.oneWayDelayUs },
      client: withProbes(client, postfix.probes),
      faults,
      seed,
    }));
  const candidates = options.releases;
  if (candidates === undefined) return cases;
  // Drawn after the whole case, so each case is the one it was before releases were drawn, on another release.
  return fc.tuple(cases, releaseDraw(candidates)).map(([drawn, releases]) => (releases === undefined ? drawn : { ...drawn, releases }));
}
