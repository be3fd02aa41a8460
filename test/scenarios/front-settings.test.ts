/* front-settings - the fronts' settings a deployment states, as front.* keys, change the session as the real daemons do
 *
 * The whole chain in the simulator, driven by --set. The Dovecot expectations are the replies Debian 12's
 * Dovecot 2.3.19.1 gave with the same settings (docs/front-settings.md: the configuration and transcripts);
 * the nginx ones are read from src/mail/ngx_mail_smtp_module.c and ngx_mail_proxy_module.c (release-1.22.1).
 */
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../scenarios/index.ts';
import { runScenario } from '../../scenarios/run.ts';
import { dovecotConfigOf, nginxConfigOf } from '../../scenarios/topology.ts';

function run(scenario: string, sets: readonly string[], trace = false) {
  return runScenario(loadScenario({ scenario, sets }), { seed: 1, trace });
}

/** What one front wrote to another node, as text, in order. */
function writesOf(report: ReturnType<typeof run>, text: RegExp): string[] {
  return (report.trace ?? []).flatMap((event) => (event.kind === 'write' && text.test(String(event.data)) ? [String(event.data)] : []));
}

/** A multi-line reply as the wire has it (the report joins its lines with LF). */
const wire = (reply: string | undefined) => `${(reply ?? '').split('\n').join('\r\n')}\r\n`;

describe("Dovecot submission-login's settings (measured on Debian 12's 2.3.19.1)", () => {
  it('hostname, login_greeting, auth_mechanisms, submission_backend_capabilities and submission_max_mail_size: the greeting and the EHLO reply as the real one gave them', () => {
    // real: hostname = smtp.example.org, login_greeting = Hello there., auth_mechanisms = login plain,
    // submission_backend_capabilities = BINARYMIME, submission_max_mail_size = 10M
    const report = run('mailu-2024.06', [
      'client.script=EHLO x; AUTH CRAM-MD5; QUIT',
      'front.hostname=smtp.example.org', 'front.login_greeting=Hello there.', 'front.auth_mechanisms=login plain',
      'front.submission_backend_capabilities=BINARYMIME', 'front.submission_max_mail_size=10485760',
    ]);
    expect(report.client.replies.map(wire)).toEqual([
      '220 smtp.example.org Hello there.\r\n',
      '250-smtp.example.org\r\n250-AUTH LOGIN PLAIN\r\n250-BINARYMIME\r\n250-BURL imap\r\n250-CHUNKING\r\n250-ENHANCEDSTATUSCODES\r\n250-SIZE 10485760\r\n250 PIPELINING\r\n',
      '504 5.5.4 Unsupported authentication mechanism.\r\n',
      '221 2.0.0 Bye\r\n',
    ]);
  });

  it('submission_client_workarounds = exotic-backend: only what the backend is said to offer (real: 8BITMIME, then AUTH, and nothing else)', () => {
    const report = run('real-stack', [
      'client.script=EHLO x; QUIT', 'front.hostname=vm', 'front.auth_mechanisms=plain',
      'front.submission_backend_capabilities=8BITMIME', 'front.submission_client_workarounds=exotic-backend',
    ]);
    expect(report.client.replies.slice(0, 2).map(wire)).toEqual(['220 vm Dovecot (Debian) ready.\r\n', '250-vm\r\n250-8BITMIME\r\n250 AUTH PLAIN\r\n']);
  });

  it('auth_mechanisms without the client\'s mechanism: its AUTH is 504 and it never logs in', () => {
    const report = run('mailu-2024.06', ['client.auth=LOGIN', 'front.auth_mechanisms=plain']);
    expect(report.client.authReply).toBe('504 5.5.4 Unsupported authentication mechanism.');
    expect(report.backend.connections).toBe(0);
  });

  it('hostname is also the EHLO the proxy sends Postfix (submission-proxy.c: "EHLO %s", set->hostname)', () => {
    const report = run('mailu-2024.06', ['front.hostname=smtp.example.org'], true);
    expect(report.client.authReply).toMatch(/^235 /);
    expect(writesOf(report, /^EHLO smtp\.example\.org\r\n/).length).toBeGreaterThan(0);
  });

  it("auth_failure_delay: a wrong password's 535 comes after it, within the 500 ms check (real: 5 secs 5.004 s; 0: 0.5 s)", () => {
    const after = (delay: number, phaseUs: number) =>
      runScenario(loadScenario({ scenario: 'mailu-2024.06', sets: ['client.password=wrong', `front.auth_failure_delay=${delay}`] }), { seed: 1, wallClockPhaseUs: phaseUs }).client;
    for (const phaseUs of [0, 400_000, 900_000]) {
      const five = after(5, phaseUs);
      expect(five.authReply).toBe('535 5.7.8 Authentication failed.');
      expect(five.authToReplyMs).toBeGreaterThan(4_500);
      expect(five.authToReplyMs).toBeLessThan(5_510);
      // 0 in 2.3: still queued, flushed by the first check (auth_request_handler_flush_failures()).
      expect(after(0, phaseUs).authToReplyMs).toBeGreaterThan(500);
      expect(after(0, phaseUs).authToReplyMs).toBeLessThan(510);
    }
  });

  it("left unset, each is the layout's: the lab's host name, Alpine's greeting on Mailu's layout and Debian's on the recorded stack", () => {
    expect(run('mailu-2024.06', ['client.script=QUIT']).client.replies[0]).toBe('220 front.example.test Dovecot ready.');
    expect(run('real-stack', ['client.script=QUIT']).client.replies[0]).toBe('220 front.example.test Dovecot (Debian) ready.');
    const config = dovecotConfigOf(loadScenario({ scenario: 'mailu-2024.06' }));
    expect([config.auth_mechanisms, config.submission_backend_capabilities, config.submission_max_mail_size, config.submission_client_workarounds, config.auth_failure_delay])
      .toEqual([['plain', 'login'], ['8BITMIME', 'DSN', 'VRFY'], 0, [], 2]);
  });
});

