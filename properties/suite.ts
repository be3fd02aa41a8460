/* suite - the lab's properties as a table: what each promises, where it applies, over which traces
 *
 * Each row is one property. `kind: 'exists'` rows are searches: they hold when a counterexample
 * to "no trace shows the bug" is found (property 1 proves the bug is real). `kind: 'forall'`
 * rows must hold on every generated trace. `kind: 'differential'` runs the same traces on the
 * scenario and on a reference (the buggy Mailu chain): it holds when the scenario refuses no
 * correct client while the reference refuses some, so the traces could have shown a difference.
 * `appliesTo` says why a row does not apply to a scenario (null: it does); `coverage` names the
 * classes of traces that must have run on that scenario for a pass to mean anything; `holdsOn`
 * says which releases the row holds for: every one it applies to, whose traces then draw the
 * Postfix and front releases (release-scope.ts), or the scenario's own (the differential).
 */
import type { LabCase } from './lab-case.ts';
import type { RunReport } from '../scenarios/run.ts';
import type { Scenario } from '../scenarios/index.ts';
import { FRONT_MODELS, pipelinesAfterXclient } from '../models/front/index.ts';
import {
  correctClientServed, earlyTalkJudgedOnTheClient, identityCarried, liveness, proxyAddsNoPipelining, proxyNeverPipelines, safety, showsMailuBug,
  wrongPasswordRefused, type Verdict,
} from './verdicts.ts';
import { PROFILES } from './arbitraries/network.ts';
import type { CoverageClass } from './coverage.ts';
import type { ReleaseScope } from './release-scope.ts';

export interface LabProperty {
  readonly id: string;
  readonly title: string;
  /** Scenario it runs on unless the user names another. */
  readonly scenario: string;
  readonly kind: 'forall' | 'exists' | 'differential';
  /** Traces with destructive faults too ('any'), or only those in which success is possible ('benign'). */
  readonly faults: 'benign' | 'any';
  /** The releases it holds for: every modelled release it applies to (its traces draw them), or the scenario's own (release-scope.ts). */
  readonly holdsOn: ReleaseScope;
  /** Why the property says nothing about `scenario`, or null when it applies. */
  appliesTo(scenario: Scenario): string | null;
  coverage(scenario: Scenario): readonly CoverageClass[];
  /** null: this trace is fine for the property; else what went wrong. For 'exists', non-null is the sought trace. `ran`: the scenario the case ran on (scenarioFor). */
  verdict(labCase: LabCase, report: RunReport, ran: Scenario): Verdict;
}

/** The scenario a differential property compares with: the chain that has the bug. */
export const DIFFERENTIAL_REFERENCE = 'mailu-2024.06';

const both = (...checks: ((c: LabCase, r: RunReport, s: Scenario) => Verdict)[]) => (c: LabCase, r: RunReport, s: Scenario): Verdict => {
  for (const check of checks) {
    const verdict = check(c, r, s);
    if (verdict !== null) return verdict;
  }
  return null;
};

const always = (): null => null;
const profiles = PROFILES.map((profile) => `profile:${profile}`);
const pipelines = (s: Scenario) => pipelinesAfterXclient(s.get('front.model'));
const authenticates = (s: Scenario) => s.get('client.auth') !== 'none';
const identityBy = (s: Scenario) => FRONT_MODELS[s.get('front.model')].passesIdentityBy;
/** Properties of the XCLIENT handshake say nothing about a front that sends no XCLIENT. */
const xclientApplies = (s: Scenario) => (identityBy(s) === 'xclient' ? null : `front ${s.get('front.model')} passes the client's identity with the PROXY protocol, not XCLIENT`);
const proxyProtocolApplies = (s: Scenario) => (identityBy(s) === 'proxy-protocol' ? null : `front ${s.get('front.model')} passes the client's identity with XCLIENT, not the PROXY protocol`);
/** Generated clients are submission clients: they log in. A scenario whose client does not cannot judge them. */
const loginsApply = (s: Scenario) => (authenticates(s) ? null : "the scenario's client does not log in (client.auth = none); generated clients do");

