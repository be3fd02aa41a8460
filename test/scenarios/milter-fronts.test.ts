/* milter-fronts - what each front does when Postfix's milter rejects the connection or the front's HELO
 *
 * Postfix's side is test/scenarios/postfix-milter.test.ts. The fronts' reactions are their existing
 * failure handling (test/scenarios/backend-failures.test.ts names the sources): Dovecot's
 * submission_proxy_parse_line() takes a banner other than 220 and an EHLO reply other than 2xx as
 * PROTOCOL failures, which login_proxy_failed() retries (login_proxy_max_reconnects = 3) before the
 * client gets 454; an EHLO reply without XCLIENT ends the handshake at once (proxy_handle_ehlo_reply()).
 * nginx's ngx_mail_proxy_read_response() refuses a reply its state does not accept and, with Mailu's
 * proxy_pass_error_message on, passes it to the client and closes; it sends XCLIENT whether the EHLO
 * reply offers it or not (ngx_mail_proxy_smtp_handler()).
 */
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../scenarios/index.ts';
import { runScenario, type RunReport } from '../../scenarios/run.ts';

const UNAVAILABLE = '454 4.7.0 Account is temporarily unavailable.';
const NOT_ACCEPTING = '554 mail.example.test ESMTP not accepting connections';
const REJECTED = '550 5.7.1 Command rejected';

function run(scenario: string, sets: readonly string[]): RunReport {
  return runScenario(loadScenario({ scenario, sets: ['client.timeout_s=120', ...sets] }), { seed: 1 });
}
const frontLogged = (report: RunReport, text: string) => report.front.log.some((line) => line.includes(text));

describe('Dovecot 2.3 (mailu-2024.06-pr3322)', () => {
  const S = 'mailu-2024.06-pr3322';

  it('rejected at connect (554, or 421 for a 421/shutdown): an invalid banner, retried three times, then 454', () => {
    for (const [reply, banner] of [['reject', NOT_ACCEPTING], ['shutdown', '421 mail.example.test Service unavailable - try again later']] as const) {
      const report = run(S, [`postfix.milter_connect_reply=${reply}`]);
      expect(report.backend.connections, reply).toBe(4);
      expect(report.client.authReply, reply).toBe(UNAVAILABLE);
      expect(frontLogged(report, `Remote server sent invalid input: Invalid banner: ${banner} - reconnecting (attempt #1)`), reply).toBe(true);
    }
  });

  it('shutdown at HELO: an invalid EHLO line, retried, then 454', () => {
    const report = run(S, ['postfix.milter_helo_reply=shutdown']);
    expect([report.backend.connections, report.client.authReply]).toEqual([4, UNAVAILABLE]);
    expect(frontLogged(report, 'Invalid EHLO line: 421 4.7.0 Server closing connection - reconnecting (attempt #1)')).toBe(true);
  });

  it("rejected at HELO: the EHLO reply offers no XCLIENT, so Dovecot logs the client in without telling Postfix who it is; MAIL meets the milter's 550, logged under the front's address", () => {
    const report = run(S, ['postfix.milter_helo_reply=reject']);
    expect(report.client.authReply).toBe('235 2.7.0 Logged in.');
    expect(report.client.replies.at(-2)).toBe(REJECTED);
    expect(report.postfix.log).toContain(`postfix/smtpd: NOQUEUE: milter-reject: MAIL from unknown[192.168.203.2]: ${REJECTED}; from=<alice@example.test> proto=ESMTP helo=<front.example.test>`);
    expect(report.queue).toHaveLength(0);
  });

  it('tempfail at connect: the 220 goes out, the login succeeds, MAIL gets the 451', () => {
    const report = run(S, ['postfix.milter_connect_reply=tempfail']);
    expect([report.backend.connections, report.client.authReply]).toEqual([1, '235 2.7.0 Logged in.']);
    expect(report.client.replies.at(-2)).toBe('451 4.7.1 Service unavailable - try again later');
  });
});

describe('Dovecot 2.4: the banner is not XCLIENT, so a rejected connection is still retried', () => {
  it('rejected at connect: four connections, 454', () => {
    const report = run('mailu-2024.06-pr3322', ['front.model=dovecot-2.4', 'postfix.milter_connect_reply=reject']);
    expect([report.backend.connections, report.client.authReply]).toEqual([4, UNAVAILABLE]);
  });
});

describe('nginx (mailu-2.0): one try', () => {
  /** ngx_mail_log_error()'s context: the client, the listener, the login (Mailu's Auth-User) and the upstream. */
  const CONTEXT = ', client: 203.0.113.25, server: 192.168.203.2:587, login: "alice@example.test", upstream: 192.168.203.4:10025';
  it('rejected at connect: "upstream sent invalid response", the 554 goes to the client, nginx closes', () => {
    const report = run('mailu-2.0', ['postfix.milter_connect_reply=reject']);
    expect([report.backend.connections, report.client.authReply]).toEqual([1, NOT_ACCEPTING]);
    expect(report.front.log).toContain(`nginx: [info] upstream sent invalid response: "${NOT_ACCEPTING}" while reading response from upstream${CONTEXT}`);
  });

  it("a 421 at connect or HELO (shutdown): nginx reads the reply before the close behind it and passes it on", () => {
    for (const [key, reply] of [['postfix.milter_connect_reply', '421 mail.example.test Service unavailable - try again later'], ['postfix.milter_helo_reply', '421 4.7.0 Server closing connection']] as const) {
      const report = run('mailu-2.0', [`${key}=shutdown`]);
      expect(report.client.authReply, key).toBe(reply);
      expect(report.front.log, key).toContain(`nginx: [info] upstream sent invalid response: "${reply}" while reading response from upstream${CONTEXT}`);
    }
  });

  it('rejected at HELO: nginx sends XCLIENT all the same, which smtpd takes; a new milter rejects the EHLO after it again; the client gets 235, then 550 for MAIL', () => {
    const report = run('mailu-2.0', ['postfix.milter_helo_reply=reject']);
    expect(report.client.authReply).toBe('235 2.0.0 OK');
    expect(report.client.replies.at(-2)).toBe(REJECTED);
    expect(report.postfix.log.filter((line) => line.includes('milter-reject: EHLO'))).toHaveLength(2);
  });
});
