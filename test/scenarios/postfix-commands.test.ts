/* postfix-commands - Postfix's command-level behaviour driven through client.script, the whole chain in the simulator
 *
 * HAProxy in mode tcp relays the client's bytes to smtpd untouched, so a script there speaks to
 * Postfix 3.9 itself. Every expectation is read from postfix/src/smtpd/smtpd.c (v3.9.9) and
 * smtpd_chat.c; the function is named at each test.
 */
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../scenarios/index.ts';
import { runScenario } from '../../scenarios/run.ts';

const CLIENT = 'unknown[203.0.113.25]';

function play(script: readonly string[], sets: readonly string[] = []) {
  const report = runScenario(loadScenario({ scenario: 'haproxy-proxy-protocol', sets: [`client.script=${script.join('; ')}`, ...sets] }), { seed: 1 });
  // Each reply after the greeting, in the order of the script's commands.
  return { report, replies: report.client.replies.slice(1) };
}

describe('Postfix commands through client.script (smtpd.c v3.9.9)', () => {
  it('noop_cmd(): an argument is ignored (the 501 check is under #ifdef RFC821_SYNTAX only); NOOP is fine before EHLO', () => {
    const { replies, report } = play(['NOOP', 'NOOP hello world', 'EHLO lab', 'NOOP x', 'QUIT']);
    expect(replies.filter((_, i) => i !== 2)).toEqual(['250 2.0.0 Ok', '250 2.0.0 Ok', '250 2.0.0 Ok', '221 2.0.0 Bye']);
    expect(report.postfix.log.at(-1)).toBe(`postfix/smtpd: disconnect from ${CLIENT} ehlo=1 noop=3 quit=1 commands=5`);
  });

  it('rset_cmd(): 501 with an argument; without, mail_reset() forgets the transaction (RCPT then needs MAIL)', () => {
    const { replies } = play(['EHLO lab', 'RSET now', 'MAIL FROM:<a@example.test>', 'RSET', 'RCPT TO:<b@example.test>', 'QUIT']);
    expect(replies.slice(1)).toEqual(['501 5.5.4 Syntax: RSET', '250 2.1.0 Ok', '250 2.0.0 Ok', '503 5.5.1 Error: need MAIL command', '221 2.0.0 Bye']);
  });

  it('vrfy_cmd(): 252 echoing the words put together again (collapse_args), a last SMTPUTF8 is the option, none is 501', () => {
    // A bare "bob" would be bob@$myhostname (resolve.c), which this client may not relay to: 554.
    const { replies } = play(['EHLO lab', 'VRFY bob@example.test', 'VRFY John  Smith  <js@example.test>', 'VRFY <bob@example.test>', 'VRFY bob@example.test SMTPUTF8', 'VRFY SMTPUTF8', 'VRFY', 'QUIT']);
    expect(replies.slice(1)).toEqual([
      '252 2.0.0 bob@example.test',
      '252 2.0.0 John Smith <js@example.test>',
      '252 2.0.0 <bob@example.test>',
      '252 2.0.0 bob@example.test',
      '501 5.5.4 Syntax: VRFY address [SMTPUTF8]',
      '501 5.5.4 Syntax: VRFY address [SMTPUTF8]',
      '221 2.0.0 Bye',
    ]);
  });

  it('vrfy_cmd() -> extract_addr(): not exactly one address (two words are two, <> is none) is warned about and refused with 501 5.1.3', () => {
    const { replies, report } = play(['EHLO lab', 'VRFY John  Smith', 'VRFY <>', 'VRFY bob@example.test, carol@example.test', 'QUIT']);
    expect(replies.slice(1)).toEqual([...Array.from({ length: 3 }, () => '501 5.1.3 Bad recipient address syntax'), '221 2.0.0 Bye']);
    expect(report.postfix.log.filter((line) => line.includes('Illegal address syntax'))).toEqual([
      `postfix/smtpd: warning: Illegal address syntax from ${CLIENT} in VRFY command: John Smith`,
      `postfix/smtpd: warning: Illegal address syntax from ${CLIENT} in VRFY command: <>`,
      `postfix/smtpd: warning: Illegal address syntax from ${CLIENT} in VRFY command: bob@example.test, carol@example.test`,
    ]);
    expect(report.postfix.log.at(-1)).toBe(`postfix/smtpd: disconnect from ${CLIENT} ehlo=1 vrfy=0/3 quit=1 commands=2/5`);
  });

  it('vrfy_cmd() with disable_vrfy_command = yes: 502 whatever the argument, counted as a failed vrfy', () => {
    const { replies, report } = play(['EHLO lab', 'VRFY bob', 'VRFY', 'QUIT'], ['postfix.disable_vrfy_command=yes']);
    expect(replies.slice(1)).toEqual(['502 5.5.1 VRFY command is disabled', '502 5.5.1 VRFY command is disabled', '221 2.0.0 Bye']);
    expect(report.postfix.log.at(-1)).toBe(`postfix/smtpd: disconnect from ${CLIENT} ehlo=1 vrfy=0/2 quit=1 commands=2/4`);
  });

  it('help_cmd(): the implemented verbs of smtpd_cmd_table, sorted; an unknown verb is 500', () => {
    const { replies } = play(['HELP', 'HELP MAIL', 'FOO bar', 'QUIT']);
    const help = '214 2.0.0 Commands: AUTH BDAT DATA EHLO ETRN HELO HELP MAIL NOOP QUIT RCPT RSET STARTTLS VRFY XCLIENT XFORWARD';
    expect(replies).toEqual([help, help, '500 5.5.2 Error: command not recognized', '221 2.0.0 Bye']);
  });

  it('smtpd_chat_query_limit(): a line past line_length_limit (2048) is cut there, logged, the rest skipped', () => {
    const { replies, report } = play(['EHLO lab', `NOOP ${'x'.repeat(3000)}`, 'QUIT']);
    expect(replies.slice(1)).toEqual(['250 2.0.0 Ok', '221 2.0.0 Bye']);
    expect(report.postfix.log).toContain(`postfix/smtpd: warning: ${CLIENT}: request longer than 2048: NOOP ${'x'.repeat(25)}...`);
  });

  it('smtpd_junk_command_limit (100): from the 101st NOOP after EHLO each counts an error; 1 s sleeps from 10 errors, 421 at 20', () => {
    const { replies, report } = play(['EHLO lab', ...Array.from({ length: 121 }, () => 'NOOP'), 'QUIT']);
    // EHLO is a LIMIT command too: junk_cmds is 1 before the first NOOP, so NOOP #101 is the first over the limit.
    expect(replies.slice(1, 121)).toEqual(Array.from({ length: 120 }, () => '250 2.0.0 Ok'));
    expect(replies[121]).toBe('421 4.7.0 mail.example.test Error: too many errors');
    expect(report.postfix.log).toContain(`postfix/smtpd: too many errors after NOOP from ${CLIENT}`);
    // The replies after the 10th error (to NOOPs #111..#120) and the 421 each wait smtpd_error_sleep_time = 1 s.
    expect(report.clientEndedAtUs).toBeGreaterThan(11_000_000);
    expect(report.clientEndedAtUs).toBeLessThan(12_000_000);
    expect(report.client).toMatchObject({ closedBy: 'server', quitAnswered: false });
  });
});

