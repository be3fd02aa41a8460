/* envelope - MAIL, RCPT and ETRN replies and log lines, from smtpd.c and smtpd_check.c
 *
 * postfix/src/smtpd/smtpd.c (v3.7.11): mail_cmd() (sequencing, "MAIL FROM:" syntax, SIZE= against
 * message_size_limit, the options it knows, 555 for others), rcpt_cmd() (need MAIL, a non-empty
 * address, the queue file and its "client=" line at the first accepted recipient with
 * smtpd_delay_open_until_valid_rcpt), etrn_cmd() (valid_hostname() or valid_mailhost_literal(), then
 * the fast flush service, which the lab does not run: 459); smtpd_check.c: smtpd_relay_restrictions
 * in order, first match wins; log_whatsup() for the reject line.
 */
import { describe, expect, it } from 'vitest';
import { parsePostfixConfig } from '../../../models/postfix/config.js';
import type { PostfixConfig } from '../../../models/postfix/config.js';
import { lockstep, talk } from './talk.js';

const EHLO = 'EHLO front.example.test\r\n';
const MAIL = 'MAIL FROM:<alice@example.test>\r\n';
const RCPT = 'RCPT TO:<bob@example.test>\r\n';
const RELAY = 'RCPT TO:<carol@elsewhere.test>\r\n';
const OUTSIDE = '192.0.2.9';

/** The reply to the last of `lines` (a QUIT follows, so smtpd_timeout never answers instead). */
function lastReply(lines: readonly string[], config: Partial<PostfixConfig> = {}, from?: string): string | undefined {
  return talk(config, lockstep([...lines, 'QUIT\r\n']), from).replies.at(-2);
}

describe('MAIL', () => {
  it('"FROM:" in any case, with or without a space before the address, with or without <>', () => {
    for (const mail of ['mail from:<a@b.test>\r\n', 'MAIL FROM: <a@b.test>\r\n', 'MAIL From:a@b.test\r\n', 'MAIL FROM:<>\r\n']) {
      expect(lastReply([EHLO, mail])).toBe('250 2.1.0 Ok');
    }
  });
  it('no address after FROM: is the syntax reply, as is no FROM:', () => {
    expect(lastReply([EHLO, 'MAIL FROM:\r\n'])).toBe('501 5.5.4 Syntax: MAIL FROM:<address>');
    expect(lastReply([EHLO, 'MAIL TO:<a@b.test>\r\n'])).toBe('501 5.5.4 Syntax: MAIL FROM:<address>');
  });
  it('SIZE=: digits only; up to message_size_limit; any size when there is no limit; the keyword in any case', () => {
    expect(lastReply([EHLO, 'MAIL FROM:<a@b.test> SIZE=1k\r\n'])).toBe('501 5.5.4 Bad message size syntax');
    expect(lastReply([EHLO, 'MAIL FROM:<a@b.test> SIZE=\r\n'])).toBe('501 5.5.4 Bad message size syntax');
    expect(lastReply([EHLO, 'MAIL FROM:<a@b.test> size=10\r\n'], { message_size_limit: 10 })).toBe('250 2.1.0 Ok');
    expect(lastReply([EHLO, 'MAIL FROM:<a@b.test> SIZE=11\r\n'], { message_size_limit: 10 })).toBe('552 5.3.4 Message size exceeds fixed limit');
    expect(lastReply([EHLO, 'MAIL FROM:<a@b.test> SIZE=99999999999\r\n'], { message_size_limit: 0 })).toBe('250 2.1.0 Ok');
  });
  it('the options mail_cmd() knows pass (BODY=, SMTPUTF8, AUTH=, ENVID=, RET=); any other is 555', () => {
    expect(lastReply([EHLO, 'MAIL FROM:<a@b.test> BODY=8BITMIME SMTPUTF8 AUTH=<> ENVID=x RET=HDRS\r\n'])).toBe('250 2.1.0 Ok');
    expect(lastReply([EHLO, 'MAIL FROM:a@b.test XYZZY\r\n'])).toBe('555 5.5.4 Unsupported option: XYZZY');
  });
});

