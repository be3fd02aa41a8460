/* resolve-addr - addresses smtpd_check_addr() refuses, which extract_addr() reports as illegal syntax
 *
 * Postfix v3.7.11 smtpd.c extract_addr() -> smtpd_check.c smtpd_check_addr() -> trivial-rewrite/resolve.c
 * resolve_addr(): RESOLVE_FLAG_ERROR for a bad domain literal, a domain valid_hostname() refuses
 * (resolve_numeric_domain = no) and an address starting with '-' (allow_min_user = no); then
 * smtpd_check_addr() itself refuses a non-ASCII domain when the command did not declare SMTPUTF8;
 * "warning: Illegal address syntax from <client> in <command> command: <argument>" and the
 * command's bad-address reply.
 */
import { describe, expect, it } from 'vitest';
import { lockstep, talk } from './talk.js';

/** The reply to the last command before QUIT, and the log. */
const say = (...lines: string[]) => sayWith({}, ...lines);
const sayWith = (config: Parameters<typeof talk>[0], ...lines: string[]) => {
  const conv = talk(config, lockstep(['EHLO lab\r\n', ...lines.map((line) => `${line}\r\n`), 'QUIT\r\n']));
  return { reply: conv.replies.at(-2), logLines: conv.logLines };
};

describe('refused at resolve', () => {
  it('MAIL FROM an address starting with "-" is 501 5.1.7, with the warning', () => {
    const { reply, logLines } = say('MAIL FROM:<-x@example.test>');
    expect(reply).toBe('501 5.1.7 Bad sender address syntax');
    expect(logLines).toContain('warning: Illegal address syntax from localhost[127.0.0.1] in MAIL command: <-x@example.test>');
  });

  it.each(['<-x@example.test>', '<"-x"@example.test>', '<x@1.2.3.4>', '<x@[1.2.3.999]>', '<x@[IPv6:nope]>', '<x@[ 192.0.2.1]>', '<@1.2.3.4>', '<x@example.test..>', '<x@.>', '<x@>', '<x@a..b>'])('RCPT TO:%s is 501 5.1.3', (address) => {
    expect(say('MAIL FROM:<a@example.test>', `RCPT TO:${address}`).reply).toBe('501 5.1.3 Bad recipient address syntax');
  });

  // resolve.c resolve_addr(): a local domain is stripped into saved_domain and appended again
  // ("Make sure the resolved envelope recipient has the user@domain form") before the domain tests.
  it('a local domain is judged too: mydestination = 1.2.3.4 does not make RCPT TO:<x@1.2.3.4> valid', () => {
    const conv = talk({ mydestination: ['1.2.3.4'] }, lockstep(['EHLO lab\r\n', 'MAIL FROM:<a@example.test>\r\n', 'RCPT TO:<x@1.2.3.4>\r\n', 'QUIT\r\n']));
    expect(conv.replies.at(-2)).toBe('501 5.1.3 Bad recipient address syntax');
  });

  it('VRFY too', () => {
    expect(say('VRFY -x@example.test').reply).toBe('501 5.1.3 Bad recipient address syntax');
    expect(say('VRFY x@1.2.3.4').reply).toBe('501 5.1.3 Bad recipient address syntax');
  });
});

describe('not refused', () => {
  // resolve_addr() completes an address without '@' with @$myhostname and judges that domain, so a
  // local part that looks like a numeric host name (1.2.3.4) is no domain.
  it.each(['<x@[192.0.2.1]>', '<x@[IPv6:2001:db8::1]>', '< x@example.test >', '<postmaster>', '<x-@example.test>', '<x@a.123>', '<x@localhost>', '<1.2.3.4>'])('RCPT TO:%s is accepted', (address) => {
    expect(say('MAIL FROM:<a@example.test>', `RCPT TO:${address}`).reply).toBe('250 2.1.5 Ok');
  });

  // resolve.c resolve_addr()'s loop: "Strip trailing dot at end of domain, but not dot-dot or at-dot".
  it.each(['<x@example.test.>', '<x@[192.0.2.1].>', '<x@localhost.>'])('one trailing dot is taken off the domain first: RCPT TO:%s is accepted', (address) => {
    expect(say('MAIL FROM:<a@example.test>', `RCPT TO:${address}`).reply).toBe('250 2.1.5 Ok');
  });

  // resolve.c tests STR(nextrcpt)[0] == '-' on the internal form: a quoted local part keeps its blank, and \" its quote.
  it.each(['<" -x"@example.test>', '<\\"-x@example.test>'])('the first character is not "-": RCPT TO:%s is accepted', (address) => {
    expect(say('MAIL FROM:<a@example.test>', `RCPT TO:${address}`).reply).toBe('250 2.1.5 Ok');
  });

  it('the null sender', () => {
    expect(say('MAIL FROM:<>').reply).toBe('250 2.1.0 Ok');
  });
});

