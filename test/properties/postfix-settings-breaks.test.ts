/* postfix-settings-breaks - each Postfix draw of the generators (postfix-settings.ts) can make a property fail when what it guards is broken
 *
 * The same properties pass without the breaks (properties.test.ts, broken-models.test.ts run them
 * on these scenarios); here each break is one a reviewer would try first for the drawn setting:
 *  - a refusing milter (drawn where faults may break a session): milter8 forgets its HELO verdict,
 *    so MAIL (and RCPT, DATA and the end of the message) is no longer refused. Behind Dovecot the HELO reject hid XCLIENT, so the message is
 *    relayed as the front's own: safety sees an identity lost; a HOLD at the end of the message
 *    read as a DISCARD: safety sees an acknowledged message that was never queued;
 *  - tight error limits: smtpd answers 421 too many errors but keeps the connection: liveness
 *    sees Postfix holding it when nothing is left to happen;
 *  - probes and disable_vrfy_command: a Postfix that hangs up after any refused command; a correct
 *    client whose probe was refused loses the mail it sends after it (workaround).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ModelMilter } from '../../models/postfix/milter.ts';
import { isProbe } from '../../properties/arbitraries/postfix-settings.ts';
import { SmtpdSession } from '../../models/postfix/session.ts';
import { runLabProperty } from '../../properties/check.ts';
import { propertyById, type LabProperty } from '../../properties/suite.ts';
import { loadScenario } from '../../scenarios/index.ts';

const property = (id: string): LabProperty => propertyById(id) ?? (() => { throw new Error(id); })();
const check = (id: string, scenario: string, numRuns: number) => runLabProperty(property(id), { scenario: loadScenario({ scenario }), seed: 1, numRuns });

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the draws hold without a break', () => {
  it.each([
    ['safety', 'mailu-2024.06-pr3322', 600],
    ['liveness', 'lockstep', 1000],
    ['workaround', 'mailu-2024.06-pr3322', 400],
  ] as const)('%s on %s', (id, scenario, runs) => {
    const outcome = check(id, scenario, runs);
    expect(outcome.result).toBe('passed');
    // The statistics show the draws ran: probes everywhere, a refusing milter only where faults may break a session.
    expect(outcome.coverage.counts.get('client:probes')).toBeGreaterThan(0);
    expect(outcome.coverage.counts.has('milter:refuses')).toBe(property(id).faults === 'any');
  });

  it("a milter pinned with --set classifies every trace, as the trace's configuration says", () => {
    const outcome = runLabProperty(property('safety'), { scenario: loadScenario({ scenario: 'mailu-2024.06-pr3322', sets: ['postfix.milter_helo_reply=reject'] }), seed: 1, numRuns: 50 });
    expect(outcome.coverage.counts.get('milter:refuses')).toBe(outcome.coverage.runs);
  });
});

describe('each draw fails its property when what it guards is broken', () => {
  it("a milter whose HELO reject is forgotten by the message's events (MAIL, RCPT, DATA, end of message): safety fails on a drawn milter_helo_reply (identity lost behind Dovecot)", () => {
    for (const event of ['mail', 'rcpt', 'data', 'endOfMessage'] as const) vi.spyOn(ModelMilter.prototype, event).mockReturnValue(null);
    const outcome = check('safety', 'mailu-2024.06-pr3322', 1500);
    expect(outcome.result).toBe('failed');
    // Behind the HELO reject Dovecot sent no XCLIENT: the message goes out as the front's own, or, when
    // the client sends its own XCLIENT LOGIN= through the relay (the front is an authorized host), as
    // the name it chose. Without the break the kept reject refuses MAIL in both.
    expect(outcome.verdict).toMatch(/queued with no sasl_username although .* logged in at the front|its own XCLIENT after login changed the identity/);
    expect(outcome.counterexample?.overrides['postfix.milter_helo_reply']).toMatch(/^(reject|tempfail|5\d\d |4[0-13-9]\d )/);
  });

  it('a 421 too many errors that leaves the connection open: liveness fails on drawn error limits', () => {
    const commandLoop = SmtpdSession.prototype.commandLoop;
    vi.spyOn(SmtpdSession.prototype, 'commandLoop').mockImplementation(function (this: SmtpdSession, now) {
      if (!this.hangup && this.errorCount >= this.config.smtpd_hard_error_limit) return this.reply(`421 4.7.0 ${this.config.myhostname} Error: too many errors`);
      commandLoop.call(this, now);
    });
    const outcome = check('liveness', 'lockstep', 1000);
    expect(outcome.result).toBe('failed');
    // Postfix keeps SO_KEEPALIVE (sane_accept()): the kernel's probe finds the front's socket gone only after
    // tcp_keepalive_time, far past the bound its own timers give; a peer still there is a deadlock.
    expect(outcome.verdict).toMatch(/postfix still holds|^the chain was still busy at 7\d{3}\.\d+ s \(bound 330 s\)/);
    // The shrunk case keeps a drawn limit: with Postfix's own (20 errors) no generated session gets there.
    const drawn = outcome.counterexample?.overrides ?? {};
    expect('postfix.smtpd_hard_error_limit' in drawn || 'postfix.smtpd_junk_command_limit' in drawn).toBe(true);
  });

  it('a Postfix that hangs up after any refused command: workaround fails on a drawn probe', () => {
    const finish = SmtpdSession.prototype.finish;
    vi.spyOn(SmtpdSession.prototype, 'finish').mockImplementation(function (this: SmtpdSession, row, ok) {
      return ok ? finish.call(this, row, ok) : () => this.end();
    });
    const outcome = check('workaround', 'mailu-2024.06-pr3322', 400);
    expect(outcome.result).toBe('failed');
    expect(outcome.verdict).toMatch(/client sent \d+ message\(s\), Postfix queued|instead of 235/);
    expect(outcome.counterexample?.client.groups.some((group) => group.steps.some(isProbe))).toBe(true);
  });

  it("a milter's HOLD at the end of the message read as a DISCARD: safety fails on a drawn quarantine (acknowledged mail lost)", () => {
    const endOfMessage = ModelMilter.prototype.endOfMessage;
    vi.spyOn(ModelMilter.prototype, 'endOfMessage').mockImplementation(function (this: ModelMilter) {
      const verdict = endOfMessage.call(this);
      return verdict?.startsWith('H') ? 'D' : verdict;
    });
    const outcome = check('safety', 'mailu-2024.06-pr3322', 1500);
    expect(outcome.result).toBe('failed');
    expect(outcome.verdict).toMatch(/^message acknowledged as \w+ is queued 0 times$/);
    const drawn = outcome.counterexample?.overrides ?? {};
    expect([drawn['postfix.milter_end_of_message_reply'], drawn['postfix.milter_default_action']]).toContain('quarantine');
  });
});
