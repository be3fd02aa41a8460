/* commands - each command's replies, sequencing errors, statistics, and each config key's effect */
import { describe, expect, it } from 'vitest';
import { labPreset, mailuPreset, measuredTimings, postfixDefaults, type PostfixConfig } from '../../../models/postfix/config.js';
import { createPostfix } from '../../../models/postfix/smtpd.js';
import { EHLO_LAB, lockstep, talk } from './talk.js';

const EHLO = 'EHLO front.example.test\r\n';
const BANNER = '220 backend.example.test ESMTP lab-postfix';
const MAIL = 'MAIL FROM:<alice@example.test>\r\n';
const RCPT = 'RCPT TO:<bob@example.test>\r\n';
const PLAIN = 'AUTH PLAIN AGFsaWNlQGV4YW1wbGUudGVzdABzZWNyZXQ=\r\n';
const run = (lines: readonly string[], config: Partial<PostfixConfig> | PostfixConfig = {}) => talk(config, lockstep(lines));
const lastLog = (lines: readonly string[], config: Partial<PostfixConfig> | PostfixConfig = {}) => run(lines, config).logLines.at(-1);

describe('a whole transaction', () => {
  it('queues the message with dot-unstuffing, reports it, and logs like the real smtpd', () => {
    const body = 'Subject: hi\r\n\r\n..leading dot\r\nend\r\n.\r\n';
    const conv = run([EHLO, PLAIN, MAIL, RCPT, 'DATA\r\n', body, 'QUIT\r\n']);
    expect(conv.replies).toEqual([
      BANNER, ...EHLO_LAB, '235 2.7.0 Authentication successful', '250 2.1.0 Ok', '250 2.1.5 Ok',
      '354 End data with <CR><LF>.<CR><LF>', expect.stringMatching(/^250 2\.0\.0 Ok: queued as [0-9A-F]{11}$/), '221 2.0.0 Bye',
    ]);
    const [message] = conv.model.queue.messages;
    expect(message?.content).toBe('Subject: hi\r\n\r\n.leading dot\r\nend\r\n');
    expect(message).toMatchObject({ from: 'alice@example.test', to: ['bob@example.test'], saslUser: 'alice@example.test', clientAddr: '127.0.0.1' });
    expect(conv.facts.map((f) => f.fact)).toContainEqual({
      kind: 'queued', queueId: message?.queueId, from: 'alice@example.test', to: ['bob@example.test'],
      size: message?.content?.length, saslUser: 'alice@example.test', clientAddr: '127.0.0.1',
    });
    expect(conv.logLines).toEqual([
      'connect from localhost[127.0.0.1]',
      `${message?.queueId}: client=localhost[127.0.0.1], sasl_method=PLAIN, sasl_username=alice@example.test`,
      'disconnect from localhost[127.0.0.1] ehlo=1 auth=1 mail=1 rcpt=1 data=1 quit=1 commands=6',
    ]);
  });

  it('one queue per instance: queue IDs differ across sessions and are deterministic', () => {
    const model = createPostfix(labPreset());
    const lines = [EHLO, MAIL, RCPT, 'DATA\r\n', 'x\r\n.\r\n', 'QUIT\r\n'];
    talk(labPreset(), lockstep(lines), '127.0.0.1', model);
    const second = createPostfix(labPreset());
    talk(labPreset(), lockstep(lines), '127.0.0.1', second);
    expect(model.queue.messages).toHaveLength(1);
    expect(model.queue.allocateId(0)).not.toBe(model.queue.messages[0]?.queueId);
    expect(second.queue.messages[0]?.queueId).toBe(model.queue.messages[0]?.queueId);
  });

  it('BDAT: chunks counted exactly, LAST queues', () => {
    const conv = run([EHLO, MAIL, RCPT, 'BDAT 7\r\nhello\r\n', 'BDAT 0 LAST\r\n', 'QUIT\r\n']);
    // common_post_message_handling(): BDAT's final 250 names act_size, "Ok: %ld bytes queued as %s".
    expect(conv.replies.slice(-3)).toEqual(['250 2.0.0 Ok: 7 bytes', expect.stringMatching(/^250 2\.0\.0 Ok: 7 bytes queued as [0-9A-F]{11}$/), '221 2.0.0 Bye']);
    expect(conv.model.queue.messages[0]?.content).toBe('hello\r\n');
  });

  it('BDAT errors: malformed (521, hang up), need RCPT, DATA/RCPT after BDAT', () => {
    const bad = run([EHLO, 'BDAT x\r\n', 'NOOP\r\n']);
    expect(bad.replies.at(-1)).toBe('521 5.5.4 Syntax: BDAT count [LAST]');
    expect(bad.logLines).toContain('warning: NOQUEUE: malformed BDAT command syntax from localhost[127.0.0.1]: BDAT x');
    expect(run([EHLO, 'BDAT 2\r\nab', 'QUIT\r\n']).replies).toContain('503 5.5.1 Error: need RCPT command');
    const mixed = run([EHLO, MAIL, RCPT, 'BDAT 2\r\nab', 'DATA\r\n', RCPT]);
    expect(mixed.replies).toContain('503 5.5.1 Error: DATA after BDAT');
    expect(mixed.replies).toContain('503 5.5.1 Error: RCPT after BDAT');
  });
});

