/* command-outcomes - which replies count as a command's success, as the disconnect line's statistics show them
 *
 * postfix/src/smtpd/smtpd.c smtpd_proto() (v3.7.11): a command counts as a success only when its
 * *_cmd() returned 0; every refusal below returns -1, so the line says "verb=0/1", and each
 * refusal also counts toward smtpd_hard_error_limit. Plus the MAIL/RCPT/ETRN/AUTH syntax edges the
 * smtpd_token() words decide (runs of blanks between words, FROM:/TO: right after the verb).
 */
import { describe, expect, it } from 'vitest';
import type { PostfixConfig } from '../../../models/postfix/config.js';
import { MILTER_CONTINUES, milterReplyOf } from '../../../models/postfix/milter.js';
import { lockstep, talk } from './talk.js';

const EHLO = 'EHLO front.example.test\r\n';
const MAIL = 'MAIL FROM:<alice@example.test>\r\n';
const RCPT = 'RCPT TO:<bob@example.test>\r\n';
const PLAIN = 'AUTH PLAIN AGFsaWNlQGV4YW1wbGUudGVzdABzZWNyZXQ=\r\n';

/** The refused command's own statistics entry in the disconnect line ("mail=0/1"). */
function counted(lines: readonly string[], verb: string, config: Partial<PostfixConfig> = {}, from?: string): string | undefined {
  const last = talk(config, lockstep(lines), from).logLines.at(-1) ?? '';
  return new RegExp(`\\b${verb}=\\S+`).exec(last)?.[0];
}

