/* envelope-options - MAIL's and RCPT's address word and options, as smtpd.c (v3.7.11) reads them
 *
 * mail_cmd() and rcpt_cmd() take smtpd_token()'s words: argv[1] must be "from:" / "to:" in any
 * case, argv[2] the address (an SMTPD_TOK_ERROR word or extract_addr()'s trouble is the
 * bad-address reply, the second with "warning: Illegal address syntax"), then the options in
 * order. MAIL knows BODY=8BITMIME|7BIT, SIZE= (alldig(), off_cvt_string()), SMTPUTF8, AUTH=
 * (smtpd_sasl_mail_opt() in smtpd_sasl_proto.c), RET= (dsn_ret_code()), ENVID= (xtext_unquote(),
 * allprint()); RCPT knows NOTIFY= (dsn_notify_mask()) and ORCPT= (xtext/uxtext); anything else,
 * XVERP included (smtpd_authorized_verp_clients is empty by default), is 555.
 * state->msg_size and state->sasl_sender are cleared only by mail_reset(), not by a refused MAIL.
 */
import { describe, expect, it } from 'vitest';
import type { PostfixConfig } from '../../../models/postfix/config.js';
import { lockstep, talk } from './talk.js';

const EHLO = 'EHLO front.example.test\r\n';
const MAIL = 'MAIL FROM:<alice@example.test>\r\n';
const OUTSIDE = '192.0.2.9';

/** Every reply after the greeting and the EHLO, the QUIT's left out. */
function replies(lines: readonly string[], config: Partial<PostfixConfig> = {}, from?: string): string[] {
  const conv = talk(config, lockstep([EHLO, ...lines, 'QUIT\r\n']), from);
  return conv.replies.filter((r) => !r.startsWith('250-') && !r.startsWith('220 ')).slice(1, -1);
}
const reply = (line: string, config: Partial<PostfixConfig> = {}) => replies([line], config)[0];
const rcptReply = (line: string, config: Partial<PostfixConfig> = {}) => replies([MAIL, line], config)[1];
/** The log lines of a session that sends `lines` after the EHLO, then QUIT. */
const logOf = (lines: readonly string[]) => talk({}, lockstep([EHLO, ...lines, 'QUIT\r\n'])).logLines;

