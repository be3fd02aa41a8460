/* fixes-conditions - each candidate fix as a change of the audited scenario (or why it does not apply), and the condition bins */
import { describe, expect, it } from 'vitest';
import { applyFix, CANDIDATE_FIXES, type CandidateFix } from '../../audit/fixes.ts';
import { conditionsOf } from '../../audit/conditions.ts';
import { generateCases } from '../../properties/differential.ts';
import { scenarioFor, type LabCase } from '../../properties/lab-case.ts';
import { loadScenario, type Scenario } from '../../scenarios/index.ts';

const fix = (id: CandidateFix['id']) => CANDIDATE_FIXES.find((f) => f.id === id)!;
const applied = (scenario: string, id: CandidateFix['id'], sets: string[] = []) => applyFix(loadScenario({ scenario, sets }), fix(id));
const scenarioOf = (result: Scenario | string): Scenario => {
  if (typeof result === 'string') throw new Error(`not applied: ${result}`);
  return result;
};

describe('candidate fixes', () => {
  it('on mailu-2024.06 each fix changes only its own keys', () => {
    expect(scenarioOf(applied('mailu-2024.06', 'pr3322')).overrides).toEqual({ 'postfix.smtpd_forbid_unauth_pipelining': 'no' });
    const lockstep = scenarioOf(applied('mailu-2024.06', 'lockstep'));
    expect([lockstep.get('front.model'), lockstep.get('front.version'), lockstep.get('postfix.mail_version')]).toEqual(['lockstep', '', '3.9']);
    const dovecot = scenarioOf(applied('mailu-2024.06', 'newer-dovecot'));
    expect([dovecot.get('front.model'), dovecot.get('front.version')]).toEqual(['dovecot-2.4', '2.4.4']);
    const lookup = scenarioOf(applied('mailu-2024.06', 'fast-lookup'));
    expect([lookup.given.has('postfix.xclient_lookup_ms'), lookup.get('postfix.xclient_lookup_ms')]).toEqual([true, 0]);
  });

  it('says why a fix does not apply', () => {
    expect(applied('mailu-2024.06-pr3322', 'pr3322')).toBe('smtpd_forbid_unauth_pipelining is already no');
    expect(applied('mailu-2.0', 'lockstep')).toBe("front nginx already waits for XCLIENT's reply");
    expect(applied('mailu-2.0', 'newer-dovecot')).toBe('front nginx is not Dovecot');
    expect(applied('mailu-2.0', 'fast-lookup')).toMatch(/^front nginx waits for XCLIENT's reply/);
    expect(applied('mailu-2024.06', 'newer-dovecot', ['front.model=dovecot-2.4', 'front.version=2.4.4'])).toBe('already 2.4.4');
  });

  it('a fix the release cannot take is refused with the release check\'s reason, not applied', () => {
    // Postfix 3.7.5 has no smtpd_forbid_unauth_pipelining: the lock-step fix keeps the pinned key and is refused with it.
    const base = loadScenario({ scenario: 'postfix-3.7', sets: ['postfix.mail_version=3.7.11', 'postfix.smtpd_forbid_unauth_pipelining=yes'] });
    const downgraded = applyFix(loadScenario({ scenario: 'postfix-3.7' }), { ...fix('pr3322'), changes: () => ({ 'postfix.mail_version': '3.7.5', 'postfix.smtpd_forbid_unauth_pipelining': 'no' }) });
    expect(downgraded).toMatch(/Postfix 3\.7\.5 has no parameter smtpd_forbid_unauth_pipelining/);
    expect(scenarioOf(applyFix(base, fix('pr3322'))).get('postfix.smtpd_forbid_unauth_pipelining')).toBe('no');
  });
});

describe('conditions', () => {
  const base = loadScenario({ scenario: 'mailu-2024.06' });
  const [generated] = generateCases(1, 1) as [LabCase];
  const cell = (labCase: LabCase, dimension: string) => conditionsOf(scenarioFor(base, labCase), labCase).find((c) => c.dimension === dimension)!.value;
  const withLookup = (ms: number): LabCase => ({ ...generated, overrides: { ...generated.overrides, 'postfix.xclient_lookup_ms': ms } });
  const withUser = (user: string): LabCase => ({ ...generated, client: { ...generated.client, user } });

  it('bins the XCLIENT lookup at the delayed-ACK timer (40 ms) and its latest firing (44 ms)', () => {
    expect([0, 39.999, 40, 44, 44.001].map((ms) => cell(withLookup(ms), 'XCLIENT lookup time'))).toEqual([
      '0 ms', 'under 40 ms (before the delayed ACK)', '40-44 ms (around the delayed ACK)', '40-44 ms (around the delayed ACK)', 'over 44 ms (after the delayed ACK)',
    ]);
  });

  it('measures the login as XCLIENT carries it (xtext), against Postfix\'s 255-byte limit', () => {
    expect(cell(withUser('u'.repeat(64)), 'login length (XCLIENT bytes)')).toBe('up to 64 bytes');
    expect(cell(withUser('+'.repeat(22)), 'login length (XCLIENT bytes)')).toBe('65-255 bytes');
    expect(cell(withUser('u'.repeat(255)), 'login length (XCLIENT bytes)')).toBe('65-255 bytes');
    expect(cell(withUser('u'.repeat(256)), 'login length (XCLIENT bytes)')).toBe('over 255 bytes');
  });

  it('reads the TCP profile the trace ran with: a pinned key wins over the draw', () => {
    const pinned = loadScenario({ scenario: 'mailu-2024.06', sets: ['tcp.profile=quickack'] });
    const drawn: LabCase = { ...generated, overrides: { ...generated.overrides, 'tcp.profile': 'nodelay' } };
    expect(conditionsOf(scenarioFor(pinned, drawn), drawn).find((c) => c.dimension === 'TCP profile (front -> Postfix)')!.value).toBe('quickack');
    expect(cell(drawn, 'TCP profile (front -> Postfix)')).toBe('nodelay');
  });
});