describe('Postfix settings at their limits through client.script (smtpd.c v3.9.9)', () => {
  it('smtpd_helo_required = yes (Mailu): MAIL, AUTH and ETRN before HELO/EHLO get 503 (ETRN without an enhanced code); = no: MAIL is served', () => {
    const { replies } = play(['MAIL FROM:<a@example.test>', 'AUTH PLAIN', 'ETRN example.test', 'QUIT'], ['postfix.smtpd_helo_required=yes']);
    expect(replies).toEqual(['503 5.5.1 Error: send HELO/EHLO first', '503 5.5.1 Error: send HELO/EHLO first', '503 Error: send HELO/EHLO first', '221 2.0.0 Bye']);
    expect(play(['MAIL FROM:<a@example.test>', 'QUIT'], ['postfix.smtpd_helo_required=no']).replies).toEqual(['250 2.1.0 Ok', '221 2.0.0 Bye']);
  });

  it('smtpd_hard_error_limit = 3: the third refused command is answered, then 421 4.7.0 too many errors before the next is read; logged after the last command', () => {
    const { replies, report } = play(['FOO', 'BAR', 'BAZ', 'NOOP', 'QUIT'], ['postfix.smtpd_hard_error_limit=3']);
    expect(replies).toEqual([...Array.from({ length: 3 }, () => '500 5.5.2 Error: command not recognized'), '421 4.7.0 mail.example.test Error: too many errors']);
    expect(report.postfix.log.slice(-2)).toEqual([`postfix/smtpd: too many errors after UNKNOWN from ${CLIENT}`, `postfix/smtpd: disconnect from ${CLIENT} unknown=0/3 commands=0/3`]);
  });

  it('smtpd_soft_error_limit = 1, smtpd_error_sleep_time = 2: from the first error on, each reply waits 2 s; with sleep time 0 none does', () => {
    const slow = play(['FOO', 'BAR', 'QUIT'], ['postfix.smtpd_soft_error_limit=1', 'postfix.smtpd_error_sleep_time=2']);
    expect(slow.replies).toEqual(['500 5.5.2 Error: command not recognized', '500 5.5.2 Error: command not recognized', '221 2.0.0 Bye']);
    // The first 500 goes out at once (no error yet); the second and the 221 each after 2 s.
    expect(slow.report.clientEndedAtUs).toBeGreaterThan(4_000_000);
    expect(slow.report.clientEndedAtUs).toBeLessThan(4_200_000);
    const quick = play(['FOO', 'BAR', 'QUIT'], ['postfix.smtpd_soft_error_limit=1', 'postfix.smtpd_error_sleep_time=0']);
    expect(quick.report.clientEndedAtUs).toBeLessThan(200_000);
  });

  it('a non-SMTP command (smtpd_forbid_commands CONNECT GET POST, and any verb not starting with a letter from 3.7): warned about, 221 and hang up', () => {
    const { replies, report } = play(['GET / HTTP/1.0', 'QUIT']);
    expect(replies).toEqual(['221 2.7.0 Error: I can break rules, too. Goodbye.']);
    expect(report.postfix.log).toContain(`postfix/smtpd: warning: non-SMTP command from ${CLIENT}: GET / HTTP/1.0`);
  });

  it('STARTTLS without TLS configured: 502; ETRN: 459 and a warning; XFORWARD from a host not allowed: 550', () => {
    const { replies, report } = play(['EHLO lab', 'STARTTLS', 'ETRN example.test', 'XFORWARD ADDR=192.0.2.1', 'QUIT']);
    expect(replies.slice(1)).toEqual(['502 5.5.1 Error: command not implemented', '459 <example.test>: service unavailable', '550 5.7.0 Error: insufficient authorization', '221 2.0.0 Bye']);
    expect(report.postfix.log).toContain(`postfix/smtpd: warning: reject: ETRN example.test... from ${CLIENT}`);
  });
});

