/* non-smtp - which unknown commands make smtpd hang up (smtpd_proto(): is_header() or smtpd_forbidden_commands)
 *
 * postfix/src/smtpd/smtpd.c smtpd_proto() (v3.7.11), global/is_header.c, mail_params.h
 * DEF_SMTPD_FORBID_CMDS "CONNECT GET POST regexp:{{/^[^A-Z]/ Bogus}}" (string lists fold case,
 * regexp tables ignore case by default): "221 2.7.0 Error: I can break rules, too. Goodbye.",
 * "warning: non-SMTP command from ...: <line escape()d, first 100 bytes>", and the session ends.
 */
import { describe, expect, it } from 'vitest';
import { lockstep, talk } from './talk.js';

const GOODBYE = '221 2.7.0 Error: I can break rules, too. Goodbye.';
const UNKNOWN = '500 5.5.2 Error: command not recognized';
const reply = (line: string) => talk({}, lockstep([line, 'QUIT\r\n'])).replies[1];

describe('is_header(): a word that reads as a header name', () => {
  it('printable characters up to a colon; what follows the colon does not matter', () => {
    expect(['From: a', 'X-Mailer:x\r', 'Received:by', 'a!b#c~:'].map((l) => reply(`${l}\r\n`))).toEqual([GOODBYE, GOODBYE, GOODBYE, GOODBYE]);
  });
  it('a word starting with a colon is no header name', () => {
    // A colon is no letter either, so from 3.7.0 smtpd_forbidden_commands catches it; 3.6 answered 500.
    expect(talk({ mail_version: '3.6.20' }, lockstep([':From: a\r\n', 'QUIT\r\n'])).replies[1]).toBe(UNKNOWN);
  });
  it('DEL and bytes above ASCII are not header characters', () => {
    expect(reply('X\x7fY: a\r\n')).toBe(UNKNOWN);
  });
});

describe('smtpd_forbidden_commands\' default', () => {
  it('CONNECT, GET and POST in any case', () => {
    expect(['CONNECT host:443 HTTP/1.1', 'get / HTTP/1.0', 'Post /x'].map((l) => reply(`${l}\r\n`))).toEqual([GOODBYE, GOODBYE, GOODBYE]);
  });
  it('any word not starting with a letter, in either case of letter', () => {
    expect(['1234', '\x16\x03\x01', '_x', '[x]'].map((l) => reply(`${l}\r\n`))).toEqual([GOODBYE, GOODBYE, GOODBYE, GOODBYE]);
    expect(['foo', 'Zz', 'aGET', 'GETX'].map((l) => reply(`${l}\r\n`))).toEqual([UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN]);
  });
});

describe('the warning', () => {
  it('shows the whole line escape()d, cut at 100 bytes, and the session ends with the statistics', () => {
    const conv = talk({}, lockstep([`GET /${'x'.repeat(120)}\t\r\n`, 'NOOP\r\n']));
    expect(conv.logLines).toContain(`warning: non-SMTP command from localhost[127.0.0.1]: GET /${'x'.repeat(95)}`);
    expect(conv.replies.at(-1)).toBe(GOODBYE);
    expect(conv.logLines.at(-1)).toBe('disconnect from localhost[127.0.0.1] unknown=0/1 commands=0/1');
    expect(conv.closed.has('c')).toBe(true);
  });
  it('3.7 and later escape tabs and NUL bytes; 3.6 shows the line up to its first NUL', () => {
    expect(talk({}, lockstep(['1\tx\0y\r\n'])).logLines).toContain('warning: non-SMTP command from localhost[127.0.0.1]: 1\\tx\\000y');
    expect(talk({ mail_version: '3.6.20' }, lockstep(['GET\tx\0y\r\n'])).logLines).toContain('warning: non-SMTP command from localhost[127.0.0.1]: GET\tx');
  });
});
