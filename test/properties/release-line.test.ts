/* release-line - a verdict says which releases it is about: the scenario's own, and those its traces drew (release-scope.test.ts) */
import { describe, expect, it } from 'vitest';
import { runLabProperty } from '../../properties/check.ts';
import { propertyById } from '../../properties/suite.ts';
import { loadScenario } from '../../scenarios/index.ts';
import { releaseLine } from '../../scenarios/release-line.ts';

describe('the releases a verdict holds for', () => {
  it('names Postfix, its pipelining setting and the front with its release', () => {
    expect(releaseLine(loadScenario({ scenario: 'mailu-2024.06-pr3322' }))).toBe('Postfix 3.9 (smtpd_forbid_unauth_pipelining=no), front dovecot-2.3 2.3.19.1');
    expect(releaseLine(loadScenario({ scenario: 'mailu-2.0' }))).toBe('Postfix 3.8.9 (smtpd_forbid_unauth_pipelining=no), front nginx 1.24.0');
    expect(releaseLine(loadScenario({ scenario: 'lockstep', sets: ['postfix.mail_version=3.10.13'] }))).toBe('Postfix 3.10.13 (smtpd_forbid_unauth_pipelining=yes), front lockstep');
  });

  it("is carried by the property's outcome, for the scenario it ran on", () => {
    const outcome = runLabProperty(propertyById('workaround')!, { scenario: loadScenario({ scenario: 'mailu-2024.06-pr3322', sets: ['postfix.mail_version=3.7.11'] }), seed: 1, numRuns: 5 });
    expect(outcome.releases).toBe('Postfix 3.7.11 (smtpd_forbid_unauth_pipelining=no), front dovecot-2.3 2.3.19.1; traces also drew dovecot-2.3 2.3.17-2.3.21.1 and Mailu 2024.06.1-2024.06.57');
  });
});
