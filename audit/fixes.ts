/* fixes - the candidate fixes an operator can make, each as a change of the audited scenario, with what it costs
 *
 * Each row turns the audited scenario into the fixed one (or says why it does not apply), and
 * states its cost from what the same traces showed. The rows are the changes an operator of this
 * chain has: Mailu's PR 3322 (smtpd_forbid_unauth_pipelining = no), a front that waits for each
 * reply (the lab's lock-step proxy), a newer Dovecot release (whether one helps is read from the
 * front registry: a release whose model still writes EHLO behind XCLIENT is no fix, and re-running
 * it shows what it does change), and a faster XCLIENT lookup.
 */
import { pipelinesAfterXclient } from '../models/front/index.ts';
import { DOVECOT_GATES, DOVECOT_RELEASES } from '../models/front/releases.ts';
import type { ScenarioTally } from '../properties/differential.ts';
import { checkReleases } from '../scenarios/front-releases.ts';
import { checkFrontKeys, FRONT_SCENARIOS } from '../scenarios/fronts.ts';
import { resolveScenario, ScenarioError, type Scenario, type ScenarioKey, type ScenarioValues } from '../scenarios/index.ts';
import { TCP_DELACK_MIN_US } from '../sim/tcp/profiles.ts';

export interface CandidateFix {
  readonly id: 'pr3322' | 'lockstep' | 'newer-dovecot' | 'fast-lookup';
  readonly title: string;
  /** The changes to the audited scenario's keys, or why the fix does not apply. */
  changes(base: Scenario): Partial<ScenarioValues> | string;
  /** What the fix gives up or leaves, read off the same traces without (`before`) and with it (`after`). */
  cost(before: ScenarioTally, after: ScenarioTally): string;
}

const NEWEST_DOVECOT = DOVECOT_RELEASES.at(-1)!;
const DELACK_MS = TCP_DELACK_MIN_US / 1000;

const isDovecot = (s: Scenario) => s.get('front.model') === 'dovecot-2.3' || s.get('front.model') === 'dovecot-2.4';

export const CANDIDATE_FIXES: readonly CandidateFix[] = [
  {
    id: 'pr3322',
    title: "Mailu's PR 3322: smtpd_forbid_unauth_pipelining = no",
    changes: (base) => (base.isOn('postfix.smtpd_forbid_unauth_pipelining') ? { 'postfix.smtpd_forbid_unauth_pipelining': 'no' } : 'smtpd_forbid_unauth_pipelining is already no'),
    cost: (_before, after) =>
      `Postfix stops refusing improper pipelining before authentication; it still logs it (${after.improperLogged} of ${after.traces} traces here). ` +
      "PR 3322 sets it in main.cf, so port 25's smtpd gives up the check too; narrower: `-o smtpd_forbid_unauth_pipelining=no` on the master.cf service the front relays to only.",
  },
  {
    id: 'lockstep',
    title: 'a front that waits for each reply (XCLIENT, then EHLO)',
    changes: (base) => (pipelinesAfterXclient(base.get('front.model')) ? { 'front.model': 'lockstep' } : `front ${base.get('front.model')} already waits for XCLIENT's reply`),
    cost: (_before, after) =>
      `No protection given up (improper pipelining logged in ${after.improperLogged} traces). No Dovecot release waits (${DOVECOT_RELEASES[0]}-${NEWEST_DOVECOT} all write EHLO behind XCLIENT): it needs a patched submission proxy, or a front that waits (nginx's mail proxy is lock-step).`,
  },
  {
    id: 'newer-dovecot',
    title: `the newest Dovecot release, ${NEWEST_DOVECOT}`,
    changes: (base) => (!isDovecot(base) ? `front ${base.get('front.model')} is not Dovecot` : base.get('front.version') === NEWEST_DOVECOT ? `already ${NEWEST_DOVECOT}` : { 'front.model': 'dovecot-2.4', 'front.version': NEWEST_DOVECOT }),
    cost: (before, after) =>
      `${pipelinesAfterXclient('dovecot-2.4') ? 'Not a fix: it still writes EHLO behind XCLIENT. ' : ''}` +
      `From ${DOVECOT_GATES.xclient_failure_not_retried.since} a refused XCLIENT is not retried, so a lost race is a 454 at once: ${after.failures} of ${after.traces} traces fail, against ${before.failures} now.`,
  },
  {
    id: 'fast-lookup',
    title: `an XCLIENT lookup well under the ${DELACK_MS} ms delayed-ACK timer (0 ms)`,
    changes: (base) => {
      if (!pipelinesAfterXclient(base.get('front.model'))) return `front ${base.get('front.model')} waits for XCLIENT's reply, so the lookup's time cannot decide a race`;
      return base.given.has('postfix.xclient_lookup_ms') && base.get('postfix.xclient_lookup_ms') === 0 ? 'the lookup already takes 0 ms' : { 'postfix.xclient_lookup_ms': 0 };
    },
    cost: (before, after) =>
      `Nothing given up: keep smtpd_authorized_xclient_hosts a literal CIDR list (no DNS, no remote table) so xclient_cmd answers before the delayed ACK releases the EHLO. ` +
      `It only narrows the race: where the EHLO is not held back (quick-ACK, TCP_NODELAY) it still arrives early; ${after.failures} of ${after.traces} traces still fail, against ${before.failures} now.`,
  },
];

/** The audited scenario with `changes`, checked as any scenario is; a refusal is the reason the fix does not apply. */
export function applyFix(base: Scenario, fix: CandidateFix): Scenario | string {
  const changes = fix.changes(base);
  if (typeof changes === 'string') return changes;
  const values: Partial<Record<ScenarioKey, unknown>> = Object.fromEntries([...base.given].map((key) => [key, base.values[key]]));
  Object.assign(values, changes);
  // Front keys the new front does not read go (a lock-step proxy has no release).
  const front = (values['front.model'] ?? base.get('front.model')) as keyof typeof FRONT_SCENARIOS;
  for (const key of Object.keys(values) as ScenarioKey[]) if (key.startsWith('front.') && !FRONT_SCENARIOS[front].keys.includes(key)) delete values[key];
  const scenario = resolveScenario({ name: `${base.name} + ${fix.id}`, description: `${base.description}; with ${fix.title}`, values: values as Partial<ScenarioValues> });
  try {
    checkFrontKeys(scenario);
    checkReleases(scenario);
  } catch (error) {
    if (error instanceof ScenarioError) return error.message;
    throw error;
  }
  return scenario;
}
