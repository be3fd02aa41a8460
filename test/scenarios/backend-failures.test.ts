/* backend-failures - Postfix failing at each handshake step (postfix.fail_at / fail_reply / fail_sessions), and what each front does
 *
 * The Postfix side is models/postfix/injected-failure.ts. The fronts' reactions are the ones their
 * sources give:
 *  - Dovecot (dovecot/core src/submission-login/submission-proxy.c submission_proxy_parse_line(),
 *    src/login-common/login-proxy.c login_proxy_failed() and proxy_try_reconnect(), 2.3.21 and
 *    2.4.x): a banner other than 220 is PROTOCOL ("Invalid banner"), an EHLO reply other than 2xx
 *    PROTOCOL ("Invalid EHLO line"), a closed connection CONNECT ("Disconnected by server"), all
 *    retried one second apart up to login_proxy_max_reconnects (3); an XCLIENT reply other than 2xx
 *    is REMOTE in 2.3 (retried) and REMOTE_CONFIG in 2.4 (never retried). A silent backend is
 *    "Login timed out" (CONNECT) at login_proxy_timeout (30 s), too late for another try (less than
 *    PROXY_CONNECT_RETRY_MIN_MSECS left). The client gets 454 4.7.0 when Dovecot gives up.
 *    After the login the proxy only relays: MAIL and DATA failures reach the client as they are.
 *  - nginx (nginx/nginx src/mail/ngx_mail_proxy_module.c ngx_mail_proxy_read_response(),
 *    ngx_mail_proxy_smtp_handler(), ngx_mail_proxy_upstream_error()): one try, no retry. A reply the
 *    state does not accept is "upstream sent invalid response" and, with Mailu's
 *    proxy_pass_error_message on, goes to the client before nginx closes; a closed upstream (recv 0)
 *    leaves s->out empty, so the client gets "451 4.3.2 Internal server error"; so does the
 *    upstream read timer (`timeout`, 60 s) on a silent backend. With smtp_auth none, MAIL FROM is
 *    part of the handshake (state ngx_smtp_from accepts only 250); DATA is relayed.
 *  - HAProxy in mode tcp relays bytes and closes: the client meets Postfix's failure itself; no one
 *    sends XCLIENT.
 */
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../scenarios/index.ts';
import { runScenario, sessionEndOf, type RunReport } from '../../scenarios/run.ts';

const FAILURE = '451 4.3.0 Error: queue file write error';
const UNAVAILABLE = '454 4.7.0 Account is temporarily unavailable.';
const INTERNAL_ERROR = '451 4.3.2 Internal server error';

/** A run of `scenario` whose Postfix fails at `step` with `reply`; the client waits long enough to see the front time out. */
function failing(scenario: string, step: string, reply: string, sets: readonly string[] = []): RunReport {
  return runScenario(loadScenario({ scenario, sets: [`postfix.fail_at=${step}`, `postfix.fail_reply=${reply}`, 'client.timeout_s=120', ...sets] }), { seed: 1 });
}

const ended = (report: RunReport) => sessionEndOf(report.client);
const frontLogged = (report: RunReport, text: string) => report.front.log.some((line) => line.includes(text));
const seconds = (report: RunReport) => (report.clientEndedAtUs ?? 0) / 1e6;
/** The client's session ended between `from` and `to` seconds (virtual time). */
function expectEndedBetween(report: RunReport, from: number, to: number): void {
  expect(seconds(report)).toBeGreaterThan(from);
  expect(seconds(report)).toBeLessThan(to);
}

