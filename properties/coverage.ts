/* coverage - the classes of traces that ran, counted so a pass can be trusted
 *
 * A property that passes only because the traces that matter never ran is a failure: after a
 * run, every class the property requires must have been seen at least once. A trace is
 * classified by what it actually ran with (the scenario after the case's keys were applied),
 * never by what the generator drew: a key the user pinned with --set overrides the draw, and a
 * class that the pin rules out is reported as pinned away, not as covered.
 */
import type { LabCase } from './lab-case.ts';
import { hasDestructiveFault } from './lab-case.ts';
import { isOwnXclient } from './arbitraries/client-behaviour.ts';
import { isProbe } from './arbitraries/postfix-settings.ts';
import { RELEASE_DRAWN } from './release-scope.ts';
import { mailuAnswer } from './verdicts.ts';
import type { RunReport } from '../scenarios/run.ts';
import type { Scenario, ScenarioKey } from '../scenarios/index.ts';
import { MILTER_KEYS } from '../scenarios/topology.ts';

export type CoverageClass = string;

/** Delayed-ACK timer (40 ms) or longer: the XCLIENT lookup outlasts it, the pipelined EHLO arrives early. */
const SLOW_XCLIENT_MS = 40;

/** The class a scenario key decides, for the classes a key decides (the others come from the run or the case). */
const DECIDED_BY: readonly { readonly prefix: string; readonly key: ScenarioKey; readonly classOf: (ran: Scenario) => CoverageClass }[] = [
  { prefix: 'profile:', key: 'tcp.profile', classOf: (ran) => `profile:${ran.get('tcp.profile')}` },
  { prefix: 'trigger:', key: 'postfix.xclient_lookup_ms', classOf: (ran) => (ran.get('postfix.xclient_lookup_ms') >= SLOW_XCLIENT_MS ? 'trigger:slow-xclient' : 'trigger:none') },
];

/** The classes of one trace; `ran` is the scenario the trace ran on (scenarioFor(base, case)). */
export function classify(ran: Scenario, labCase: LabCase, report: RunReport): CoverageClass[] {
  const authCode = report.client.authReply?.slice(0, 3) ?? 'none';
  return [
    ...DECIDED_BY.map((decided) => decided.classOf(ran)),
    report.improperPipelining.length > 0 ? 'race:lost' : 'race:won',
    `auth:${authCode}`,
    // A temporary failure whatever the front calls it (Dovecot 454, nginx 451).
    ...(authCode.startsWith('4') ? ['auth:4xx'] : []),
    hasDestructiveFault(labCase.faults) ? 'fault:destructive' : 'fault:none',
    labCase.client.groups.some((g) => g.steps.some(isOwnXclient)) ? 'client:own-xclient' : 'client:plain',
    // Shown, not required: how many traces met a refusing milter or sent command probes (postfix-settings.ts).
    ...(Object.values(MILTER_KEYS).some((key) => refusesAt(ran, key)) ? ['milter:refuses'] : []),
    ...(labCase.client.groups.some((g) => g.steps.some(isProbe)) ? ['client:probes'] : []),
    // Shown: logins Mailu's answer cannot carry (temporary failures) or its release reads as no account (535), on every proxy (verdicts.ts mailuAnswer).
    ...loginClass(mailuAnswer(ran, labCase.client.user)),
    // Shown: traces in which the kernel ended a connection a daemon had left waiting (verdicts.ts livenessBoundUs).
    ...new Set(report.kernelEnded.map((end) => `kernel:${end.timer}`)),
    // Required where the property holds on every release and the scenario leaves some to draw (release-scope.ts).
    ...(labCase.releases === undefined ? [] : [RELEASE_DRAWN]),
  ];
}

function loginClass(answer: ReturnType<typeof mailuAnswer>): CoverageClass[] {
  if (answer === 'unsendable') return ['login:gunicorn-refuses'];
  return answer === 'no account' ? ['login:mailu-misreads'] : [];
}

/** The milter answers `key`'s stage with anything but continue or accept (milter.ts). */
function refusesAt(ran: Scenario, key: (typeof MILTER_KEYS)[keyof typeof MILTER_KEYS]): boolean {
  return !['continue', 'accept'].includes(ran.get(key));
}

/** A required class that a key pinned on the scenario rules out, with the pin that does it; else null. */
export function pinnedAway(base: Scenario, required: CoverageClass): string | null {
  const decided = DECIDED_BY.find((d) => required.startsWith(d.prefix));
  if (!decided || !base.given.has(decided.key) || decided.classOf(base) === required) return null;
  return `${decided.key}=${String(base.get(decided.key))}`;
}

export interface CoverageGap {
  /** Required classes no trace ran, though the scenario allows them: a pass would mean nothing. */
  readonly missing: readonly CoverageClass[];
  /** Required classes the scenario's own pinned keys rule out, each with its pin. */
  readonly pinned: readonly { readonly coverageClass: CoverageClass; readonly by: string }[];
}

export class CoverageCounter {
  readonly counts = new Map<CoverageClass, number>();
  runs = 0;

  add(classes: readonly CoverageClass[]): void {
    this.runs++;
    for (const c of classes) this.counts.set(c, (this.counts.get(c) ?? 0) + 1);
  }

  /** Required classes that never ran, split into missing and pinned away by `base`. */
  gap(required: readonly CoverageClass[], base: Scenario): CoverageGap {
    const notRun = required.filter((c) => !this.counts.has(c));
    const pinned = notRun.flatMap((coverageClass) => {
      const by = pinnedAway(base, coverageClass);
      return by === null ? [] : [{ coverageClass, by }];
    });
    return { missing: notRun.filter((c) => pinnedAway(base, c) === null), pinned };
  }

  /** fast-check's statistics layout: one line per class with its share of runs. */
  lines(): string[] {
    return [...this.counts.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([c, n]) => `${c.padEnd(28)} ${((100 * n) / Math.max(1, this.runs)).toFixed(2).padStart(6)}% (${n})`);
  }
}
