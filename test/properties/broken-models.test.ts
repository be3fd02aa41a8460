/* broken-models - each property fails when the model behaviour it guards is broken on purpose
 *
 * The breaks are the ones a reviewer would try first: an auth service that accepts any password,
 * and a Postfix that never times out a silent peer (smtpd_timeout never armed). A property that
 * still passed with them would be a check that cannot fail.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MailuAuthenticator } from '../../models/auth/index.ts';
import { NginxFront } from '../../models/front/nginx-front.ts';
import { OutputQueue, type Output } from '../../models/contract.ts';
import { runLabProperty } from '../../properties/check.ts';
import { propertyById, type LabProperty } from '../../properties/suite.ts';
import { loadScenario } from '../../scenarios/index.ts';

const property = (id: string): LabProperty => propertyById(id) ?? (() => { throw new Error(id); })();
const check = (id: string, scenario: string, numRuns: number, sets: string[] = []) =>
  runLabProperty(property(id), { scenario: loadScenario({ scenario, sets }), seed: 1, numRuns });

/** One scenario per front model, each with its own sequencing and auth client. */
const FRONTS: readonly (readonly [string, string, string[]])[] = [
  ['dovecot-2.3', 'mailu-2024.06', []],
  ['dovecot-2.4', 'mailu-2024.06', ['front.model=dovecot-2.4']],
  ['lockstep', 'lockstep', []],
  ['nginx', 'mailu-2024.06', ['front.model=nginx']],
];

afterEach(() => {
  vi.restoreAllMocks();
});

/** nginx.py check_credentials() returning True whatever the password: the break property 7 exists for. */
function acceptAnyPassword(): void {
  vi.spyOn(MailuAuthenticator.prototype as unknown as { checkCredentials(): boolean }, 'checkCredentials').mockReturnValue(true);
}

/**
 * Postfix's smtp_stream_setup(var_smtpd_tmout) never armed: a silent peer is waited for until the
 * kernel gives up. SO_KEEPALIVE stays on, as the real Postfix's sane_accept() sets it: the break must
 * fail the properties as it would show on a real host, where the kernel ends the wait after 2 h 11 min.
 */
function postfixWithoutIdleTimer(): void {
  const push = OutputQueue.prototype.push;
  vi.spyOn(OutputQueue.prototype, 'push').mockImplementation(function (this: OutputQueue, output: Output) {
    if (output.kind === 'timer' && output.at !== null && output.timer.endsWith('/smtpd_timeout')) return;
    push.call(this, output);
  });
}

describe('7. wrong password', () => {
  it.each(FRONTS)('holds on the %s front', (_front, scenario, sets) => {
    const outcome = check('wrong-password', scenario, 120, sets);
    expect(outcome.coverageGap.missing).toEqual([]);
    expect(outcome.result).toBe('passed');
  });

  it.each(FRONTS)('sibling: fails on the %s front when the auth service accepts any password', (_front, scenario, sets) => {
    acceptAnyPassword();
    const outcome = check('wrong-password', scenario, 120, sets);
    expect(outcome.result).toBe('failed');
    expect(outcome.verdict).toMatch(/wrong password got '235|queued as sasl_username=.* although the client's password was wrong/);
  });
});