describe('the Postfix model fails where it is told to, once per session', () => {
  const script = 'client.script=EHLO lab; MAIL FROM:<a@example.test>; MAIL FROM:<a@example.test>; QUIT';

  it('reply: the step gets the text and the session goes on; the second MAIL is served', () => {
    const report = failing('haproxy-proxy-protocol', 'mail', FAILURE, [script]);
    expect(report.client.replies.slice(2)).toEqual([FAILURE, '250 2.1.0 Ok', '221 2.0.0 Bye']);
    expect(report.postfix.log.at(-1)).toMatch(/ mail=1\/2 /);
  });

  it('a 421 reply ends the session as any 421 does (SMTPD_FLAG_HANGUP)', () => {
    const report = failing('haproxy-proxy-protocol', 'mail', '421 4.3.2 Service shutting down', [script]);
    expect(report.client.replies.at(-1)).toBe('421 4.3.2 Service shutting down');
    expect(ended(report)).toBe('server-closed');
  });

  it('disconnect: closed without a reply or a log line; stall: nothing until the watchdog (18000 s) ends smtpd', () => {
    const gone = failing('haproxy-proxy-protocol', 'mail', 'disconnect', [script]);
    expect(gone.client.replies.slice(1)).toHaveLength(1);
    expect(ended(gone)).toBe('server-closed');
    expect(gone.postfix.log).toEqual([expect.stringMatching(/^postfix\/smtpd: connect from /)]);
    // HAProxy's timeout server (60 s) gives up on the silent smtpd long before its watchdog.
    const stalled = failing('haproxy-proxy-protocol', 'mail', 'stall', [script]);
    expect(ended(stalled)).toBe('server-closed');
    expectEndedBetween(stalled, 60, 60.1);
    expect(stalled.postfix.log.at(-1)).toBe('postfix/smtpd: fatal: watchdog timeout');
    expect(stalled.endedAtUs).toBeGreaterThanOrEqual(18_000 * 1e6);
    expect(stalled.heldAtEnd).toEqual([]);
  });

  it('fail_sessions = 1: only the first session fails (a reconnecting front then succeeds)', () => {
    const report = failing('mailu-2024.06-pr3322', 'banner', FAILURE, ['postfix.fail_sessions=1']);
    expect(report.backend.connections).toBe(2);
    expect(report.client.authReply).toBe('235 2.7.0 Logged in.');
    expect(report.queue).toHaveLength(1);
  });
});

describe('Dovecot 2.3 (mailu-2024.06-pr3322: forbid = no, so the pipelining race plays no part)', () => {
  const S = 'mailu-2024.06-pr3322';
  const retried: [step: string, reply: string, logged: string][] = [
    ['banner', FAILURE, `Remote server sent invalid input: Invalid banner: ${FAILURE} - reconnecting (attempt #1)`],
    ['ehlo', FAILURE, `Remote server sent invalid input: Invalid EHLO line: ${FAILURE} - reconnecting (attempt #1)`],
    ['xclient', FAILURE, `Aborting due to remote server: XCLIENT failed: ${FAILURE} - reconnecting (attempt #1)`],
    ['banner', 'disconnect', 'Disconnected by server: Connection closed (state=banner, duration=0s) - reconnecting (attempt #1)'],
    ['ehlo', 'disconnect', 'Disconnected by server: Connection closed (state=ehlo, duration=0s) - reconnecting (attempt #1)'],
    // The pipelined EHLO is still unread when smtpd dies: the kernel answers with a reset, which the
    // backend's istream reports as its read error: 4096 less the banner (37) and EHLO reply (236) read.
    ['xclient', 'disconnect', 'Disconnected by server: Connection closed: read(size=3823) failed: Connection reset by peer (state=xclient, duration=0s) - reconnecting (attempt #1)'],
  ];
  for (const [step, reply, logged] of retried) {
    it(`${step} ${reply}: retried three times a second apart, then 454`, () => {
      const report = failing(S, step, reply);
      expect(report.backend.connections).toBe(4);
      expect(report.client.authReply).toBe(UNAVAILABLE);
      expect(frontLogged(report, logged)).toBe(true);
      expectEndedBetween(report, 3, 3.2);
    });
  }

  for (const step of ['banner', 'ehlo', 'xclient']) {
    it(`${step} stall: Login timed out at login_proxy_timeout (30 s), no time left to retry, 454`, () => {
      const report = failing(S, step, 'stall');
      expect(report.backend.connections).toBe(1);
      expect(report.client.authReply).toBe(UNAVAILABLE);
      expect(frontLogged(report, `Error: proxy(alice@example.test,192.168.203.4:10025): Login timed out in state=${step} (after 30 secs`)).toBe(true);
      expectEndedBetween(report, 30, 30.1);
    });
  }

  it('MAIL and DATA come after the login: Dovecot relays the failure, the client sees it as Postfix gave it', () => {
    const mail = failing(S, 'mail', FAILURE);
    expect(mail.client.authReply).toBe('235 2.7.0 Logged in.');
    expect(mail.client.replies.at(-2)).toBe(FAILURE);
    expect(mail.backend.connections).toBe(1);
    const data = failing(S, 'data', 'disconnect');
    expect(data.client.replies.at(-1)).toBe('250 2.1.5 Ok');
    expect(ended(data)).toBe('server-closed');
    expect(failing(S, 'data', 'stall', ['client.timeout_s=30']).client.closedBy).toBe('timeout');
  });
});

