/* run-audit - the verdicts on scenarios whose answer is known, with the evidence each rests on */
import { describe, expect, it } from 'vitest';
import { runAudit, type AuditOptions } from '../../audit/run-audit.ts';
import { loadScenario } from '../../scenarios/index.ts';

const audit = (scenario: string, sets: string[] = [], options: Partial<AuditOptions> = {}) =>
  runAudit({ scenario: loadScenario({ scenario, sets }), scenarioRef: scenario, seed: 1, traces: 60, propertyRuns: 20, searchRuns: 100, ...options });

describe('runAudit', () => {
  it('mailu-2024.06 is affected: refusals with the 454, the search finds and shrinks one, PR 3322 and the lock-step front hold', () => {
    const report = audit('mailu-2024.06');
    expect(report.verdict).toBe('affected');
    expect(report.tally.pipeliningFailures).toBeGreaterThan(0);
    expect(typeof report.search !== 'string' && report.search.outcome.result).toBe('found');
    expect(typeof report.search !== 'string' && report.search.replay).toMatch(/^[A-Za-z0-9_-]+$/);
    const holds = Object.fromEntries(report.fixes.map((fix) => [fix.fix.id, fix.holds]));
    expect(holds).toEqual({ pr3322: true, lockstep: true, 'newer-dovecot': false, 'fast-lookup': false });
    // A slow lookup is the condition that fails every time (the recorded E1 runs: 100 ms, 20/20).
    const slow = report.conditions.find((row) => row.value === 'over 44 ms (after the delayed ACK)')!;
    expect(slow.failed).toBe(slow.judged);
    expect(slow.judged).toBeGreaterThan(0);
  });

  it("mailu-2024.06-pr3322 is not affected, and Postfix still logs the improper pipelining; the search does not apply", () => {
    const report = audit('mailu-2024.06-pr3322');
    expect(report.verdict).toBe('not affected');
    expect(report.tally.failures).toBe(0);
    expect(report.tally.improperLogged).toBeGreaterThan(0);
    expect(report.search).toBe('smtpd_forbid_unauth_pipelining = no: Postfix logs but never refuses');
    expect(report.fixes.find((fix) => fix.fix.id === 'pr3322')!.notApplicable).toBe('smtpd_forbid_unauth_pipelining is already no');
  });

  it('refusals with another cause are not the 454: other failures', () => {
    const report = audit('mailu-2024.06-pr3322', ['auth.fault=http500']);
    expect(report.verdict).toBe('other failures');
    expect(report.tally.failures).toBeGreaterThan(0);
    expect(report.tally.pipeliningFailures).toBe(0);
  });

  it('the same options give the same report', () => {
    const strip = (report: ReturnType<typeof audit>) => JSON.stringify({ ...report, options: null, fixes: report.fixes.map((f) => ({ ...f, tally: f.tally && { ...f.tally, reasons: [...f.tally.reasons] } })) }, (key, value) => (key === 'coverage' ? undefined : value));
    expect(strip(audit('mailu-2024.06', [], { traces: 20, propertyRuns: 5, searchRuns: 30 }))).toBe(strip(audit('mailu-2024.06', [], { traces: 20, propertyRuns: 5, searchRuns: 30 })));
  });
});

describe('runAudit on a scenario whose client does not log in', () => {
  it('judges nginx-port25 by the properties that apply (5 and 6) and runs no login traces, no search and no fix', () => {
    const report = audit('nginx-port25');
    expect(report.notJudged).toBe("the scenario's client does not log in (client.auth = none); generated clients do");
    expect(report.tally.traces).toBe(0);
    expect(report.properties.map(({ outcome }) => [outcome.property.id, outcome.result])).toEqual([['safety', 'passed'], ['liveness', 'passed']]);
    expect(report.fixes.every((fix) => fix.notApplicable === report.notJudged)).toBe(true);
    expect(report.verdict).toBe('not affected');
  });
});