export const PROPERTIES: readonly LabProperty[] = [
  {
    id: 'bug-exists',
    title: '1. Bug exists: a correct client gets 454 with improper pipelining after XCLIENT logged',
    scenario: 'mailu-2024.06',
    kind: 'exists',
    faults: 'benign',
    holdsOn: 'every-release',
    appliesTo: (s) => {
      if (loginsApply(s) !== null) return loginsApply(s);
      if (xclientApplies(s) !== null) return xclientApplies(s);
      if (!pipelines(s)) return `front ${s.get('front.model')} waits for XCLIENT's reply: the bug cannot happen`;
      if (!s.isOn('postfix.smtpd_forbid_unauth_pipelining')) return 'smtpd_forbid_unauth_pipelining = no: Postfix logs but never refuses';
      return null;
    },
    coverage: () => [],
    verdict: (c, r) => (showsMailuBug(c, r) ? `correct client got '${r.client.authReply}' after ${r.backend.connections} backend connections; Postfix: improper command pipelining after XCLIENT` : null),
  },
  {
    id: 'fixed-sequencing',
    title: '2. Fixed sequencing: a correct client gets 235 and its mail queued; Postfix never sees the proxy pipeline',
    scenario: 'lockstep',
    kind: 'forall',
    faults: 'benign',
    holdsOn: 'every-release',
    appliesTo: (s) => xclientApplies(s) ?? (pipelines(s) ? `front ${s.get('front.model')} pipelines EHLO after XCLIENT by design; 'workaround' says whether clients are still served` : loginsApply(s)),
    coverage: () => [...profiles, 'trigger:slow-xclient', 'trigger:none', 'auth:235', 'auth:535'],
    verdict: both(correctClientServed, proxyNeverPipelines),
  },
  {
    id: 'workaround',
    title: "3. Correct clients served (Mailu's workaround, PR 3322): a correct client gets 235 and its mail queued",
    scenario: 'mailu-2024.06-pr3322',
    kind: 'forall',
    faults: 'benign',
    holdsOn: 'every-release',
    appliesTo: loginsApply,
    // A lost race is what the workaround must survive; a front that waits for replies never loses one.
    coverage: (s) => ['profile:linux-default', 'profile:quickack', ...(pipelines(s) ? ['race:lost'] : []), 'race:won', 'auth:235', 'auth:535'],
    verdict: correctClientServed,
  },
  {
    id: 'differential',
    title: `4. Differential: on the same traces, no correct client refused, while ${DIFFERENTIAL_REFERENCE} refuses some`,
    scenario: 'lockstep',
    kind: 'differential',
    faults: 'benign',
    holdsOn: 'scenario-release',
    appliesTo: (s) => (s.name === DIFFERENTIAL_REFERENCE ? 'this is the reference scenario itself' : loginsApply(s)),
    coverage: () => [],
    verdict: correctClientServed,
  },
  {
    id: 'safety',
    title: '5. Safety under any faults: no acknowledged mail lost or doubled, nothing queued unauthenticated, no identity changed or lost, every session ends',
    scenario: 'mailu-2024.06',
    kind: 'forall',
    faults: 'any',
    holdsOn: 'every-release',
    appliesTo: always,
    // A temporary AUTH failure comes from the auth service; behind a front that asks none, only 235 and 535 exist.
    coverage: (s) => ['fault:destructive', 'fault:none', 'client:own-xclient', ...(authenticates(s) ? ['auth:235', ...(FRONT_MODELS[s.get('front.model')].asksAuthService ? ['auth:4xx'] : [])] : [])],
    verdict: safety,
  },
  {
    id: 'liveness',
    title: '6. Liveness: every session ends within the bound and no component is left holding a connection, whatever the faults',
    scenario: 'lockstep',
    kind: 'forall',
    faults: 'any',
    holdsOn: 'every-release',
    appliesTo: always,
    coverage: (s) => ['fault:destructive', ...(authenticates(s) ? ['auth:235'] : [])],
    verdict: liveness,
  },
  {
    id: 'wrong-password',
    title: '7. Authentication: a wrong password never gets 235 and nothing is queued under the identity it claimed',
    scenario: 'mailu-2024.06',
    kind: 'forall',
    faults: 'benign',
    holdsOn: 'every-release',
    appliesTo: loginsApply,
    coverage: () => ['auth:535'],
    verdict: wrongPasswordRefused,
  },
  {
    id: 'proxy-identity',
    title: "8. Identity carried: Postfix logs and records the client's own address (the one HAProxy accepted), never the proxy's",
    scenario: 'haproxy-proxy-protocol',
    kind: 'forall',
    faults: 'any',
    holdsOn: 'every-release',
    appliesTo: proxyProtocolApplies,
    coverage: () => ['fault:none', 'fault:destructive', 'auth:235'],
    verdict: identityCarried,
  },
  {
    id: 'proxy-no-pipelining',
    title: '9. No pipelining from the proxy: Postfix never reads the PROXY header as SMTP, nor flags a client that waited for every reply',
    scenario: 'haproxy-proxy-protocol',
    kind: 'forall',
    faults: 'benign',
    holdsOn: 'every-release',
    appliesTo: proxyProtocolApplies,
    coverage: () => [...profiles, 'auth:235', 'auth:535'],
    verdict: proxyAddsNoPipelining,
  },
  {
    id: 'proxy-early-talker',
    title: '10. Early talker: a client that talks before the greeting is flagged by Postfix under its own address and bytes, as if connected directly',
    scenario: 'haproxy-proxy-protocol',
    kind: 'forall',
    faults: 'benign',
    holdsOn: 'every-release',
    appliesTo: proxyProtocolApplies,
    // race:lost: some early talk reached smtpd's greeting check (else the verdict judged nothing).
    coverage: () => ['race:lost', 'race:won'],
    verdict: earlyTalkJudgedOnTheClient,
  },
];

export function propertyById(id: string): LabProperty | undefined {
  return PROPERTIES.find((property) => property.id === id);
}