describe('Dovecot 2.4: an XCLIENT failure is REMOTE_CONFIG and never retried (e4fd6e2fbb); the rest as 2.3', () => {
  const S = 'mailu-2024.06-pr3322';
  const sets = ['front.model=dovecot-2.4'];

  it('XCLIENT refused: one connection, 454 at once', () => {
    const report = failing(S, 'xclient', FAILURE, sets);
    expect(report.backend.connections).toBe(1);
    expect(report.client.authReply).toBe(UNAVAILABLE);
    expect(frontLogged(report, `Error: proxy(alice@example.test,192.168.203.4:10025): Aborting due to remote server: XCLIENT failed: ${FAILURE}:`)).toBe(true);
    expect(seconds(report)).toBeLessThan(0.1);
  });

  it('banner refused or XCLIENT disconnected: retried (the reconnect logged as a Warning from 2.4.1)', () => {
    for (const [step, reply] of [['banner', FAILURE], ['xclient', 'disconnect']] as const) {
      const report = failing(S, step, reply, sets);
      expect(report.backend.connections, `${step} ${reply}`).toBe(4);
      expect(frontLogged(report, 'Warning: proxy(alice@example.test,192.168.203.4:10025): ')).toBe(true);
    }
  });
});

describe('lockstep: Dovecot 2.3 that waits for every reply, with the same failure handling', () => {
  it('XCLIENT disconnected: nothing was pipelined, so smtpd closes cleanly; retried, then 454', () => {
    const report = failing('lockstep', 'xclient', 'disconnect');
    expect(report.backend.connections).toBe(4);
    expect(frontLogged(report, 'Disconnected by server: Connection closed (state=xclient, duration=0s) - reconnecting (attempt #1)')).toBe(true);
    expect(report.client.authReply).toBe(UNAVAILABLE);
  });

  it('EHLO refused: retried, then 454', () => {
    const report = failing('lockstep', 'ehlo', FAILURE);
    expect([report.backend.connections, report.client.authReply]).toEqual([4, UNAVAILABLE]);
  });
});

