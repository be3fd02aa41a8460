/* mailu-reads-login - a login Mailu's release reads as no account is refused on every proxy, so the sequencing properties do not judge it
 *
 * Before Mailu 2024.06.9 login.lua sends Auth-User raw and nginx.py unquotes it, then decodes UTF-8
 * inside a bare except: a literal %A0 is the byte 0xA0, no UTF-8, so the user is 'invalid' and the
 * answer 535 (Mailu #3364; models/auth/releases.ts credentials_url_encoded). The lock-step proxy
 * cannot help it: `check --scenario lockstep --property fixed-sequencing --runs 100000` found such a
 * login at run 32,295 before verdicts.ts knew it (mailuAnswer()), and `%00!@example.test` (read as a NUL,
 * which gunicorn cannot echo: 454) at run 34,503 after.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { labCase } from '../../properties/arbitraries/lab-case.ts';
import { runResolvedCase, scenarioFor, type LabCase } from '../../properties/lab-case.ts';
import { propertyById } from '../../properties/suite.ts';
import { mailuAnswer, successPossible } from '../../properties/verdicts.ts';
import { loadScenario } from '../../scenarios/index.ts';

const scenario = (name: string, sets: readonly string[] = []) => loadScenario({ scenario: name, sets });
const lockstep = scenario('lockstep');
const fixed = scenario('lockstep', ['auth.mailu_version=2024.06.9']);

describe('what Mailu makes of a login', () => {
  it('lock-step (login.lua) before 2024.06.9: a literal %A0 is no UTF-8 (no account), %41 is read as A, %00 as a NUL gunicorn cannot echo', () => {
    expect(lockstep.get('auth.mailu_version')).toBe('2024.06.0');
    expect(mailuAnswer(lockstep, '%A0@example.test')).toBe('no account');
    expect(mailuAnswer(lockstep, '%a0@example.test')).toBe('no account');
    expect(mailuAnswer(lockstep, '%41@example.test')).toBe('answered');
    expect(mailuAnswer(lockstep, '%00!@example.test')).toBe('unsendable');
    expect(mailuAnswer(lockstep, 'alice@example.test')).toBe('answered');
    expect(mailuAnswer(lockstep, 'ä@example.test')).toBe('answered');
    expect(mailuAnswer(lockstep, 'ő@example.test')).toBe('unsendable');
    // read as alice@example.test, another account than the login names; and as alice%40example.test, no '@', no account
    expect(mailuAnswer(lockstep, 'alice%40example.test')).toBe('answered');
    expect(mailuAnswer(lockstep, 'alice%2540example.test')).toBe('no account');
  });

  it('from 2024.06.9 login.lua percent-encodes what nginx.py unquotes: every login comes back as itself', () => {
    for (const login of ['%A0@example.test', '%41@example.test', '%00!@example.test', 'alice%40@example.test']) expect(mailuAnswer(fixed, login), login).toBe('answered');
    expect(mailuAnswer(fixed, 'ő@example.test')).toBe('unsendable');
  });

  it("nginx escapes '%' itself (ngx_mail_auth_http_escape), so Mailu 2.0 reads a literal %A0 back", () => {
    expect(mailuAnswer(scenario('mailu-2.0'), '%A0@example.test')).toBe('answered');
  });

  it('HAProxy asks no auth service', () => {
    expect(mailuAnswer(scenario('haproxy-proxy-protocol'), '%A0@example.test')).toBe('no auth service');
  });
});

describe('fixed sequencing does not judge a login Mailu cannot serve, and judges it where Mailu can', () => {
  const plain = fc.sample(labCase({ faults: 'benign' }), { seed: 1, numRuns: 200 }).find((c) => successPossible(c, scenarioFor(lockstep, c)) && c.releases === undefined)!;
  // The login everywhere the client gives it (AUTH, MAIL FROM), as the generator does.
  const withLogin = (login: string): LabCase => ({ ...plain, client: JSON.parse(JSON.stringify(plain.client).replaceAll(plain.client.user, login)) });
  const verdict = (base: typeof lockstep, c: LabCase) => {
    const ran = scenarioFor(base, c);
    const report = runResolvedCase(ran, c);
    return { reply: report.client.authReply, judged: successPossible(c, ran), verdict: propertyById('fixed-sequencing')!.verdict(c, report, ran) };
  };

  it.each([
    ['%A0@example.test', /^535 5\.7\.8 /],
    ['%00!@example.test', /^454 4\.7\.0 Temporary authentication failure/],
  ])('%s: on 2024.06.0 the client is refused and the case is not held against the proxy; on 2024.06.9 it gets 235 and is judged', (login, refused) => {
    const before = verdict(lockstep, withLogin(login));
    expect(before).toMatchObject({ judged: false, verdict: null });
    expect(before.reply).toMatch(refused);
    const after = verdict(fixed, withLogin(login));
    expect(after).toMatchObject({ judged: true, verdict: null });
    expect(after.reply).toMatch(/^235 /);
  });
});
