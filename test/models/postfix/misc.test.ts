/* misc - XFORWARD, RSET and QUIT as smtpd.c has them
 *
 * postfix/src/smtpd/smtpd.c (v3.7.11): xforward_cmd() refuses inside a MAIL transaction, then
 * without attributes, then (no client of the lab is in smtpd_authorized_xforward_hosts) with 550;
 * rset_cmd() takes no argument and resets the transaction; quit_cmd() ignores arguments, answers
 * 221 and the loop ends the session.
 */
import { describe, expect, it } from 'vitest';
import { lockstep, talk } from './talk.js';

const EHLO = 'EHLO front.example.test\r\n';
const MAIL = 'MAIL FROM:<alice@example.test>\r\n';
const RCPT = 'RCPT TO:<bob@example.test>\r\n';
const replies = (lines: readonly string[]) => talk({}, lockstep([...lines, 'QUIT\r\n'])).replies.slice(1, -1);

describe('XFORWARD', () => {
  it('in a transaction: 503 before anything else', () => {
    expect(replies([EHLO, MAIL, 'XFORWARD\r\n']).at(-1)).toBe('503 5.5.1 Error: MAIL transaction in progress');
  });
  it('no attribute: 501; an attribute from a host that may not: 550', () => {
    expect(replies([EHLO, 'XFORWARD\r\n']).at(-1)).toBe('501 5.5.4 Syntax: XFORWARD attribute=value...');
    expect(replies([EHLO, 'XFORWARD ADDR=192.0.2.1\r\n']).at(-1)).toBe('550 5.7.0 Error: insufficient authorization');
  });
});

describe('RSET and QUIT', () => {
  it('RSET ends the transaction: RCPT then needs MAIL, and MAIL is no longer nested', () => {
    expect(replies([EHLO, MAIL, 'RSET\r\n', RCPT, MAIL]).slice(-3)).toEqual(['250 2.0.0 Ok', '503 5.5.1 Error: need MAIL command', '250 2.1.0 Ok']);
  });
  it('QUIT with words after it is still QUIT: 221, the statistics, the close', () => {
    const conv = talk({}, lockstep(['QUIT now\r\n', 'NOOP\r\n']));
    expect(conv.replies.slice(1)).toEqual(['221 2.0.0 Bye']);
    expect(conv.logLines.at(-1)).toBe('disconnect from localhost[127.0.0.1] quit=1 commands=1');
    expect(conv.closed.has('c')).toBe(true);
  });
});

// vrfy_cmd() (smtpd.c v3.7.11): with smtputf8_enable and SMTPUTF8 not discarded, a last word
// SMTPUTF8 (any case) is the RFC 6531 option and is taken off before the address ("argc--");
// with SMTPUTF8 discarded it is a word of the address, and two words are two addresses.
describe('VRFY ... SMTPUTF8', () => {
  it('a last SMTPUTF8 is the option, not part of the address; alone it leaves no address', () => {
    expect(replies([EHLO, 'VRFY bob smtputf8\r\n', 'VRFY SMTPUTF8\r\n']).slice(-2)).toEqual(['252 2.0.0 bob', '501 5.5.4 Syntax: VRFY address [SMTPUTF8]']);
  });
  it('with SMTPUTF8 discarded, it is part of the address', () => {
    const conv = talk({ smtpd_discard_ehlo_keywords: ['smtputf8'] }, lockstep([EHLO, 'VRFY bob SMTPUTF8\r\n', 'QUIT\r\n']));
    expect(conv.replies.at(-2)).toBe('501 5.1.3 Bad recipient address syntax');
    expect(conv.logLines).toContain('warning: Illegal address syntax from localhost[127.0.0.1] in VRFY command: bob SMTPUTF8');
  });
});