describe('AUTH and the envelope through client.script (smtpd_sasl_proto.c, smtpd.c, smtpd_check.c v3.9.9)', () => {
  const PLAIN = 'AUTH PLAIN AGFsaWNlQGV4YW1wbGUudGVzdABzZWNyZXQ=';

  it('smtpd_sasl_auth_cmd(): no mechanism is 501; an unknown one and a cancelled exchange are warned about; a second AUTH after success is 503, one inside a transaction too', () => {
    const { replies, report } = play(['EHLO lab', 'AUTH', 'AUTH FOO', 'AUTH PLAIN', '*', PLAIN, PLAIN, 'MAIL FROM:<alice@example.test>', PLAIN, 'QUIT']);
    expect(replies.slice(1)).toEqual([
      '501 5.5.4 Syntax: AUTH mechanism',
      '535 5.7.8 Error: authentication failed: Invalid authentication mechanism',
      '334 ',
      '501 5.7.0 Authentication aborted',
      '235 2.7.0 Authentication successful',
      '503 5.5.1 Error: already authenticated',
      '250 2.1.0 Ok',
      '503 5.5.1 Error: MAIL transaction in progress',
      '221 2.0.0 Bye',
    ]);
    expect(report.postfix.log).toContain(`postfix/smtpd: warning: ${CLIENT}: SASL FOO authentication failed: Invalid authentication mechanism, sasl_username=(unavailable)`);
    expect(report.postfix.log).toContain(`postfix/smtpd: warning: ${CLIENT}: SASL PLAIN authentication aborted`);
  });

  it('rcpt_cmd(): an outside domain from a client neither authenticated nor in mynetworks is 554 Relay access denied, logged as a NOQUEUE reject; DATA in that transaction is 554 no valid recipients (503 need RCPT only outside one)', () => {
    const { replies, report } = play(['EHLO lab', 'MAIL FROM:<a@example.test>', 'RCPT TO:<x@elsewhere.test>', 'DATA', 'QUIT']);
    expect(replies.slice(2)).toEqual(['554 5.7.1 <x@elsewhere.test>: Relay access denied', '554 5.5.1 Error: no valid recipients', '221 2.0.0 Bye']);
    expect(report.postfix.log).toContain(`postfix/smtpd: NOQUEUE: reject: RCPT from ${CLIENT}: 554 5.7.1 <x@elsewhere.test>: Relay access denied; from=<a@example.test> to=<x@elsewhere.test> proto=ESMTP helo=<lab>`);
  });
});
