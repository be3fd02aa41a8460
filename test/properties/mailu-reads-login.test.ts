/* mailu-reads-login - a login Mailu's release reads as no account is refused on every proxy, so the sequencing properties do not judge it
 *
 * Before Mailu 2024.06.9 login.lua sends Auth-User raw and nginx.py unquotes it, then decodes UTF-8
 * inside a bare except: a literal %A0 is the byte 0xA0, no UTF-8, so the user is 'invalid' and the
 * answer 535 (Mailu #3364; models/auth/releases.ts credentials_url_encoded). The lock-step proxy
 * cannot help it: `check --scenario lockstep --property fixed-sequencing --runs 100000` found such a
 * login at run 32,295 before verdicts.ts knew it (mailuReadsLogin()).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { labCase } from '../../properties/arbitraries/lab-case.ts';
import { runResolvedCase, scenarioFor, type LabCase } from '../../properties/lab-case.ts';
import { propertyById } from '../../properties/suite.ts';
import { mailuReadsLogin, successPossible } from '../../properties/verdicts.ts';
import { loadScenario } from '../../scenarios/index.ts';

const scenario = (name: string, sets: readonly string[] = []) => loadScenario({ scenario: name, sets });
const lockstep = scenario('lockstep');
const fixed = scenario('lockstep', ['auth.mailu_version=2024.06.9']);

describe('which logins Mailu reads as an account', () => {
  it('lock-step (login.lua) before 2024.06.9: a literal %A0 is no UTF-8, a literal %41 is read as A, a plain login as itself', () => {
    expect(lockstep.get('auth.mailu_version')).toBe('2024.06.0');
    expect(mailuReadsLogin(lockstep, '%A0@example.test')).toBe(false);
    expect(mailuReadsLogin(lockstep, '%a0@example.test')).toBe(false);
    expect(mailuReadsLogin(lockstep, '%41@example.test')).toBe(true);
    expect(mailuReadsLogin(lockstep, 'alice@example.test')).toBe(true);
    expect(mailuReadsLogin(lockstep, 'ä@example.test')).toBe(true);
    // read as alice@example.test, another account than the login names; and as alice%40example.test, no '@', no account
    expect(mailuReadsLogin(lockstep, 'alice%40example.test')).toBe(true);
    expect(mailuReadsLogin(lockstep, 'alice%2540example.test')).toBe(false);
  });

  it('from 2024.06.9 login.lua percent-encodes what nginx.py unquotes: every login comes back', () => {
    for (const login of ['%A0@example.test', '%41@example.test', 'alice%40@example.test']) expect(mailuReadsLogin(fixed, login), login).toBe(true);
  });

  it("nginx escapes '%' itself (ngx_mail_auth_http_escape), so Mailu 2.0 reads a literal %A0 back", () => {
    expect(mailuReadsLogin(scenario('mailu-2.0'), '%A0@example.test')).toBe(true);
  });

  it('HAProxy asks no auth service: nothing to misread', () => {
    expect(mailuReadsLogin(scenario('haproxy-proxy-protocol'), '%A0@example.test')).toBe(true);
  });
});

describe('fixed sequencing does not judge a login Mailu misreads, and judges it where Mailu reads it', () => {
  const plain = fc.sample(labCase({ faults: 'benign' }), { seed: 1, numRuns: 200 }).find((c) => successPossible(c, scenarioFor(lockstep, c)) && c.releases === undefined)!;
  // The login everywhere the client gives it (AUTH, MAIL FROM), as the generator does.
  const misread: LabCase = { ...plain, client: JSON.parse(JSON.stringify(plain.client).replaceAll(plain.client.user, '%A0@example.test')) };
  const verdict = (base: typeof lockstep, c: LabCase) => {
    const ran = scenarioFor(base, c);
    const report = runResolvedCase(ran, c);
    return { reply: report.client.authReply, judged: successPossible(c, ran), verdict: propertyById('fixed-sequencing')!.verdict(c, report, ran) };
  };

  it('on 2024.06.0 the client gets 535 and the case is not held against the proxy', () => {
    expect(verdict(lockstep, misread)).toEqual({ reply: '535 5.7.8 Authentication failed.', judged: false, verdict: null });
  });

  it('on 2024.06.9 the same client gets 235 and is judged', () => {
    expect(verdict(fixed, misread)).toMatchObject({ judged: true, verdict: null });
    expect(verdict(fixed, misread).reply).toMatch(/^235 /);
  });
});
