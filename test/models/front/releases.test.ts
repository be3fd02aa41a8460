/* releases - each gated Dovecot and nginx behaviour (models/front/releases.ts, docs/versions.md), run through the lab at the releases either side of its change */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DOVECOT_GATES, NGINX_GATES } from '../../../models/front/releases.ts';
import { ScenarioError } from '../../../scenarios/errors.ts';
import { loadScenario } from '../../../scenarios/load.ts';
import { runScenario } from '../../../scenarios/run.ts';

/** Mailu 2024.06 with a slow smtpd_authorized_xclient_hosts lookup: Postfix 3.9 answers the pipelined EHLO with 554 (E1). */
function mailuRun(sets: readonly string[], trace = false) {
  return runScenario(loadScenario({ scenario: 'mailu-2024.06', sets: ['postfix.xclient_lookup_ms=100', ...sets] }), { seed: 1, trace });
}

/** What the front wrote to Postfix, in order (the trace's application writes on the backend connection). */
function xclientLines(sets: readonly string[]): string[] {
  const trace = mailuRun(sets, true).trace ?? [];
  return trace.flatMap((event) => (event.kind === 'write' && typeof event.data === 'string' && event.data.startsWith('XCLIENT') ? [event.data] : []));
}

describe('Dovecot', () => {
  it('reconnect_logged_as_warning: 2.4.0 logs the retry as Debug, 2.4.1 as Warning', () => {
    const retry = (version: string) => mailuRun(['front.model=dovecot-2.4', `front.version=${version}`]).front.log.filter((line) => line.includes('reconnecting (attempt #1)'));
    expect(retry('2.4.0')).toEqual([expect.stringMatching(/^submission-login: Debug: proxy\(alice@example\.test,.*XCLIENT failed: 554 5\.5\.0 Error: SMTP protocol synchronization - reconnecting/)]);
    expect(retry('2.4.1')).toEqual([expect.stringMatching(/^submission-login: Warning: proxy\(alice@example\.test,.*XCLIENT failed: 554 5\.5\.0 Error: SMTP protocol synchronization - reconnecting/)]);
  });

  it('xclient_failure_not_retried: 2.4.2 retries the refused XCLIENT (4 connections), 2.4.3 gives up at once (1); both answer 454', () => {
    const at = (version: string) => mailuRun(['front.model=dovecot-2.4', `front.version=${version}`]);
    expect([at('2.4.2').backend.connections, at('2.4.2').client.authReply]).toEqual([4, '454 4.7.0 Account is temporarily unavailable.']);
    expect([at('2.4.3').backend.connections, at('2.4.3').client.authReply]).toEqual([1, '454 4.7.0 Account is temporarily unavailable.']);
  });

  it('xclient_destination: 2.4.2 sends no DESTPORT/DESTADDR, 2.4.3 sends the address the client connected to after ADDR', () => {
    expect(xclientLines(['front.model=dovecot-2.4', 'front.version=2.4.2'])[0]).not.toMatch(/DEST/);
    expect(xclientLines(['front.model=dovecot-2.4', 'front.version=2.4.3'])[0]).toMatch(/ ADDR=203\.0\.113\.25 DESTPORT=587 DESTADDR=192\.168\.203\.2\r\n$/);
  });

  it('auth_failure_delay_zero_immediate: with auth_failure_delay = 0, 2.4.0 answers a wrong password at the next 500 ms check (as 2.3), 2.4.1 at once', () => {
    const after = (version: string) => runScenario(loadScenario({ scenario: 'mailu-2024.06', sets: ['front.model=dovecot-2.4', `front.version=${version}`, 'client.password=wrong', 'front.auth_failure_delay=0'] }), { seed: 1 }).client;
    expect(after('2.4.0')).toMatchObject({ authReply: '535 5.7.8 Authentication failed.', authToReplyMs: expect.closeTo(505, -1) });
    expect(after('2.4.1').authReply).toBe('535 5.7.8 Authentication failed.');
    expect(after('2.4.1').authToReplyMs).toBeLessThan(10);
    // the delay itself is unchanged when it is not 0
    const two = runScenario(loadScenario({ scenario: 'mailu-2024.06', sets: ['front.model=dovecot-2.4', 'front.version=2.4.1', 'client.password=wrong'] }), { seed: 1 }).client;
    expect(two.authToReplyMs).toBeGreaterThan(1_500);
  });

  it('login_command_parameters_limit: 2.3.17.1 takes 4096 bytes of EHLO parameters, 2.3.18 only 1025 ("500 5.5.2 Line too long": 1026 fill the input buffer, measured on Debian\'s 2.3.19.1)', () => {
    const ehloReply = (version: string, bytes: number) => {
      const report = runScenario(loadScenario({ scenario: 'mailu-2024.06', sets: [`front.version=${version}`, `client.script=EHLO ${'a'.repeat(bytes)}; QUIT`] }), { seed: 1 });
      return report.client.replies[1]?.split('\r\n')[0]?.slice(0, 24);
    };
    expect([ehloReply('2.3.18', 1025), ehloReply('2.3.18', 1026)]).toEqual([expect.stringMatching(/^250-/), '500 5.5.2 Line too long']);
    expect([ehloReply('2.3.17.1', 1027), ehloReply('2.3.17.1', 4096), ehloReply('2.3.17.1', 4097)]).toEqual([expect.stringMatching(/^250-/), expect.stringMatching(/^250-/), '500 5.5.2 Line too long']);
  });

  it("login_checks_response_base64: 2.4.3 hands a continued response that is not base64 to the auth process, 2.4.4 and Debian's 2.3.19.1+deb12u7 refuse it in the login", () => {
    const run = (model: string, version: string, response: string) =>
      runScenario(loadScenario({ scenario: 'mailu-2024.06', sets: [`front.model=${model}`, `front.version=${version}`, `client.script=AUTH PLAIN; ${response}; NOOP`] }), { seed: 1 });
    const replies = (model: string, version: string, response: string) => run(model, version, response).client.replies.slice(2);
    const refused = ['535 5.7.8 Invalid base64 in response', '250 2.0.0 OK'];
    expect(replies('dovecot-2.4', '2.4.3', '!!notbase64')).toEqual(['501 5.5.2 Invalid base64 data in continued response', '250 2.0.0 OK']);
    expect(replies('dovecot-2.4', '2.4.4', '!!notbase64')).toEqual(refused);
    expect(replies('dovecot-2.3', '2.3.19.1', '!!notbase64')).toEqual(['501 5.5.2 Invalid base64 data in continued response', '250 2.0.0 OK']);
    expect(replies('dovecot-2.3', '2.3.19.1+deb12u7', '!!notbase64')).toEqual(refused);
    // A blank is no base64 character: upstream's decoder skips it (the credentials then fail), the check refuses it.
    const blank = 'AGFsaWNl AHdyb25n'; // "\0alice" "\0wrong", as the real run sent it
    expect(replies('dovecot-2.3', '2.3.19.1', blank)).toEqual(['535 5.7.8 Authentication failed.', '250 2.0.0 OK']);
    expect(replies('dovecot-2.3', '2.3.19.1+deb12u7', blank)).toEqual(refused);
    // '=' passes the check, and the initial response is not checked: both still reach the auth process.
    expect(replies('dovecot-2.3', '2.3.19.1+deb12u7', 'AGFsaWNl=AHdyb25n')).toEqual(['501 5.5.2 Invalid base64 data in continued response', '250 2.0.0 OK']);
    const initial = runScenario(loadScenario({ scenario: 'mailu-2024.06', sets: ['front.version=2.3.19.1+deb12u7', 'client.script=AUTH PLAIN !!notbase64; NOOP'] }), { seed: 1 });
    expect(initial.client.replies.slice(1)).toEqual(['501 5.5.2 Invalid base64 data in initial response', '250 2.0.0 OK']);
    // The refusal leaves auth_waiting set (the check comes before client_auth_respond() clears it): the line Debian's build logs.
    expect(run('dovecot-2.3', '2.3.19.1+deb12u7', '!!notbase64').front.log.at(-1)).toMatch(/^submission-login: Info: Disconnected: .*\(client didn't finish SASL auth, waited 0 secs\): user=<>, method=PLAIN, /);
  });

  it('front.version must be a release of the front: 2.4.x for dovecot-2.4, none for the lock-step proxy', () => {
    expect(() => loadScenario({ sets: ['front.version=2.4.3'] })).toThrow(ScenarioError);
    expect(() => loadScenario({ sets: ['front.version=2.4.3'] })).toThrow("front.version: '2.4.3' is not a release of dovecot-2.3; allowed: 2.3.17-2.3.21.1, 2.3.19.1+deb12u7");
    expect(() => loadScenario({ scenario: 'lockstep', sets: ['front.version=2.3.21'] })).toThrow(/front\.version is a setting of dovecot-2\.3, dovecot-2\.4, nginx/);
    expect(loadScenario({ sets: ['front.model=dovecot-2.4'] }).get('front.version')).toBe('2.4.3');
  });
});

describe('nginx', () => {
  it('xclient_login_xtext: 1.29.1 sends LOGIN raw, 1.29.2 xtext-encodes it', () => {
    const user = 'al ice+x@example.test';
    const login = (version: string) => {
      const sets = ['front.model=nginx', 'front.port=587', 'front.smtp_auth=plain', `front.version=${version}`, `client.user=${user}`];
      const trace = runScenario(loadScenario({ sets }), { seed: 1, trace: true }).trace ?? [];
      const xclient = trace.flatMap((event) => (event.kind === 'write' && typeof event.data === 'string' && event.data.startsWith('XCLIENT') ? [event.data] : []))[0];
      return /LOGIN=.*? NAME=/.exec(xclient ?? '')?.[0];
    };
    expect(login('1.29.1')).toContain('LOGIN=al ice+x@example.test');
    expect(login('1.29.2')).toContain('LOGIN=al+20ice+2Bx@example.test');
  });

  it("smtp_auth_none_clears_credentials: on Mailu's port 25 (smtp_auth none) a name from a failed AUTH LOGIN reaches Postfix as XCLIENT LOGIN= before 1.29.1, and the client relays as that user; not from 1.29.1", () => {
    // AUTH LOGIN with the name, a password nginx cannot decode (500), then mail to another domain without AUTH.
    const script = 'client.script=EHLO lab; AUTH LOGIN dmljdGltQGV4YW1wbGUudGVzdA==; !!!; MAIL FROM:<a@example.test>; RCPT TO:<b@elsewhere.test>; QUIT';
    // The relay needs a Postfix whose permit_sasl_authenticated counts an XCLIENT LOGIN= with SASL off, as the port 25 service
    // has it: 3.9.1 on (models/postfix/releases.ts permit_sasl_without_sasl_enable); 3.9.0 asks smtpd_sasl_is_active() first.
    const relayed = (version: string, postfix = '3.9.1') => {
      const report = runScenario(loadScenario({ scenario: 'nginx-port25', sets: [`front.version=${version}`, `postfix.mail_version=${postfix}`, script] }), { seed: 1, trace: true });
      const xclient = (report.trace ?? []).flatMap((event) => (event.kind === 'write' && typeof event.data === 'string' && event.data.startsWith('XCLIENT') ? [event.data] : []))[0];
      return { xclient, rcpt: report.client.replies.at(-2), clientLine: report.postfix.log.find((line) => line.includes(': client=')) };
    };
    const before = relayed('1.29.0');
    expect(before.xclient).toContain(' LOGIN=victim@example.test ');
    expect(before.rcpt).toBe('250 2.1.5 Ok');
    expect(before.clientLine).toMatch(/client=unknown\[203\.0\.113\.25\], sasl_method=XCLIENT, sasl_username=victim@example\.test$/);
    expect(relayed('1.29.0', '3.9').rcpt).toBe('554 5.7.1 <b@elsewhere.test>: Relay access denied');
    const since = relayed('1.29.1');
    expect(since.xclient).not.toContain('LOGIN=');
    expect(since.rcpt).toBe('554 5.7.1 <b@elsewhere.test>: Relay access denied');
    expect(since.clientLine).toBeUndefined();
  });
});

describe('docs/versions.md', () => {
  it('has a row for every Dovecot and nginx gate, with its first release', () => {
    const doc = readFileSync(new URL('../../../docs/versions.md', import.meta.url), 'utf8');
    for (const [name, gate] of Object.entries({ ...DOVECOT_GATES, ...NGINX_GATES })) {
      expect(doc, name).toContain(`\`${name}\``);
      expect(doc, name).toContain(gate.since);
    }
  });
});