// smtpd_check.c smtpd_check_addr() (the same from 3.5.0 to 3.10.13): "if the client does not request
// SMTPUTF8 support, then behave like Postfix < 3.0 trivial-rewrite, and don't allow non-ASCII email
// domains" (allascii() of the resolved address's domain); the local part may be anything. mail_cmd()
// looks for SMTPUTF8 among MAIL's options before extract_addr() ("We must process this parameter
// early") and rcpt_cmd() passes the flag its MAIL set; vrfy_cmd() reads its own last word. The
// command lines are UTF-8 bytes, as the model receives them (latin1 strings).
describe('a non-ASCII domain needs SMTPUTF8', () => {
  const bucher = 'b\xc3\xbccher.test';

  it('MAIL FROM without SMTPUTF8 is 501 5.1.7, with the warning (the UTF-8 kept by printable())', () => {
    const { reply, logLines } = say(`MAIL FROM:<x@${bucher}>`);
    expect(reply).toBe('501 5.1.7 Bad sender address syntax');
    expect(logLines).toContain(`warning: Illegal address syntax from localhost[127.0.0.1] in MAIL command: <x@${bucher}>`);
  });

  it.each(['SMTPUTF8', 'smtputf8', 'BODY=8BITMIME SMTPUTF8'])('MAIL FROM with %s is accepted, and so is its RCPT', (options) => {
    const conv = say(`MAIL FROM:<x@${bucher}> ${options}`, `RCPT TO:<y@${bucher}>`);
    expect(conv.reply).toBe('250 2.1.5 Ok');
    expect(conv.logLines.filter((line) => line.includes('Illegal address'))).toEqual([]);
  });

  it('RCPT without its MAIL declaring SMTPUTF8 is 501 5.1.3, with the warning', () => {
    const { reply, logLines } = say('MAIL FROM:<a@example.test>', `RCPT TO:<x@${bucher}>`);
    expect(reply).toBe('501 5.1.3 Bad recipient address syntax');
    expect(logLines).toContain(`warning: Illegal address syntax from localhost[127.0.0.1] in RCPT command: <x@${bucher}>`);
  });

  it('the flag is the transaction\'s: after RSET a MAIL without SMTPUTF8 clears it (mail_cmd() starts with flags &= ~SMTPD_FLAG_SMTPUTF8)', () => {
    expect(say('MAIL FROM:<a@example.test> SMTPUTF8', 'RSET', 'MAIL FROM:<a@example.test>', `RCPT TO:<x@${bucher}>`).reply).toBe('501 5.1.3 Bad recipient address syntax');
  });

  it('a non-ASCII local part needs no SMTPUTF8 ("Postfix does not reject UTF8 etc. in the address localpart")', () => {
    expect(say('MAIL FROM:<j\xc3\xbcrgen@example.test>', 'RCPT TO:<j\xc3\xbcrgen@example.test>').reply).toBe('250 2.1.5 Ok');
  });

  it('the test is on the resolved domain: a trailing dot and a local domain change nothing', () => {
    expect(say('MAIL FROM:<a@example.test>', `RCPT TO:<x@${bucher}.>`).reply).toBe('501 5.1.3 Bad recipient address syntax');
    const local = sayWith({ mydestination: [bucher] }, 'MAIL FROM:<a@example.test>', `RCPT TO:<x@${bucher}>`);
    expect(local.reply).toBe('501 5.1.3 Bad recipient address syntax');
  });

  it('VRFY: refused without its SMTPUTF8 word, judged by the relay restrictions with it', () => {
    expect(say(`VRFY x@${bucher}`).reply).toBe('501 5.1.3 Bad recipient address syntax');
    expect(say(`VRFY x@${bucher} SMTPUTF8`).reply).toBe(`252 2.0.0 x@${bucher}`);
  });

  it('SMTPUTF8 discarded from EHLO is no option: the address is refused before the option loop could say 555', () => {
    const conv = sayWith({ smtpd_discard_ehlo_keywords: ['smtputf8'] }, `MAIL FROM:<x@${bucher}> SMTPUTF8`);
    expect(conv.reply).toBe('501 5.1.7 Bad sender address syntax');
    expect(sayWith({ smtpd_discard_ehlo_keywords: ['smtputf8'] }, 'MAIL FROM:<x@example.test> SMTPUTF8').reply).toBe('555 5.5.4 Unsupported option: SMTPUTF8');
  });

  it('the address comes before the options: a bad option after a refused address is not reached', () => {
    expect(say(`MAIL FROM:<x@${bucher}> BOGUS`).reply).toBe('501 5.1.7 Bad sender address syntax');
    expect(say(`MAIL FROM:<x@${bucher}> SMTPUTF8 BOGUS`).reply).toBe('555 5.5.4 Unsupported option: BOGUS');
  });
});