describe('refusals count as failures', () => {
  const refusals: readonly [string, readonly string[], string, Partial<PostfixConfig>?][] = [
    ['nested MAIL', [EHLO, MAIL, MAIL], 'mail=1/2'],
    ['MAIL syntax', [EHLO, 'MAIL FROM:\r\n'], 'mail=0/1'],
    ['bad sender', [EHLO, 'MAIL FROM:a<b\r\n'], 'mail=0/1'],
    ['bad SIZE', [EHLO, 'MAIL FROM:<a@b.test> SIZE=x\r\n'], 'mail=0/1'],
    ['SIZE over the limit', [EHLO, 'MAIL FROM:<a@b.test> SIZE=11\r\n'], 'mail=0/1', { message_size_limit: 10 }],
    ['unsupported option', [EHLO, 'MAIL FROM:<a@b.test> X=1\r\n'], 'mail=0/1'],
    ['RCPT before MAIL', [EHLO, RCPT], 'rcpt=0/1'],
    ['RCPT after BDAT', [EHLO, MAIL, RCPT, 'BDAT 1\r\na', RCPT], 'rcpt=1/2'],
    ['RCPT syntax', [EHLO, MAIL, 'RCPT TO:\r\n'], 'rcpt=0/1'],
    ['null recipient', [EHLO, MAIL, 'RCPT TO:<>\r\n'], 'rcpt=0/1'],
    ['RCPT option refused', [EHLO, MAIL, 'RCPT TO:<bob@example.test> X=1\r\n'], 'rcpt=0/1'],
    // rcpt_cmd(): a milter's reject at milter_rcpt_event(), through check_milter_reply(), returns -1.
    ['RCPT refused by the milter', [EHLO, MAIL, RCPT], 'rcpt=0/1', { smtpd_milters: ['inet:milter:11332'], milterReplies: { ...MILTER_CONTINUES, rcpt: milterReplyOf('reject') } }],
    ['ETRN before HELO', ['ETRN example.test\r\n'], 'etrn=0/1'],
    ['ETRN in a transaction', [EHLO, MAIL, 'ETRN example.test\r\n'], 'etrn=0/1'],
    ['ETRN syntax', [EHLO, 'ETRN\r\n'], 'etrn=0/1'],
    ['ETRN bad domain', [EHLO, 'ETRN a..b\r\n'], 'etrn=0/1'],
    ['ETRN denied (459)', [EHLO, 'ETRN example.test\r\n'], 'etrn=0/1'],
    ['AUTH before HELO', [PLAIN], 'auth=0/1'],
    ['AUTH not enabled', [EHLO, PLAIN], 'auth=0/1', { smtpd_sasl_auth_enable: false }],
    ['AUTH in a transaction', [EHLO, MAIL, PLAIN], 'auth=0/1'],
    ['AUTH twice', [EHLO, PLAIN, PLAIN], 'auth=1/2'],
    ['AUTH syntax', [EHLO, 'AUTH\r\n'], 'auth=0/1'],
    ['AUTH aborted', [EHLO, 'AUTH PLAIN\r\n', '*\r\n'], 'auth=0/1'],
    ['AUTH response too long', [EHLO, 'AUTH PLAIN\r\n', `${'A'.repeat(12_300)}\r\n`], 'auth=0/1'],
    ['AUTH failed', [EHLO, 'AUTH PLAIN AGFsaWNlQGV4YW1wbGUudGVzdAB3cm9uZw==\r\n'], 'auth=0/1'],
    ['HELO syntax', ['HELO\r\n'], 'helo=0/1'],
    ['STARTTLS syntax', ['STARTTLS x\r\n'], 'starttls=0/1', { smtpd_tls_security_level: 'may' }],
    ['STARTTLS twice', ['STARTTLS\r\n', 'STARTTLS\r\n'], 'starttls=1/2', { smtpd_tls_security_level: 'may' }],
    ['STARTTLS without TLS', ['STARTTLS\r\n'], 'starttls=0/1'],
    // starttls_cmd(): a milter's 5xx (here its def_reply after a reject at connect) returns -1.
    ['STARTTLS refused by the milter', ['STARTTLS\r\n'], 'starttls=0/1', { smtpd_tls_security_level: 'may', smtpd_milters: ['inet:milter:11332'], milterReplies: { ...MILTER_CONTINUES, connect: milterReplyOf('reject') } }],
    ['BDAT syntax', [EHLO, 'BDAT x\r\n'], 'bdat=0/1'],
    ['BDAT without CHUNKING', [EHLO, 'BDAT 1 LAST\r\nx'], 'bdat=0/1', { smtpd_discard_ehlo_keywords: ['chunking'] }],
    ['null BDAT', [EHLO, MAIL, RCPT, 'BDAT 0\r\n'], 'bdat=0/1'],
    ['BDAT after an error', [EHLO, MAIL, RCPT, 'BDAT 0\r\n', 'BDAT 1\r\nx'], 'bdat=0/2'],
    ['BDAT without recipients', [EHLO, 'BDAT 1\r\nx'], 'bdat=0/1'],
    ['BDAT chunk too big', [EHLO, MAIL, RCPT, 'BDAT 11 LAST\r\nabcdefghijk'], 'bdat=0/1', { message_size_limit: 10 }],
    ['DATA after BDAT', [EHLO, MAIL, RCPT, 'BDAT 1\r\nx', 'DATA\r\n'], 'data=0/1'],
    ['DATA without recipients', [EHLO, MAIL, 'DATA\r\n'], 'data=0/1'],
    ['DATA syntax', [EHLO, MAIL, RCPT, 'DATA x\r\n'], 'data=0/1'],
    ['message too big', [EHLO, MAIL, RCPT, 'DATA\r\n', 'abcdefghijk\r\n.\r\n'], 'data=0/1', { message_size_limit: 10 }],
    // common_post_message_handling() returns state->err, which a milter's reject at the end of the message set.
    ['message refused by the milter', [EHLO, MAIL, RCPT, 'DATA\r\n', 'x\r\n.\r\n'], 'data=0/1', { smtpd_milters: ['inet:milter:11332'], milterReplies: { ...MILTER_CONTINUES, endOfMessage: milterReplyOf('reject') } }],
    ['XFORWARD in a transaction', [EHLO, MAIL, 'XFORWARD NAME=x\r\n'], 'xforward=0/1'],
    ['XFORWARD syntax', [EHLO, 'XFORWARD\r\n'], 'xforward=0/1'],
    ['XFORWARD not allowed', [EHLO, 'XFORWARD NAME=x\r\n'], 'xforward=0/1'],
    ['RSET syntax', ['RSET x\r\n'], 'rset=0/1'],
    ['VRFY disabled', ['VRFY bob\r\n'], 'vrfy=0/1', { disable_vrfy_command: true }],
    ['VRFY syntax', ['VRFY\r\n'], 'vrfy=0/1'],
  ];
  for (const [what, lines, entry, config] of refusals) {
    it(`${what}: ${entry}`, () => {
      expect(counted(lines, entry.split('=')[0] ?? '', config)).toBe(entry);
    });
  }
  it('successes count: helo=1, rcpt=1 from outside with AUTH, rset, noop, vrfy, quit, help', () => {
    expect(counted(['HELO c\r\n'], 'helo')).toBe('helo=1');
    const last = talk({ mail_version: '3.9' }, lockstep(['RSET\r\n', 'NOOP\r\n', 'VRFY bob\r\n', 'HELP\r\n', 'QUIT\r\n'])).logLines.at(-1);
    expect(last).toBe('disconnect from localhost[127.0.0.1] rset=1 noop=1 vrfy=1 quit=1 help=1 commands=5');
    expect(counted([EHLO, PLAIN, MAIL, 'RCPT TO:<carol@elsewhere.test>\r\n'], 'rcpt', {}, '192.0.2.9')).toBe('rcpt=1');
  });
  // vrfy_cmd(): smtpd_check_rcpt()'s refusal is the reply, and the command returns -1.
  it('VRFY refused by the relay restrictions: vrfy=0/1', () => {
    expect(counted([EHLO, 'VRFY carol@elsewhere.test\r\n'], 'vrfy', {}, '192.0.2.9')).toBe('vrfy=0/1');
  });
});

