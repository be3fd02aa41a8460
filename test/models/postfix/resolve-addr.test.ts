/* resolve-addr - addresses trivial-rewrite's resolve refuses, which extract_addr() reports as illegal syntax
 *
 * Postfix v3.7.11 smtpd.c extract_addr() -> smtpd_check.c smtpd_check_addr() -> trivial-rewrite/resolve.c
 * resolve_addr(): RESOLVE_FLAG_ERROR for a bad domain literal, a domain valid_hostname() refuses
 * (resolve_numeric_domain = no) and an address starting with '-' (allow_min_user = no);
 * "warning: Illegal address syntax from <client> in <command> command: <argument>" and the
 * command's bad-address reply.
 */
import { describe, expect, it } from 'vitest';
import { lockstep, talk } from './talk.js';

/** The reply to the last command before QUIT, and the log. */
const say = (...lines: string[]) => {
  const conv = talk({}, lockstep(['EHLO lab\r\n', ...lines.map((line) => `${line}\r\n`), 'QUIT\r\n']));
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