describe('the address word (smtpd_token(), extract_addr())', () => {
  it('the keyword is a word of its own: FROM: and TO: in any case, with or without a space after', () => {
    expect(reply('MAIL from:<a@b.test>\r\n')).toBe('250 2.1.0 Ok');
    expect(reply('MAIL FROM: <a@b.test>\r\n')).toBe('250 2.1.0 Ok');
    expect(reply('MAIL FROM :<a@b.test>\r\n')).toBe('501 5.5.4 Syntax: MAIL FROM:<address>');
    expect(reply('MAIL\r\n')).toBe('501 5.5.4 Syntax: MAIL FROM:<address>');
    expect(reply('MAIL SENDER:<a@b.test>\r\n')).toBe('501 5.5.4 Syntax: MAIL FROM:<address>');
    expect(rcptReply('RCPT to: <bob@example.test>\r\n')).toBe('250 2.1.5 Ok');
    expect(rcptReply('RCPT TOO:<bob@example.test>\r\n')).toBe('501 5.5.4 Syntax: RCPT TO:<address>');
  });
  it('white space inside <> stays in the address word', () => {
    expect(reply('MAIL FROM:<a@b.test >\r\n')).toBe('250 2.1.0 Ok');
    expect(reply('MAIL FROM:< a@b.test > SIZE=10\r\n', { message_size_limit: 9 })).toBe('552 5.3.4 Message size exceeds fixed limit');
  });
  it('an address the command ends inside (<... or "...) is the bad-address reply, with no warning', () => {
    const lines = ['MAIL FROM:<a@b.test\r\n', MAIL, 'RCPT TO:"bob@example.test\r\n'];
    expect(replies(lines)).toEqual(['501 5.1.7 Bad sender address syntax', '250 2.1.0 Ok', '501 5.1.3 Bad recipient address syntax']);
    expect(logOf(lines).filter((l) => l.includes('Illegal'))).toEqual([]);
  });
  it('two addresses in the word are refused with extract_addr()\'s warning, in the command\'s name', () => {
    const lines = ['MAIL FROM:<a@b.test,c@d.test>\r\n', MAIL, 'RCPT TO:<bob@example.test,x@y.test>\r\n'];
    expect(replies(lines)).toEqual(['501 5.1.7 Bad sender address syntax', '250 2.1.0 Ok', '501 5.1.3 Bad recipient address syntax']);
    expect(logOf(lines).filter((l) => l.includes('Illegal'))).toEqual([
      'warning: Illegal address syntax from localhost[127.0.0.1] in MAIL command: <a@b.test,c@d.test>',
      'warning: Illegal address syntax from localhost[127.0.0.1] in RCPT command: <bob@example.test,x@y.test>',
    ]);
  });
  it('no address is the null sender for MAIL, and for RCPT the bad-address reply with the warning', () => {
    const lines = ['MAIL FROM:<(nobody)>\r\n', 'RCPT TO:<>\r\n'];
    expect(replies(lines)).toEqual(['250 2.1.0 Ok', '501 5.1.3 Bad recipient address syntax']);
    expect(logOf(lines)).toContain('warning: Illegal address syntax from localhost[127.0.0.1] in RCPT command: <>');
    const relayed = talk({}, lockstep([EHLO, 'MAIL FROM:<(nobody)>\r\n', 'RCPT TO:<carol@elsewhere.test>\r\n', 'QUIT\r\n']), OUTSIDE);
    expect(relayed.logLines.find((l) => l.includes('reject: RCPT'))).toMatch(/; from=<> to=<carol@elsewhere\.test> /);
  });
  it('a phrase before <addr-spec> is no part of the address (tok822_internalize() of the ADDR node)', () => {
    const conv = talk({}, lockstep([EHLO, 'MAIL FROM:alice<alice@example.test>\r\n', 'RCPT TO:carol<carol@elsewhere.test>\r\n', 'QUIT\r\n']), OUTSIDE);
    expect(conv.replies.at(-2)).toBe('554 5.7.1 <carol@elsewhere.test>: Relay access denied');
    expect(conv.logLines.find((l) => l.includes('reject: RCPT'))).toMatch(/; from=<alice@example\.test> to=<carol@elsewhere\.test> /);
  });
  // extract_addr() keeps tok822_internalize() of the address: blanks and comments gone, quotes taken off.
  it('the address is judged and logged in its internal form', () => {
    const conv = talk({}, lockstep([EHLO, 'MAIL FROM:<"alice smith"@example.test>\r\n', 'RCPT TO:<carol @ elsewhere.test (Carol)>\r\n', 'QUIT\r\n']), OUTSIDE);
    expect(conv.replies.at(-2)).toBe('554 5.7.1 <carol@elsewhere.test>: Relay access denied');
    expect(conv.logLines.find((l) => l.includes('reject: RCPT'))).toMatch(/; from=<alice smith@example\.test> to=<carol@elsewhere\.test> /);
    expect(replies([MAIL, 'RCPT TO:<bob@example.test (Bob)>\r\n'], {}, OUTSIDE)[1]).toBe('250 2.1.5 Ok');
  });
  it('a source route is dropped: the relay check sees the final address', () => {
    expect(replies([MAIL, 'RCPT TO:<@relay.test:bob@example.test>\r\n'], {}, OUTSIDE)[1]).toBe('250 2.1.5 Ok');
    expect(replies([MAIL, 'RCPT TO:<@example.test:bob@elsewhere.test>\r\n'], {}, OUTSIDE)[1]).toBe('554 5.7.1 <bob@elsewhere.test>: Relay access denied');
  });
});