describe('sequencing and syntax errors (Postfix reply texts)', () => {
  const cases: readonly [string, readonly string[], string][] = [
    ['MAIL before HELO', [MAIL], '503 5.5.1 Error: send HELO/EHLO first'],
    ['RCPT before MAIL', [EHLO, RCPT], '503 5.5.1 Error: need MAIL command'],
    ['DATA before MAIL', [EHLO, 'DATA\r\n'], '503 5.5.1 Error: need RCPT command'],
    ['DATA before RCPT', [EHLO, MAIL, 'DATA\r\n'], '554 5.5.1 Error: no valid recipients'],
    ['nested MAIL', [EHLO, MAIL, MAIL], '503 5.5.1 Error: nested MAIL command'],
    ['MAIL syntax', [EHLO, 'MAIL alice\r\n'], '501 5.5.4 Syntax: MAIL FROM:<address>'],
    ['RCPT syntax', [EHLO, MAIL, 'RCPT bob\r\n'], '501 5.5.4 Syntax: RCPT TO:<address>'],
    ['bad sender', [EHLO, 'MAIL FROM:a<b\r\n'], '501 5.1.7 Bad sender address syntax'],
    // smtpd reads the command as a C string: it ends at the NUL (smtpd_token(vstring_str(...))).
    ['NUL inside the sender', [EHLO, 'MAIL FROM:<alice\0evil@example.test>\r\n'], '501 5.1.7 Bad sender address syntax'],
    ['NUL after the sender', [EHLO, MAIL.replace('\r\n', '\0 FOO=1\r\n'), RCPT], '250 2.1.5 Ok'],
    ['unsupported option', [EHLO, 'MAIL FROM:<a@b> FOO=1\r\n'], '555 5.5.4 Unsupported option: FOO=1'],
    ['DATA syntax', [EHLO, MAIL, RCPT, 'DATA now\r\n'], '501 5.5.4 Syntax: DATA'],
    ['HELO syntax', ['HELO\r\n'], '501 Syntax: HELO hostname'],
    ['EHLO syntax', ['EHLO\r\n'], '501 Syntax: EHLO hostname'],
    ['unknown command', ['FOO\r\n'], '500 5.5.2 Error: command not recognized'],
    ['empty line', ['\r\n'], '500 5.5.2 Error: bad syntax'],
    ['bad UTF-8', ['NOOP \xff\r\n'], '500 5.5.2 Error: bad UTF-8 syntax'],
    // smtputf8 checks the whole line (valid_utf8_string): 0x80 alone is no UTF-8, C3 A9 ("é") is.
    ['bad UTF-8 at 0x80', ['NOOP \x80\r\n'], '500 5.5.2 Error: bad UTF-8 syntax'],
    ['good UTF-8', ['VRFY \xc3\xa9\r\n'], '252 2.0.0 \xc3\xa9'],
    // Words are separated by runs of spaces and tabs, never empty.
    ['tab between words', ['EHLO\tclient.example.test\r\n'], '250 CHUNKING'],
    ['two spaces between words', ['HELO  client.example.test\r\n'], '250 backend.example.test'],
    ['RSET syntax', ['RSET x\r\n'], '501 5.5.4 Syntax: RSET'],
    ['NOOP', ['NOOP\r\n'], '250 2.0.0 Ok'],
    ['RSET', [EHLO, MAIL, 'RSET\r\n'], '250 2.0.0 Ok'],
    ['VRFY', ['VRFY bob\r\n'], '252 2.0.0 bob'],
    ['VRFY syntax', ['VRFY\r\n'], '501 5.5.4 Syntax: VRFY address [SMTPUTF8]'],
    ['ETRN', [EHLO, 'ETRN example.test\r\n'], '459 <example.test>: service unavailable'],
    ['ETRN before HELO', ['ETRN example.test\r\n'], '503 Error: send HELO/EHLO first'],
    ['ETRN syntax', [EHLO, 'ETRN\r\n'], '500 Syntax: ETRN domain'],
    ['XFORWARD', [EHLO, 'XFORWARD NAME=x\r\n'], '550 5.7.0 Error: insufficient authorization'],
    ['AUTH twice', [EHLO, PLAIN, PLAIN], '503 5.5.1 Error: already authenticated'],
    ['AUTH in transaction', [EHLO, MAIL, PLAIN], '503 5.5.1 Error: MAIL transaction in progress'],
    ['AUTH syntax', [EHLO, 'AUTH\r\n'], '501 5.5.4 Syntax: AUTH mechanism'],
    ['AUTH bad password', [EHLO, 'AUTH PLAIN AGFsaWNlQGV4YW1wbGUudGVzdAB3cm9uZw==\r\n'], '535 5.7.8 Error: authentication failed: (reason unavailable)'],
    ['AUTH abort', [EHLO, 'AUTH PLAIN\r\n', '*\r\n'], '501 5.7.0 Authentication aborted'],
    ['STARTTLS without TLS', ['STARTTLS\r\n'], '502 5.5.1 Error: command not implemented'],
  ];
  for (const [what, lines, reply] of cases) {
    it(`${what}: ${reply}`, () => {
      expect(run(lines).replies).toContain(reply);
    });
  }

  it('a failed AUTH is logged as smtpd_sasl_glue.c does', () => {
    const conv = run([EHLO, 'AUTH PLAIN AGFsaWNlQGV4YW1wbGUudGVzdAB3cm9uZw==\r\n']);
    expect(conv.logLines).toContain('warning: localhost[127.0.0.1]: SASL PLAIN authentication failed: (reason unavailable), sasl_username=alice@example.test');
  });

  it('AUTH LOGIN asks for user and password in base64 prompts', () => {
    const conv = run([EHLO, 'AUTH LOGIN\r\n', 'YWxpY2VAZXhhbXBsZS50ZXN0\r\n', 'c2VjcmV0\r\n', 'QUIT\r\n']);
    expect(conv.replies.slice(-4, -1)).toEqual(['334 VXNlcm5hbWU6', '334 UGFzc3dvcmQ6', '235 2.7.0 Authentication successful']);
  });

  it('a header instead of a command: 221 and hang up', () => {
    const conv = run(['From: someone\r\n', 'NOOP\r\n']);
    expect(conv.replies.at(-1)).toBe('221 2.7.0 Error: I can break rules, too. Goodbye.');
    expect(conv.logLines).toContain('warning: non-SMTP command from localhost[127.0.0.1]: From: someone');
  });

  it('HELP exists from 3.9 (postfix-3.9-20240124); 3.7 does not know it', () => {
    expect(run(['HELP\r\n']).replies).toContain('500 5.5.2 Error: command not recognized');
    expect(run(['HELP\r\n'], { mail_version: '3.9' }).replies).toContain('214 2.0.0 Commands: AUTH BDAT DATA EHLO ETRN HELO HELP MAIL NOOP QUIT RCPT RSET STARTTLS VRFY XCLIENT XFORWARD');
  });

  it('statistics: unknown commands, failures as success/total, commands=0/0 for none', () => {
    expect(lastLog(['FOO\r\n', 'NOOP\r\n', 'QUIT\r\n'])).toBe('disconnect from localhost[127.0.0.1] noop=1 quit=1 unknown=0/1 commands=2/3');
    expect(lastLog([MAIL, 'QUIT\r\n'])).toBe('disconnect from localhost[127.0.0.1] mail=0/1 quit=1 commands=1/2');
  });
});