describe('6. liveness and 5. safety judge every component, not the client alone', () => {
  it('liveness fails with a deadlock when Postfix never times out a silent peer', () => {
    postfixWithoutIdleTimer();
    const outcome = check('liveness', 'lockstep', 300);
    expect(outcome.result).toBe('failed');
    // where Postfix's last reply was not ACKed the kernel's retransmissions end the wait, but smtpd_timeout should have
    expect(outcome.verdict).toMatch(/^deadlock: nothing was left to happen at .* but postfix still holds c\d+|^the kernel ended postfix's c\d+ by retransmission timeout .*, where the program has a deadline of its own/);
  });

  it('safety fails too: a session never ended', () => {
    postfixWithoutIdleTimer();
    const outcome = check('safety', 'mailu-2024.06', 1000);
    expect(outcome.result).toBe('failed');
    expect(outcome.verdict).toMatch(/a session never ended: (postfix still holds c\d+|only the kernel ended postfix's c\d+)/);
  });

  it("liveness fails when nginx's relay ignores its peers' ends, although its proxy_timeout (24 h) ends every such relay in the end", () => {
    // ngx_mail_proxy_handler() closes the relay when either side's read meets the end (its eof test); broken: the relay goes on
    type Front = { gone(now: number, conn: string, ...end: unknown[]): void; sessions: Map<string, { state: string }>; outgoing: Map<string, { state: string }> };
    const front = NginxFront.prototype as unknown as Front;
    const gone = front.gone;
    vi.spyOn(front, 'gone').mockImplementation(function (this: Front, now: number, conn: string, ...end: unknown[]) {
      if ((this.sessions.get(conn) ?? this.outgoing.get(conn))?.state !== 'relay') gone.call(this, now, conn, ...end);
    });
    const outcome = check('liveness', 'mailu-2024.06', 100, ['front.model=nginx']);
    expect(outcome.result).toBe('failed');
    expect(outcome.verdict).toMatch(/^front ended a relay by its proxy_timeout at 864\d\d\.\d s, 86400\.0 s after the client was last heard, although no black hole on both of its hops/);
  });

  it("a hang the real daemon has too is excused, with its reason: gunicorn waits for a request cut by a black hole", () => {
    // Without the break the same traces pass (properties.test.ts); this checks the excuse is specific.
    const outcome = check('liveness', 'lockstep', 300);
    expect(outcome.result).toBe('passed');
  });
});

describe('5. safety: no identity lost', () => {
  it.each([
    ['dovecot-2.3', 'mailu-2024.06-pr3322', []],
    ['lockstep', 'lockstep', []],
  ] as const)("fails on the %s front when Postfix does not offer it XCLIENT (smtpd_authorized_xclient_hosts empty): logged in, relayed as the front's own mail", (_front, scenario, sets) => {
    const outcome = check('safety', scenario, 60, [...sets, 'postfix.smtpd_authorized_xclient_hosts=']);
    expect(outcome.result).toBe('failed');
    expect(outcome.verdict).toMatch(/queued with no sasl_username although .* logged in at the front/);
  });

  it('finds nothing lost behind nginx there: Postfix refuses its XCLIENT with 550, so no client is ever let in (and no pass is claimed without a 235)', () => {
    const outcome = check('safety', 'mailu-2.0', 60, ['postfix.smtpd_authorized_xclient_hosts=']);
    expect(outcome.result).toBe('coverage-missing');
    expect(outcome.coverageGap.missing).toContain('auth:235');
  });
});

describe('4. differential', () => {
  it('holds on lockstep: no correct client refused, while the reference refused some of the same traces', () => {
    const outcome = check('differential', 'lockstep', 150);
    expect(outcome.result).toBe('passed');
    expect(outcome.tallies.map((t) => [t.scenario, t.failures > 0])).toEqual([['lockstep', false], ['mailu-2024.06', true]]);
  });

  it('sibling: fails on the recorded real stack (Dovecot 2.3 pipelining into forbid=yes)', () => {
    const outcome = check('differential', 'real-stack', 150);
    expect(outcome.result).toBe('failed');
    expect(outcome.verdict).toMatch(/instead of 235/);
  });

  it('is not a pass when the reference refused nobody on these traces (they could not have shown a difference)', () => {
    const outcome = runLabProperty(property('differential'), {
      scenario: loadScenario({ scenario: 'lockstep' }), reference: loadScenario({ scenario: 'mailu-2024.06-pr3322' }), seed: 1, numRuns: 80,
    });
    expect(outcome.result).toBe('coverage-missing');
    expect(outcome.ok).toBe(false);
  });
});