describe('MAIL options (mail_cmd())', () => {
  it('BODY= only 8BITMIME or 7BIT; SIZE and AUTH only with "="; anything else is 555 with the word as sent', () => {
    expect(reply('MAIL FROM:<a@b.test> body=7bit BODY=8BITMIME\r\n')).toBe('250 2.1.0 Ok');
    expect(reply('MAIL FROM:<a@b.test> BODY=BINARYMIME\r\n')).toBe('555 5.5.4 Unsupported option: BODY=BINARYMIME');
    expect(reply('MAIL FROM:<a@b.test> BODY=7BIT SMTPUTF8 XYZZY\r\n')).toBe('555 5.5.4 Unsupported option: XYZZY');
    expect(reply('MAIL FROM:<a@b.test> SIZE\r\n')).toBe('555 5.5.4 Unsupported option: SIZE');
    expect(reply('MAIL FROM:<a@b.test> SIZE=k1\r\n')).toBe('501 5.5.4 Bad message size syntax');
    expect(reply('MAIL FROM:<a@b.test> AUTH\r\n')).toBe('555 5.5.4 Unsupported option: AUTH');
    expect(reply('MAIL FROM:<a@b.test> XVERP\r\n')).toBe('555 5.5.4 Unsupported option: XVERP');
  });
  it('SIZE= beyond what off_t holds is the file-system reply, even with no message_size_limit', () => {
    expect(reply('MAIL FROM:<a@b.test> SIZE=9223372036854775807\r\n', { message_size_limit: 0 })).toBe('250 2.1.0 Ok');
    expect(reply('MAIL FROM:<a@b.test> SIZE=9223372036854775808\r\n', { message_size_limit: 0 })).toBe('552 5.3.4 Message size exceeds file system imposed limit');
  });
  it('message_size_limit is checked after every option, so an unknown one after a large SIZE= is 555', () => {
    expect(reply('MAIL FROM:<a@b.test> SIZE=11 XYZZY\r\n', { message_size_limit: 10 })).toBe('555 5.5.4 Unsupported option: XYZZY');
    expect(reply('MAIL FROM:<a@b.test> SIZE=11 SIZE=10\r\n', { message_size_limit: 10 })).toBe('250 2.1.0 Ok');
  });
  it('a refused MAIL keeps its SIZE= for the next MAIL, until mail_reset() (RSET)', () => {
    const big = 'MAIL FROM:<a@b.test> SIZE=11\r\n';
    expect(replies([big, MAIL, 'RSET\r\n', MAIL], { message_size_limit: 10 })).toEqual([
      '552 5.3.4 Message size exceeds fixed limit', '552 5.3.4 Message size exceeds fixed limit', '250 2.0.0 Ok', '250 2.1.0 Ok',
    ]);
  });
  it('SMTPUTF8 is an option only while it is offered', () => {
    expect(reply('MAIL FROM:<a@b.test> smtputf8\r\n')).toBe('250 2.1.0 Ok');
    expect(reply('MAIL FROM:<a@b.test> SMTPUTF8\r\n', { smtpd_discard_ehlo_keywords: ['smtputf8'] })).toBe('555 5.5.4 Unsupported option: SMTPUTF8');
  });
  it('AUTH=: a second one is 503, AUTH=<> is not kept; the value goes on the client= line as sasl_sender', () => {
    expect(reply('MAIL FROM:<a@b.test> AUTH=x@b.test AUTH=y@b.test\r\n')).toBe('503 5.5.4 Error: multiple AUTH= options');
    expect(reply('MAIL FROM:<a@b.test> AUTH=<> AUTH=<>\r\n')).toBe('250 2.1.0 Ok');
    expect(logOf(['MAIL FROM:<a@b.test> AUTH=x@b.test\r\n', 'RCPT TO:<bob@example.test>\r\n']).find((l) => l.includes(': client='))).toMatch(/: client=localhost\[127\.0\.0\.1\], sasl_sender=x@b\.test$/);
    // smtpd_sasl_mail_opt(): printable(state->sasl_sender, '?').
    expect(logOf(['MAIL FROM:<a@b.test> AUTH=x\x01y\r\n', 'RCPT TO:<bob@example.test>\r\n']).find((l) => l.includes(': client='))).toMatch(/, sasl_sender=x\?y$/);
  });
  it('a MAIL refused after its AUTH= keeps it: the next MAIL\'s AUTH= is a second one, until RSET', () => {
    expect(replies(['MAIL FROM:<a@b.test> AUTH=x@b.test XYZZY\r\n', 'MAIL FROM:<a@b.test> AUTH=y@b.test\r\n', 'RSET\r\n', 'MAIL FROM:<a@b.test> AUTH=y@b.test\r\n'])).toEqual([
      '555 5.5.4 Unsupported option: XYZZY', '503 5.5.4 Error: multiple AUTH= options', '250 2.0.0 Ok', '250 2.1.0 Ok',
    ]);
  });
  it('RET=: FULL or HDRS in any case, once', () => {
    expect(reply('MAIL FROM:<a@b.test> ret=full\r\n')).toBe('250 2.1.0 Ok');
    expect(reply('MAIL FROM:<a@b.test> RET=ALL\r\n')).toBe('501 5.5.4 Bad RET parameter syntax');
    expect(reply('MAIL FROM:<a@b.test> RET=HDRS RET=HDRS\r\n')).toBe('501 5.5.4 Bad RET parameter syntax');
  });
  it('ENVID=: xtext that unquotes to printable ASCII, not empty, once', () => {
    expect(reply('MAIL FROM:<a@b.test> ENVID=QQ+2Bx+2b\r\n')).toBe('250 2.1.0 Ok');
    expect(reply('MAIL FROM:<a@b.test> ENVID=a+00b\r\n')).toBe('250 2.1.0 Ok');
    for (const bad of ['ENVID=', 'ENVID=a+2', 'ENVID=a+zz', 'ENVID=+00', 'ENVID=a+0Ab', 'ENVID=+01a', 'ENVID=a+01', 'ENVID=a ENVID=b']) {
      expect(reply(`MAIL FROM:<a@b.test> ${bad}\r\n`), bad).toBe('501 5.5.4 Bad ENVID parameter syntax');
    }
  });
  it('RET= and ENVID= are refused outright when DSN is discarded', () => {
    for (const option of ['RET=FULL', 'ENVID=x']) {
      expect(reply(`MAIL FROM:<a@b.test> ${option}\r\n`, { smtpd_discard_ehlo_keywords: ['dsn'] })).toBe('501 5.7.1 DSN support is disabled');
    }
  });
});