describe('RCPT', () => {
  it('no address, or the null address, is refused', () => {
    expect(lastReply([EHLO, MAIL, 'RCPT TO:\r\n'])).toBe('501 5.5.4 Syntax: RCPT TO:<address>');
    expect(lastReply([EHLO, MAIL, 'RCPT TO:<>\r\n'])).toBe('501 5.1.3 Bad recipient address syntax');
  });
  // smtpd.c extract_addr() (v3.7.11) tests the internal form, "STR(state->addr_buf)[0] == 0 && !allow_empty_addr":
  // "" is one address form whose internal form is empty; rcpt_cmd() passes REJECT_EMPTY_ADDR, mail_cmd() PERMIT_EMPTY_ADDR.
  it('an empty quoted string is an empty address: RCPT TO:<""> is refused with the warning, MAIL FROM:<""> is the null sender', () => {
    const conv = talk({}, lockstep([EHLO, MAIL, 'RCPT TO:<"">\r\n', 'QUIT\r\n']));
    expect(conv.replies.at(-2)).toBe('501 5.1.3 Bad recipient address syntax');
    expect(conv.logLines).toContain('warning: Illegal address syntax from localhost[127.0.0.1] in RCPT command: <"">');
    expect(lastReply([EHLO, 'MAIL FROM:<"">\r\n'])).toBe('250 2.1.0 Ok');
  });
  it('"TO:" in any case, address with or without <>', () => {
    expect(lastReply([EHLO, MAIL, 'rcpt to:bob@example.test\r\n'])).toBe('250 2.1.5 Ok');
  });
  it('the queue file opens at the first accepted recipient: one "client=" line, and later rejects carry its queue ID', () => {
    const conv = talk({}, lockstep([EHLO, MAIL, RELAY, RCPT, 'RCPT TO:<dave@example.test>\r\n', RELAY, 'QUIT\r\n']), OUTSIDE);
    const clientLines = conv.logLines.filter((l) => l.includes(': client='));
    expect(clientLines).toHaveLength(1);
    const queueId = clientLines[0]?.split(':')[0];
    expect(queueId).toMatch(/^[0-9A-F]{11}$/);
    const rejects = conv.logLines.filter((l) => l.includes(': reject: RCPT'));
    expect(rejects.map((l) => l.split(':')[0])).toEqual(['NOQUEUE', queueId]);
    expect(conv.logLines.at(-1)).toBe('disconnect from unknown[192.0.2.9] ehlo=1 mail=1 rcpt=2/4 quit=1 commands=5/7');
  });
  it('the reject line names the null sender as from=<>', () => {
    const conv = talk({}, lockstep([EHLO, 'MAIL FROM:<>\r\n', RELAY]), OUTSIDE);
    expect(conv.logLines).toContain('NOQUEUE: reject: RCPT from unknown[192.0.2.9]: 554 5.7.1 <carol@elsewhere.test>: Relay access denied; from=<> to=<carol@elsewhere.test> proto=ESMTP helo=<front.example.test>');
  });
  // trivial-rewrite resolve.c resolve_addr() v3.7.11: "If no domain was specified in the address,
  // assume the local machine" (@$myhostname), and one trailing dot comes off the domain;
  // permit_auth_destination() judges the class of that resolved recipient.
  // smtpd_resolve.c resolve_pagein(): the local rewrite appends @$myorigin (the recorded stack's example.test; Postfix's default $myhostname).
  it('a recipient without a domain is at $myorigin: relaying unless that is a destination', () => {
    expect(lastReply([EHLO, MAIL, 'RCPT TO:<bob>\r\n'], {}, OUTSIDE)).toBe('250 2.1.5 Ok');
    expect(lastReply([EHLO, MAIL, 'RCPT TO:<bob>\r\n'], { myorigin: 'elsewhere.test' }, OUTSIDE)).toBe('554 5.7.1 <bob>: Relay access denied');
    expect(lastReply([EHLO, MAIL, 'RCPT TO:<bob>\r\n'], { myorigin: 'backend.example.test' }, OUTSIDE)).toBe('554 5.7.1 <bob>: Relay access denied');
    expect(lastReply([EHLO, MAIL, 'RCPT TO:<bob>\r\n'], { myorigin: 'backend.example.test', mydestination: ['Backend.Example.Test'] }, OUTSIDE)).toBe('250 2.1.5 Ok');
    expect(lastReply([EHLO, MAIL, 'RCPT TO:<bob>\r\n'], { myorigin: 'Elsewhere.Test', virtual_mailbox_domains: ['elsewhere.test'] }, OUTSIDE)).toBe('250 2.1.5 Ok');
  });
  it('myorigin in main.cf form: $myhostname expanded, and followed when not stated; empty or another $parameter refused naming it', () => {
    expect(parsePostfixConfig({ myhostname: 'mx.example.test' }).myorigin).toBe('mx.example.test');
    expect(parsePostfixConfig({ myhostname: 'mx.example.test', myorigin: '${myhostname}' }).myorigin).toBe('mx.example.test');
    expect(parsePostfixConfig({ myhostname: 'mx.example.test', myorigin: 'example.test' }).myorigin).toBe('example.test');
    expect(() => parsePostfixConfig({ myorigin: ' ' })).toThrow(/^myorigin: empty: Postfix does not start \("bad string length 0 < 1: myorigin = "\)$/);
    expect(() => parsePostfixConfig({ myorigin: '$mydomain' })).toThrow(/^myorigin: "\$mydomain": the lab expands only \$myhostname/);
  });
  // rewrite.c rewrite_tree() without '@': site!user is user@site (swap_bangpath), else user%domain user@domain (allow_percent_hack).
  it('without @, site!user is user@site and user%domain is user@domain, before $myorigin', () => {
    expect(lastReply([EHLO, MAIL, 'RCPT TO:<elsewhere.test!bob>\r\n'], {}, OUTSIDE)).toBe('554 5.7.1 <elsewhere.test!bob>: Relay access denied');
    expect(lastReply([EHLO, MAIL, 'RCPT TO:<example.test!bob>\r\n'], { myorigin: 'elsewhere.test' }, OUTSIDE)).toBe('250 2.1.5 Ok');
    expect(lastReply([EHLO, MAIL, 'RCPT TO:<bob%elsewhere.test>\r\n'], {}, OUTSIDE)).toBe('554 5.7.1 <bob%elsewhere.test>: Relay access denied');
    expect(lastReply([EHLO, MAIL, 'RCPT TO:<bob%x%example.test>\r\n'], { myorigin: 'elsewhere.test' }, OUTSIDE)).toBe('250 2.1.5 Ok');
  });
  it('a trailing dot is taken off the domain before its class is judged', () => {
    expect(lastReply([EHLO, MAIL, 'RCPT TO:<bob@example.test.>\r\n'], {}, OUTSIDE)).toBe('250 2.1.5 Ok');
  });
  it('an empty local part still has a domain: "@elsewhere.test" relays to elsewhere.test', () => {
    expect(lastReply([EHLO, MAIL, 'RCPT TO:<@elsewhere.test>\r\n'], {}, OUTSIDE)).toBe('554 5.7.1 <@elsewhere.test>: Relay access denied');
  });
  it('smtpd_relay_restrictions in the order given: the first that decides wins', () => {
    const rejectFirst = { smtpd_relay_restrictions: ['reject_unauth_destination', 'permit_mynetworks'] } as const;
    expect(lastReply([EHLO, MAIL, RELAY], rejectFirst)).toBe('554 5.7.1 <carol@elsewhere.test>: Relay access denied');
    expect(lastReply([EHLO, MAIL, RELAY], { smtpd_relay_restrictions: ['permit_mynetworks', 'reject_unauth_destination'] })).toBe('250 2.1.5 Ok');
    expect(lastReply([EHLO, MAIL, RELAY], { smtpd_relay_restrictions: ['permit_sasl_authenticated', 'defer_unauth_destination'] })).toBe('454 4.7.1 <carol@elsewhere.test>: Relay access denied');
  });
  it('the destination domains are compared without case, on the recipient\'s domain only', () => {
    expect(lastReply([EHLO, MAIL, 'RCPT TO:<carol@ELSEWHERE.TEST>\r\n'], { relay_domains: ['elsewhere.test'] }, OUTSIDE)).toBe('250 2.1.5 Ok');
    expect(lastReply([EHLO, MAIL, 'RCPT TO:<example.test@elsewhere.test>\r\n'], {}, OUTSIDE)).toBe('554 5.7.1 <example.test@elsewhere.test>: Relay access denied');
    expect(lastReply([EHLO, MAIL, 'RCPT TO:<carol@sub.example.test>\r\n'], {}, OUTSIDE)).toBe('554 5.7.1 <carol@sub.example.test>: Relay access denied');
  });
});