describe('session ends', () => {
  it('lost connection after the last command', () => {
    const conv = talk(labPreset(), [[200_000, EHLO], [250_000, 'EOF']]);
    expect(conv.logLines.slice(-2)).toEqual(['lost connection after EHLO from localhost[127.0.0.1]', 'disconnect from localhost[127.0.0.1] ehlo=1 commands=1']);
    expect(conv.closed.has('c')).toBe(true);
  });

  it('lost connection inside DATA counts the bytes of whole lines (+2 each); the partial line is in smtpd\'s line buffer, not counted', () => {
    const conv = talk(labPreset(), [...lockstep([EHLO, MAIL, RCPT, 'DATA\r\n', 'abc\r\nde']), [500_000, 'EOF']]);
    expect(conv.logLines).toContain('lost connection after DATA (5 bytes) from localhost[127.0.0.1]');
  });

  it('a reset peer: logged like EOF, nothing written or closed after it', () => {
    const conv = talk(labPreset(), [[200_000, EHLO], [250_000, 'RSET\r\nNO'], [260_000, 'RESET']]);
    expect(conv.logLines).toContain('lost connection after RSET from localhost[127.0.0.1]');
    expect(conv.closed.has('c')).toBe(false);
  });
});

describe('each config key has its effect', () => {
  it('myhostname / smtpd_banner: the greeting and the EHLO/HELO reply', () => {
    const conv = run(['HELO x\r\n'], { myhostname: 'mx.test', smtpd_banner: 'mx.test ESMTP hi' });
    expect(conv.replies.slice(0, 2)).toEqual(['220 mx.test ESMTP hi', '250 mx.test']);
  });

  it('smtpd_discard_ehlo_keywords: leaves keywords out and logs it, unless silent-discard', () => {
    const loud = run([EHLO], { smtpd_discard_ehlo_keywords: ['pipelining', 'chunking'] });
    expect(loud.replies.filter((r) => /PIPELINING|CHUNKING/.test(r))).toEqual([]);
    expect(loud.replies).toContain('250 SMTPUTF8');
    expect(loud.logLines).toContain('discarding EHLO keywords: PIPELINING CHUNKING');
    const silent = run([EHLO], { smtpd_discard_ehlo_keywords: ['pipelining', 'silent-discard'] });
    expect(silent.replies).not.toContain('250-PIPELINING');
    expect(silent.logLines.some((l) => l.startsWith('discarding'))).toBe(false);
  });

  it('smtpd_sasl_auth_enable: no AUTH keyword and AUTH is refused when off', () => {
    const conv = run([EHLO, PLAIN], { smtpd_sasl_auth_enable: false });
    expect(conv.replies.some((r) => r.includes('AUTH'))).toBe(false);
    expect(conv.replies.at(-2)).toBe('503 5.5.1 Error: authentication not enabled');
  });

  it('smtpd_authorized_xclient_hosts: XCLIENT offered only to listed clients', () => {
    expect(run([EHLO], { smtpd_authorized_xclient_hosts: [] }).replies.some((r) => r.includes('XCLIENT'))).toBe(false);
    expect(run([EHLO], { smtpd_authorized_xclient_hosts: ['127.0.0.1'] }).replies.some((r) => r.includes('XCLIENT'))).toBe(true);
  });

  it('smtpd_forbid_bare_newline = reject: 550 and hang up, unless the client is excluded', () => {
    const reject = run(['NOOP\n', 'NOOP\r\n'], { smtpd_forbid_bare_newline: 'reject', smtpd_forbid_bare_newline_exclusions: [] });
    expect(reject.replies.at(-1)).toBe('550 5.5.2 backend.example.test Error: bare <LF> received');
    expect(reject.closed.has('c')).toBe(true);
    const excluded = run(['NOOP\n'], { smtpd_forbid_bare_newline: 'reject' });
    expect(excluded.replies).toContain('250 2.0.0 Ok');
    const code = run(['NOOP\n'], { smtpd_forbid_bare_newline: 'reject', smtpd_forbid_bare_newline_exclusions: [], smtpd_forbid_bare_newline_reject_code: 521 });
    expect(code.replies.at(-1)).toBe('521 5.5.2 backend.example.test Error: bare <LF> received');
  });

  it('smtpd_forbid_bare_newline = normalize: a bare-LF "." does not end DATA, and is not stored either', () => {
    const config = { smtpd_forbid_bare_newline: 'normalize' as const, smtpd_forbid_bare_newline_exclusions: [] };
    const conv = run([EHLO, MAIL, RCPT, 'DATA\r\n', 'a\n.\nb\r\n.\r\n'], config);
    // receive_data_message(): "Do not store or send to proxy filter."
    expect(conv.model.queue.messages[0]?.content).toBe('a\r\nb\r\n');
  });

  it('line_length_limit: longer commands are cut there, logged, and the rest skipped', () => {
    const conv = run([`NOOP ${'a'.repeat(40)}\r\n`, 'NOOP\r\n', 'QUIT\r\n'], { line_length_limit: 20 });
    expect(conv.logLines).toContain('warning: localhost[127.0.0.1]: request longer than 20: NOOP aaaaaaaaaaaaaaa...');
    // The cut line is still a NOOP, and noop_cmd() ignores its argument.
    expect(conv.replies.slice(-3)).toEqual(['250 2.0.0 Ok', '250 2.0.0 Ok', '221 2.0.0 Bye']);
  });

  it('smtpd_timeout: 421 and "timeout after" when the client says nothing', () => {
    const conv = talk({ smtpd_timeout: 10 }, [[200_000, EHLO]]);
    expect(conv.replies.at(-1)).toBe('421 4.4.2 backend.example.test Error: timeout exceeded');
    expect(conv.logLines).toContain('timeout after EHLO from localhost[127.0.0.1]');
    expect(conv.writes.at(-1)?.t).toBe(200_000 + measuredTimings.ehloFirstDelayUs + 10_000_000);
  });

  it('smtpd_hard_error_limit: 421 too many errors', () => {
    const conv = run(['FOO\r\n', 'BAR\r\n', 'NOOP\r\n'], { smtpd_hard_error_limit: 2 });
    expect(conv.replies.slice(-2)).toEqual(['500 5.5.2 Error: command not recognized', '421 4.7.0 backend.example.test Error: too many errors']);
    expect(conv.logLines).toContain('too many errors after UNKNOWN from localhost[127.0.0.1]');
  });

  it('smtpd_junk_command_limit: NOOPs beyond the limit count as errors', () => {
    const noops = Array.from({ length: 6 }, () => 'NOOP\r\n');
    expect(run(noops, { smtpd_junk_command_limit: 1, smtpd_hard_error_limit: 3 }).replies.at(-1)).toBe('421 4.7.0 backend.example.test Error: too many errors');
    expect(run(noops, { smtpd_hard_error_limit: 3 }).replies).not.toContain('421 4.7.0 backend.example.test Error: too many errors');
  });

  it('message_size_limit: EHLO SIZE, MAIL SIZE=, and content', () => {
    const small = { message_size_limit: 10 };
    expect(run([EHLO], small).replies).toContain('250-SIZE 10');
    expect(run([EHLO], { message_size_limit: 0 }).replies).toContain('250-SIZE');
    expect(run([EHLO, 'MAIL FROM:<a@b> SIZE=11\r\n'], small).replies).toContain('552 5.3.4 Message size exceeds fixed limit');
    const big = run([EHLO, MAIL, RCPT, 'DATA\r\n', 'twelve bytes\r\n.\r\n'], small);
    expect(big.replies).toContain('552 5.3.4 Error: message file too big');
    expect(big.model.queue.messages).toHaveLength(0);
  });

  it('smtpd_relay_restrictions: unauthenticated clients outside mynetworks may not relay; the queue opens at the first good RCPT', () => {
    const outside = talk({}, lockstep([EHLO, MAIL, 'RCPT TO:<carol@elsewhere.test>\r\n', RCPT, 'QUIT\r\n']), '192.0.2.9');
    expect(outside.replies).toContain('554 5.7.1 <carol@elsewhere.test>: Relay access denied');
    expect(outside.logLines.slice(1, 3)).toEqual([
      'NOQUEUE: reject: RCPT from unknown[192.0.2.9]: 554 5.7.1 <carol@elsewhere.test>: Relay access denied; from=<alice@example.test> to=<carol@elsewhere.test> proto=ESMTP helo=<front.example.test>',
      expect.stringMatching(/^[0-9A-F]{11}: client=unknown\[192\.0\.2\.9\]$/),
    ]);
    expect(outside.logLines.at(-1)).toBe('disconnect from unknown[192.0.2.9] ehlo=1 mail=1 rcpt=1/2 quit=1 commands=4/5');
    const defer = talk({ smtpd_relay_restrictions: ['defer_unauth_destination'] }, lockstep([EHLO, MAIL, 'RCPT TO:<carol@elsewhere.test>\r\n']));
    expect(defer.replies).toContain('454 4.7.1 <carol@elsewhere.test>: Relay access denied');
    const authenticated = talk({}, lockstep([EHLO, PLAIN, MAIL, 'RCPT TO:<carol@elsewhere.test>\r\n']), '192.0.2.9');
    expect(authenticated.replies).toContain('250 2.1.5 Ok');
  });

  it('mynetworks, relay_domains, mydestination: what counts as allowed relaying', () => {
    const relay = [EHLO, MAIL, 'RCPT TO:<carol@elsewhere.test>\r\n'];
    expect(talk({ mynetworks: ['192.0.2.0/24'] }, lockstep(relay), '192.0.2.9').replies).toContain('250 2.1.5 Ok');
    expect(talk({ relay_domains: ['elsewhere.test'] }, lockstep(relay), '192.0.2.9').replies).toContain('250 2.1.5 Ok');
    expect(talk({ mydestination: ['ELSEWHERE.test'] }, lockstep(relay), '192.0.2.9').replies).toContain('250 2.1.5 Ok');
  });

  it('saslMechanisms (Dovecot\'s list): announced in EHLO; others fail', () => {
    const conv = run([EHLO, PLAIN], { saslMechanisms: ['LOGIN'] });
    expect(conv.replies).toContain('250-AUTH LOGIN');
    expect(conv.replies).toContain('535 5.7.8 Error: authentication failed: Invalid authentication mechanism');
  });

  it('smtpd_soft_error_limit / smtpd_error_sleep_time: replies wait once the error count is reached', () => {
    const conv = talk({ smtpd_soft_error_limit: 1, smtpd_error_sleep_time: 2 }, lockstep(['FOO\r\n', 'NOOP\r\n'], 200_000, 5_000_000));
    const noop = conv.writes.find((w) => w.data === '250 2.0.0 Ok\r\n');
    expect(noop?.t).toBe(5_200_000 + 2_000_000);
    const first = conv.writes.find((w) => w.data.startsWith('500'));
    expect(first?.t).toBe(200_000 + measuredTimings.quickDelayUs);
  });

  it('the error sleep is per reply line of EHLO: ehlo_cmd() calls smtpd_chat_reply() once a line (found by the smtpd differential)', () => {
    const conv = talk({ smtpd_soft_error_limit: 1, smtpd_error_sleep_time: 1 }, lockstep(['FOO\r\n', EHLO], 200_000, 1_000_000));
    const ehlo = conv.writes.filter((w) => w.data.startsWith('250'));
    // One write a second (each smtpd_chat_reply() sleeps, then flushes): the real 3.7.11 sent 4 lines in 4 s.
    expect(ehlo.length).toBeGreaterThan(10);
    expect(ehlo.every((w) => /^250[- ][^\r]*\r\n$/.test(w.data))).toBe(true);
    expect(ehlo.map((w, i) => w.t - (ehlo[i - 1]?.t ?? 1_200_000))).toEqual(ehlo.map(() => 1_000_000));
  });

  it('smtpd_helo_required: MAIL without HELO is fine when off', () => {
    expect(run([MAIL], { smtpd_helo_required: false }).replies).toContain('250 2.1.0 Ok');
  });

  it('disable_vrfy_command: no VRFY keyword, 502 to VRFY', () => {
    const conv = run([EHLO, 'VRFY bob\r\n'], { disable_vrfy_command: true });
    expect(conv.replies).not.toContain('250-VRFY');
    expect(conv.replies).toContain('502 5.5.1 VRFY command is disabled');
  });

  it('smtpd_tls_security_level = may: STARTTLS offered, 220, then a fresh TLS session', () => {
    const conv = run([EHLO, 'STARTTLS\r\n', EHLO, 'STARTTLS\r\n'], { smtpd_tls_security_level: 'may' });
    expect(conv.replies.filter((r) => r === '250-STARTTLS')).toHaveLength(1);
    expect(conv.replies).toContain('220 2.0.0 Ready to start TLS');
    expect(conv.replies.at(-2)).toBe('554 5.5.1 Error: TLS already active');
  });

  it('smtpd_tls_security_level = encrypt: only PRE_TLS commands (EHLO, NOOP, QUIT, XCLIENT...) before STARTTLS', () => {
    const conv = run([EHLO, MAIL, 'NOOP\r\n', 'STARTTLS\r\n', EHLO, MAIL], { smtpd_tls_security_level: 'encrypt' });
    expect(conv.replies.filter((r) => r === '530 5.7.0 Must issue a STARTTLS command first')).toHaveLength(1);
    expect(conv.replies.at(-2)).toBe('250 2.1.0 Ok');
  });

  it('STARTTLS discards plaintext pipelined after it (vstream_fpurge)', () => {
    const conv = talk({ smtpd_tls_security_level: 'may' }, [[200_000, EHLO], [250_000, `STARTTLS\r\n${MAIL}`], [300_000, 'QUIT\r\n']]);
    expect(conv.replies.slice(-2)).toEqual(['220 2.0.0 Ready to start TLS', '221 2.0.0 Bye']);
  });

  it('smtpd_tls_auth_only: AUTH only after STARTTLS', () => {
    const config = { smtpd_tls_security_level: 'may' as const, smtpd_tls_auth_only: true };
    expect(run([EHLO, PLAIN], config).replies).toContain('503 5.5.1 Error: authentication not enabled');
    expect(run([EHLO, 'STARTTLS\r\n', EHLO, PLAIN], config).replies).toContain('235 2.7.0 Authentication successful');
  });

  it('smtpd_milters: the banner waits for the milter connect event', () => {
    const conv = talk({ smtpd_milters: ['inet:127.0.0.1:8891'] }, [[200_000, 'QUIT\r\n']]);
    expect(conv.writes[0]?.t).toBe(measuredTimings.bannerDelayUs + measuredTimings.milterSetupDelayUs);
  });

  it('smtpd_forbid_bare_newline_exclusions defaults to $mynetworks (DEF_SMTPD_FORBID_BARE_LF_EXCL), whatever mynetworks is: in Mailu\'s layout the front is excluded, the client is not', () => {
    expect(postfixDefaults('3.9').smtpd_forbid_bare_newline_exclusions).toBeNull();
    const mailu = { ...mailuPreset(), smtpd_forbid_bare_newline: 'reject' as const };
    expect(talk(mailu, lockstep(['NOOP\n', 'QUIT\r\n']), '192.168.203.2').replies.slice(1)).toEqual(['250 2.0.0 Ok', '221 2.0.0 Bye']);
    expect(talk(mailu, lockstep(['NOOP\n', 'QUIT\r\n']), '203.0.113.25').replies.at(-1)).toBe('550 5.5.2 mail.example.test Error: bare <LF> received');
    expect(talk({ ...mailu, smtpd_forbid_bare_newline_exclusions: [] }, lockstep(['NOOP\n']), '192.168.203.2').replies.at(-1)).toMatch(/^550 5\.5\.2 /);
  });

  it('timing knobs: mailDelayUs delays the MAIL reply', () => {
    const timings = { ...measuredTimings, mailDelayUs: 20_000 };
    const conv = talk({ timings }, [[200_000, EHLO], [250_000, MAIL]]);
    expect(conv.writes.at(-2)?.t).toBe(270_000);
  });

  it('reverseDns: unknown clients are logged as unknown[addr]', () => {
    expect(talk({}, [[200_000, 'QUIT\r\n']], '192.0.2.9').logLines[0]).toBe('connect from unknown[192.0.2.9]');
  });
});