describe('syntax edges of the words', () => {
  const last = (lines: readonly string[], config: Partial<PostfixConfig> = {}) => talk(config, lockstep([...lines, 'QUIT\r\n'])).replies.at(-2);
  it('runs of blanks between the verb, FROM:/TO: and the parameters are one separator', () => {
    expect(last([EHLO, 'MAIL  FROM:<a@b.test>\r\n'])).toBe('250 2.1.0 Ok');
    expect(last([EHLO, 'MAIL FROM:a@b.test  SIZE=5\r\n'])).toBe('250 2.1.0 Ok');
    expect(last([EHLO, MAIL, 'RCPT \tTO:<bob@example.test>\r\n'])).toBe('250 2.1.5 Ok');
  });
  it('FROM: and TO: must be the word right after the verb', () => {
    expect(last([EHLO, 'MAIL TO:<a@b.test> x FROM:<c@d.test>\r\n'])).toBe('501 5.5.4 Syntax: MAIL FROM:<address>');
    expect(last([EHLO, MAIL, 'RCPT FROM:<a@b.test> x TO:<c@d.test>\r\n'])).toBe('501 5.5.4 Syntax: RCPT TO:<address>');
  });
  it('SIZE= takes digits only (alldig())', () => {
    expect(last([EHLO, 'MAIL FROM:<a@b.test> SIZE=x1\r\n'])).toBe('501 5.5.4 Bad message size syntax');
  });
  it('ETRN: "@" or "#" is dropped only at the start; a literal starts with "["; bytes up to 255; no other character in a byte', () => {
    expect(last([EHLO, 'ETRN ex@mple.test\r\n'])).toBe('501 Error: invalid parameter syntax');
    expect(last([EHLO, 'ETRN x[192.0.2.1]\r\n'])).toBe('501 Error: invalid parameter syntax');
    expect(last([EHLO, 'ETRN [192.0.2.255]\r\n'])).toBe('459 <[192.0.2.255]>: service unavailable');
    expect(last([EHLO, 'ETRN [192.0.2.1x]\r\n'])).toBe('501 Error: invalid parameter syntax');
    expect(last([EHLO, 'ETRN [192.0.2.x1]\r\n'])).toBe('501 Error: invalid parameter syntax');
  });
  // smtpd_proto() splits every command with smtpd_token() (smtpd_token.c v3.7.11): ISSPACE (CR, VT
  // and FF too), a <...> or "..." stretch one word, "to:"/"from:" ending at the colon. Each reply
  // measured on the real Postfix 3.7.11 (the real stack's smtpd).
  it("every command's words are smtpd_token()'s", () => {
    expect(last([EHLO, 'NOOP\rx\r\n'])).toBe('250 2.0.0 Ok');
    expect(last([EHLO, 'RSET\f\r\n'])).toBe('250 2.0.0 Ok');
    expect(last([EHLO, 'ETRN [192.0.2.1\v]\r\n'])).toBe('500 Syntax: ETRN domain');
    expect(last([EHLO, 'ETRN "a b"\r\n'])).toBe('501 Error: invalid parameter syntax');
    expect(last([EHLO, 'ETRN a\\ b\r\n'])).toBe('501 Error: invalid parameter syntax');
    expect(last([EHLO, 'VRFY to:x\r\n'])).toBe('252 2.0.0 to: x');
    expect(last([EHLO, 'VRFY "to:x"\r\n'])).toBe('252 2.0.0 "to:x"');
  });
  it('an authenticated client relays only where permit_sasl_authenticated is listed', () => {
    const config = { smtpd_relay_restrictions: ['permit_mynetworks', 'reject_unauth_destination'] } as const;
    expect(talk(config, lockstep([EHLO, PLAIN, MAIL, 'RCPT TO:<carol@elsewhere.test>\r\n']), '192.0.2.9').replies.at(-2)).toBe('554 5.7.1 <carol@elsewhere.test>: Relay access denied');
  });
});

