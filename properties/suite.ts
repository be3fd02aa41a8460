/* suite - the lab's properties as a table: what each promises, on which scenario, over which traces
 *
 * Each row is one property of issue 5. `kind: 'exists'` rows are searches: they hold when a
 * counterexample to "no trace shows the bug" is found (property 1 proves the bug is real).
 * `kind: 'forall'` rows must hold on every generated trace. `coverage` names the classes of
 * traces that must have been generated for a pass to mean anything (see coverage.ts).
 */
import type { LabCase } from './lab-case.ts';
import type { RunReport } from '../scenarios/run.ts';
import { correctClientServed, liveness, proxyNeverPipelines, safety, showsMailuBug, type Verdict } from './verdicts.ts';
import type { CoverageClass } from './coverage.ts';

export interface LabProperty {
  readonly id: string;
  readonly title: string;
  /** Scenario it runs on unless the user names another. */
  readonly scenario: string;
  readonly kind: 'forall' | 'exists';
  /** Traces with destructive faults too ('any'), or only those in which success is possible ('benign'). */
  readonly faults: 'benign' | 'any';
  readonly coverage: readonly CoverageClass[];
  /** null: this trace is fine for the property; else what went wrong. For 'exists', non-null is the sought trace. */
  verdict(labCase: LabCase, report: RunReport): Verdict;
}

const both = (...checks: ((c: LabCase, r: RunReport) => Verdict)[]) => (c: LabCase, r: RunReport): Verdict => {
  for (const check of checks) {
    const verdict = check(c, r);
    if (verdict !== null) return verdict;
  }
  return null;
};

export const PROPERTIES: readonly LabProperty[] = [
  {
    id: 'bug-exists',
    title: '1. Bug exists: a correct client gets 454 with improper pipelining after XCLIENT logged',
    scenario: 'mailu-2024.06',
    kind: 'exists',
    faults: 'benign',
    coverage: [],
    verdict: (c, r) => (showsMailuBug(c, r) ? `correct client got '${r.client.authReply}' after ${r.backend.connections} backend connections; Postfix: improper command pipelining after XCLIENT` : null),
  },
  {
    id: 'fixed-sequencing',
    title: '2. Fixed sequencing: a correct client gets 235 and its mail queued; Postfix never sees the proxy pipeline',
    scenario: 'lockstep',
    kind: 'forall',
    faults: 'benign',
    coverage: ['profile:linux-default', 'profile:pingpong3', 'profile:quickack', 'profile:nodelay', 'trigger:slow-xclient', 'trigger:none', 'auth:235', 'auth:535'],
    verdict: both(correctClientServed, proxyNeverPipelines),
  },
  {
    id: 'workaround',
    title: "3. Mailu's workaround (PR 3322): a correct client gets 235 and its mail queued",
    scenario: 'mailu-2024.06-pr3322',
    kind: 'forall',
    faults: 'benign',
    coverage: ['profile:linux-default', 'profile:quickack', 'race:lost', 'race:won', 'auth:235', 'auth:535'],
    verdict: correctClientServed,
  },
  {
    id: 'safety',
    title: '5. Safety under any faults: no acknowledged mail lost or doubled, nothing queued unauthenticated, no identity change, every session ends',
    scenario: 'mailu-2024.06',
    kind: 'forall',
    faults: 'any',
    coverage: ['fault:destructive', 'fault:none', 'client:own-xclient', 'auth:235', 'auth:454'],
    verdict: safety,
  },
  {
    id: 'liveness',
    title: '6. Liveness: every session ends within the bound, whatever the faults',
    scenario: 'lockstep',
    kind: 'forall',
    faults: 'any',
    coverage: ['fault:destructive', 'auth:235'],
    verdict: liveness,
  },
];

export function propertyById(id: string): LabProperty | undefined {
  return PROPERTIES.find((property) => property.id === id);
}