describe('nginx (mailu-2.0: smtp_auth plain login, xclient on, proxy_pass_error_message on): one try', () => {
  const S = 'mailu-2.0';
  /** s->connection->log->action while nginx waits for the step's reply (ngx_mail_proxy_init, ngx_mail_proxy_smtp_handler). */
  const NGINX_ACTION: Readonly<Record<string, string>> = { banner: 'connecting to upstream', ehlo: 'sending HELO/EHLO to upstream', xclient: 'sending XCLIENT to upstream' };
  /** ngx_mail_log_error()'s context: the client, the listener, the login (Mailu's Auth-User) and the upstream. */
  const CONTEXT = ', client: 203.0.113.25, server: 192.168.203.2:587, login: "alice@example.test", upstream: 192.168.203.4:10025';
  for (const step of ['banner', 'ehlo', 'xclient']) {
    it(`${step} refused: the backend's reply goes to the client, nginx closes`, () => {
      const report = failing(S, step, FAILURE);
      expect(report.backend.connections).toBe(1);
      expect(report.client.authReply).toBe(FAILURE);
      expect(report.front.log).toContain(`nginx: [info] upstream sent invalid response: "${FAILURE}" while reading response from upstream${CONTEXT}`);
      expect(ended(report)).toBe('server-closed');
    });
    it(`${step} disconnect: 451 4.3.2 Internal server error at once; stall: the same after timeout (60 s), logged with the action under way`, () => {
      const gone = failing(S, step, 'disconnect');
      expect([gone.backend.connections, gone.client.authReply, ended(gone)]).toEqual([1, INTERNAL_ERROR, 'server-closed']);
      const stalled = failing(S, step, 'stall');
      expect(stalled.client.authReply).toBe(INTERNAL_ERROR);
      expect(stalled.front.log).toContain(`nginx: [info] upstream timed out (110: Connection timed out) while ${NGINX_ACTION[step]}${CONTEXT}`);
      expectEndedBetween(stalled, 60, 60.1);
    });
  }

  it('MAIL and DATA are relayed after 235', () => {
    const report = failing(S, 'mail', FAILURE);
    expect(report.client.authReply).toBe('235 2.0.0 OK');
    expect(report.client.replies.at(-2)).toBe(FAILURE);
  });
});

describe('nginx with smtp_auth none (nginx-port25): MAIL FROM is a handshake step, DATA is not', () => {
  it('MAIL refused: nginx passes the reply and closes; MAIL disconnected: 451 4.3.2', () => {
    const refused = failing('nginx-port25', 'mail', FAILURE);
    expect(refused.client.replies.at(-1)).toBe(FAILURE);
    // no login with smtp_auth none, so nginx 1.26 names no upstream either (releases.ts log_upstream_without_login)
    expect(refused.front.log).toContain(`nginx: [info] upstream sent invalid response: "${FAILURE}" while reading response from upstream, client: 203.0.113.25, server: 192.168.203.2:25`);
    expect(ended(refused)).toBe('server-closed');
    expect(failing('nginx-port25', 'mail', 'disconnect').client.replies.at(-1)).toBe(INTERNAL_ERROR);
  });

  it('DATA refused: relayed to the client, who QUITs (swaks)', () => {
    const report = failing('nginx-port25', 'data', FAILURE);
    expect(report.client.replies.slice(-2)).toEqual([FAILURE, '221 2.0.0 Bye']);
    expect(ended(report)).toBe('quit');
  });
});

describe('HAProxy (mode tcp): the client meets the failure itself', () => {
  const S = 'haproxy-proxy-protocol';

  it('banner refused: swaks QUITs on a greeting other than 220; banner disconnect: the close reaches the client', () => {
    const refused = failing(S, 'banner', FAILURE);
    expect(refused.client.replies).toEqual([FAILURE, '221 2.0.0 Bye']);
    expect(ended(failing(S, 'banner', 'disconnect'))).toBe('server-closed');
  });

  it('no one sends XCLIENT behind HAProxy: fail_at = xclient changes nothing', () => {
    const report = failing(S, 'xclient', 'disconnect');
    expect(report.queue).toHaveLength(1);
    expect(ended(report)).toBe('quit');
  });

  it('DATA stalled: the client gives up at client.timeout_s and run counts it as a timeout', () => {
    const report = failing(S, 'data', 'stall', ['client.timeout_s=10']);
    expect(report.client).toMatchObject({ closedBy: 'timeout', error: 'no reply within 10000000 µs' });
  });
});