describe('RCPT options (rcpt_cmd())', () => {
  it('NOTIFY=: NEVER alone, or SUCCESS, FAILURE and DELAY in any case and order, once', () => {
    for (const good of ['NOTIFY=NEVER', 'NOTIFY=success,Failure,DELAY', 'NOTIFY=DELAY ORCPT=rfc822;bob@example.test']) {
      expect(rcptReply(`RCPT TO:<bob@example.test> ${good}\r\n`), good).toBe('250 2.1.5 Ok');
    }
    for (const bad of ['NOTIFY=', 'NOTIFY=NEVER,DELAY', 'NOTIFY=DELAY NOTIFY=DELAY']) {
      expect(rcptReply(`RCPT TO:<bob@example.test> ${bad}\r\n`), bad).toBe('501 5.5.4 Error: Bad NOTIFY parameter syntax');
    }
  });
  // name_mask_delim_opt() takes the words with mystrtok(), which skips a run of delimiters: no empty word.
  it('NOTIFY= words separated by several commas are the same words', () => {
    expect(rcptReply('RCPT TO:<bob@example.test> NOTIFY=,SUCCESS,,DELAY,\r\n')).toBe('250 2.1.5 Ok');
  });
  it('an unknown NOTIFY word is logged by name_mask_delim_opt() and refuses the whole', () => {
    const line = 'RCPT TO:<bob@example.test> NOTIFY=SUCCESS,ALWAYS,NOPE\r\n';
    expect(rcptReply(line)).toBe('501 5.5.4 Error: Bad NOTIFY parameter syntax');
    expect(logOf([MAIL, line])).toContain('warning: unknown DSN NOTIFY command value "ALWAYS" in "SUCCESS,ALWAYS,NOPE"');
  });
  it('ORCPT=: a type, ";", and xtext (uxtext for utf-8), once', () => {
    for (const good of ['ORCPT=rfc822;b+2Bc@example.test', 'ORCPT=UTF-8;b\\x{E9}\\x{}c@example.test', 'ORCPT=utf-8;\\x{10FFFF}', 'ORCPT=x;', 'ORCPT=a+;b@example.test']) {
      expect(rcptReply(`RCPT TO:<bob@example.test> ${good}\r\n`), good).toBe('250 2.1.5 Ok');
    }
    // uxtext_unquote() reads each \x{ from its own brace on: a } before it closes nothing.
    for (const bad of ['ORCPT=rfc822', 'ORCPT=;bob@example.test', 'ORCPT=rfc822;b+2', 'ORCPT=utf-8;\\x{110000}', 'ORCPT=utf-8;\\x{zz}', 'ORCPT=utf-8;\\x{41', 'ORCPT=utf-8;a}\\x{zz}', 'ORCPT=a;b ORCPT=a;b']) {
      expect(rcptReply(`RCPT TO:<bob@example.test> ${bad}\r\n`), bad).toBe('501 5.5.4 Error: Bad ORCPT parameter syntax');
    }
  });
  it('NOTIFY= and ORCPT= are refused outright when DSN is discarded; any other option is 555', () => {
    for (const option of ['NOTIFY=NEVER', 'ORCPT=rfc822;bob@example.test']) {
      expect(rcptReply(`RCPT TO:<bob@example.test> ${option}\r\n`, { smtpd_discard_ehlo_keywords: ['DSN'] })).toBe('501 5.7.1 DSN support is disabled');
    }
    expect(rcptReply('RCPT TO:<bob@example.test> SIZE=10\r\n')).toBe('555 5.5.4 Unsupported option: SIZE=10');
  });
});