describe('SASL details', () => {
  it('a PLAIN message with a third NUL is no valid PLAIN message (RFC 4616): it fails', () => {
    const fourParts = Buffer.from('\0alice@example.test\0secret\0x').toString('base64');
    expect(talk({}, lockstep([EHLO, `AUTH PLAIN ${fourParts}\r\n`])).replies.at(-2)).toMatch(/^535 5\.7\.8 Error: authentication failed: /);
  });
  it('user names and passwords are UTF-8 bytes (RFC 4616), compared as the passdb holds them', () => {
    const config = { saslUsers: { 'jürgen@example.test': 'pässword' } };
    const response = Buffer.from('\0jürgen@example.test\0pässword').toString('base64');
    const conv = talk(config, lockstep([EHLO, `AUTH PLAIN ${response}\r\n`]));
    expect(conv.replies.at(-2)).toBe('235 2.7.0 Authentication successful');
    expect(conv.facts.map((f) => f.fact)).toContainEqual({ kind: 'authenticated', user: 'jürgen@example.test', via: 'sasl' });
  });
});

describe('message size and line ends in BDAT and DATA', () => {
  const last = (lines: readonly string[], config: Partial<PostfixConfig> = {}) => talk(config, lockstep([...lines, 'QUIT\r\n'])).replies.at(-2);
  it('message_size_limit = 0 is no limit, for BDAT and DATA', () => {
    expect(last([EHLO, MAIL, RCPT, 'BDAT 3 LAST\r\nabc'], { message_size_limit: 0 })).toMatch(/^250 2\.0\.0 Ok: 5 bytes queued as /);
    expect(last([EHLO, MAIL, RCPT, 'DATA\r\n', 'abc\r\n.\r\n'], { message_size_limit: 0 })).toMatch(/^250 2\.0\.0 Ok: queued as /);
  });
  it('a bare LF in a chunk is a record end like CR LF: stored as CR LF and counted as such against the limit', () => {
    const conv = talk({}, lockstep([EHLO, MAIL, RCPT, 'BDAT 5 LAST\r\na\nb\r\n']));
    expect(conv.model.queue.messages[0]?.content).toBe('a\r\nb\r\n');
    expect(last([EHLO, MAIL, RCPT, 'BDAT 8 LAST\r\nabcd\n\n\n\n'], { message_size_limit: 10 })).toBe('552 5.3.4 Error: message file too big');
  });
  // bdat_cmd(): "|| (chunk_size = off_cvt_string(argv[1].strval)) < 0" is part of the malformed test.
  it('a chunk size past off_t (2^63 - 1) is malformed: 521 and the warning', () => {
    const conv = talk({}, lockstep([EHLO, MAIL, RCPT, 'BDAT 9223372036854775808 LAST\r\n']));
    expect(conv.replies.at(-1)).toBe('521 5.5.4 Syntax: BDAT count [LAST]');
    expect(conv.logLines.filter((l) => l.includes('malformed BDAT'))).toHaveLength(1);
  });
  it('the malformed-BDAT warning shows the first 100 bytes of the command', () => {
    const command = `BDAT ${'9x'.repeat(60)}`;
    expect(talk({}, lockstep([EHLO, `${command}\r\n`])).logLines).toContain(`warning: NOQUEUE: malformed BDAT command syntax from localhost[127.0.0.1]: ${command.slice(0, 100)}`);
  });
});