describe('ETRN', () => {
  it('a transaction in progress: 503 without enhanced code', () => {
    expect(lastReply([EHLO, MAIL, 'ETRN example.test\r\n'])).toBe('503 Error: MAIL transaction in progress');
  });
  it('exactly one argument', () => {
    expect(lastReply([EHLO, 'ETRN a.test b.test\r\n'])).toBe('500 Syntax: ETRN domain');
  });
  it('a leading @ or # is dropped; the rest must be a valid host name or address literal', () => {
    for (const [arg, shown] of [['@example.test', 'example.test'], ['#example.test', 'example.test'], ['[192.0.2.1]', '[192.0.2.1]'], ['[IPv6:2001:db8::1]', '[IPv6:2001:db8::1]'], ['[0.0.0.0]', '[0.0.0.0]'], ['host.123', 'host.123']]) {
      expect(lastReply([EHLO, `ETRN ${arg}\r\n`])).toBe(`459 <${shown}>: service unavailable`);
    }
  });
  it('valid_hostname() and valid_mailhost_literal() refuse the rest: 501', () => {
    // valid_mailhost_literal(): "IPv6:" only at the start of the literal ("[xIPv6::1]" is neither form).
    const refused = ['a..b', 'example.test.', '123', '-a.test', '[192.0.2]', '[192.0.2.256]', '[0.1.2.3]', '[2001:db8::1]', '[IPv6:2001:db8::g]', '[xIPv6::1]', '[192.0.2.1]x', '[1.2.3.4', 'a_b!c'];
    expect(refused.filter((arg) => lastReply([EHLO, `ETRN ${arg}\r\n`]) !== '501 Error: invalid parameter syntax')).toEqual([]);
  });
  it('the refusal is logged as flush_send_site()\'s deny: the name cut at 100 bytes', () => {
    const long = `${'a'.repeat(60)}.${'b'.repeat(60)}.test`;
    const conv = talk({}, lockstep([EHLO, `ETRN ${long}\r\n`]));
    expect(conv.logLines).toContain(`warning: reject: ETRN ${long.slice(0, 100)}... from localhost[127.0.0.1]`);
  });
});
