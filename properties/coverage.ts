/* coverage - the classes of generated traces, counted so a pass can be trusted
 *
 * A property that passes only because the traces that matter were never generated is a
 * failure: after a run, every class the property lists must have been seen at least once.
 */
import type { LabCase } from './lab-case.ts';
import { hasDestructiveFault } from './lab-case.ts';
import type { RunReport } from '../scenarios/run.ts';

export type CoverageClass = string;

/** Delayed-ACK timer (40 ms) or longer: the XCLIENT lookup outlasts it, the pipelined EHLO arrives early. */
const SLOW_XCLIENT_MS = 40;

export function classify(labCase: LabCase, report: RunReport): CoverageClass[] {
  const slow = (labCase.overrides['postfix.xclient_lookup_ms'] ?? 0) >= SLOW_XCLIENT_MS;
  const authCode = report.client.authReply?.slice(0, 3) ?? 'none';
  return [
    `profile:${labCase.overrides['tcp.profile'] ?? 'linux-default'}`,
    slow ? 'trigger:slow-xclient' : 'trigger:none',
    report.improperPipelining.length > 0 ? 'race:lost' : 'race:won',
    `auth:${authCode}`,
    hasDestructiveFault(labCase.faults) ? 'fault:destructive' : 'fault:none',
    labCase.client.groups.some((g) => g.steps.some((s) => s.kind === 'line' && s.text.startsWith('XCLIENT'))) ? 'client:own-xclient' : 'client:plain',
  ];
}

export class CoverageCounter {
  readonly counts = new Map<CoverageClass, number>();
  runs = 0;

  add(classes: readonly CoverageClass[]): void {
    this.runs++;
    for (const c of classes) this.counts.set(c, (this.counts.get(c) ?? 0) + 1);
  }

  /** Required classes never generated. */
  missing(required: readonly CoverageClass[]): CoverageClass[] {
    return required.filter((c) => !this.counts.has(c));
  }

  /** fast-check's statistics layout: one line per class with its share of runs. */
  lines(): string[] {
    return [...this.counts.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([c, n]) => `${c.padEnd(28)} ${((100 * n) / Math.max(1, this.runs)).toFixed(2).padStart(6)}% (${n})`);
  }
}