describe("nginx mail's settings (ngx_mail_smtp_module.c, ngx_mail_proxy_module.c, release-1.22.1)", () => {
  it('server_name: the greeting, the HELO and EHLO replies, and the EHLO nginx sends the backend', () => {
    const report = run('mailu-2.0', ['front.server_name=smtp.example.org'], true);
    expect(report.client.replies[0]).toBe('220 smtp.example.org ESMTP ready');
    expect(report.client.replies[1]).toMatch(/^250-smtp\.example\.org\n/);
    expect(writesOf(report, /^EHLO smtp\.example\.org\r\n/).length).toBe(1);
    expect(run('mailu-2.0', ['client.script=HELO x; QUIT', 'front.server_name=smtp.example.org']).client.replies[1]).toBe('250 smtp.example.org');
  });

  it('smtp_capabilities: the lines between the name and AUTH, as written; none leaves the name and AUTH', () => {
    const ehlo = (capabilities: string) => run('mailu-2.0', ['client.script=EHLO x; QUIT', `front.smtp_capabilities=${capabilities}`]).client.replies[1];
    expect(ehlo('PIPELINING "SIZE 10240000" 8BITMIME')).toBe('250-mail.example.test\n250-PIPELINING\n250-SIZE 10240000\n250-8BITMIME\n250 AUTH PLAIN LOGIN');
    expect(ehlo('')).toBe('250-mail.example.test\n250 AUTH PLAIN LOGIN');
  });

  it("proxy_pass_error_message: on, the backend's refusal reaches the client; off, 451 4.3.2 Internal server error", () => {
    const refused = (pass: 'on' | 'off') => run('mailu-2.0', ['postfix.fail_at=xclient', 'postfix.fail_reply=421 4.3.2 Service shutting down', `front.proxy_pass_error_message=${pass}`]);
    expect(refused('on').client.authReply).toBe('421 4.3.2 Service shutting down');
    expect(refused('off').client.authReply).toBe('451 4.3.2 Internal server error');
    expect(refused('off').front.log.some((line) => / \[error\] .*upstream sent invalid response: "421 4\.3\.2 Service shutting down"/.test(line))).toBe(true);
  });

  it('timeout: a backend that never greets is given up after it (upstream timed out, 451), before the client gives up', () => {
    const stalled = (timeout: string) => run('mailu-2.0', ['postfix.fail_at=banner', 'postfix.fail_reply=stall', `front.timeout=${timeout}`]);
    const five = stalled('5s');
    expect(five.client.authReply).toBe('451 4.3.2 Internal server error');
    expect(five.client.authToReplyMs).toBeGreaterThanOrEqual(5_000);
    expect(five.client.authToReplyMs).toBeLessThan(5_100);
    expect(five.front.log.some((line) => line.includes('upstream timed out (110: Connection timed out)'))).toBe(true);
    // nginx's default 60s: swaks's 30 s timeout comes first
    expect(stalled('60s').client.authReply).toBeNull();
  });

  it('smtp_client_buffer: a line whose end does not fit is too long, 500 and closed (measured on Debian\'s nginx 1.22.1 with 1k: NOOP and 1017 bytes 250, 1018 500)', () => {
    const noop = (bytes: number, sets: readonly string[]) => run('mailu-2.0', [`client.script=NOOP ${'x'.repeat(bytes)}; QUIT`, ...sets]);
    expect(noop(1017, ['front.smtp_client_buffer=1k']).client.replies.slice(1)).toEqual(['250 2.0.0 OK', '221 2.0.0 Bye']);
    const long = noop(1018, ['front.smtp_client_buffer=1k']);
    expect([long.client.replies.slice(1), long.client.closedBy]).toEqual([['500 5.5.1 Invalid command'], 'server']);
    expect(long.front.log.at(-1)).toMatch(/\[info\] client sent too long command "NOOP x{1018}/);
    // the default page takes it
    expect(noop(1018, []).client.replies[1]).toBe('250 2.0.0 OK');
  });

  it("left unset, each is Mailu's (the built-in scenarios' values)", () => {
    const config = nginxConfigOf(loadScenario({ scenario: 'mailu-2.0' }));
    expect([config.server_name, config.smtp_capabilities, config.proxy_pass_error_message, config.timeout, config.smtp_client_buffer])
      .toEqual(['mail.example.test', ['PIPELINING', 'SIZE 50000000', 'ETRN', 'ENHANCEDSTATUSCODES', '8BITMIME', 'DSN'], true, 60_000, 4096]);
  });
});
