/* sasl - AUTH as smtpd_sasl_auth_cmd(), smtpd_sasl_authenticate() and the Dovecot client have it
 *
 * postfix/src/smtpd/smtpd_sasl_proto.c smtpd_sasl_auth_cmd() (v3.7.11): HELO first when required,
 * "not enabled", no AUTH in a transaction or twice, one or two arguments. smtpd_sasl_glue.c
 * smtpd_sasl_authenticate(): a 334 per step, each response read by smtpd_chat_query_limit() up to
 * smtpd_sasl_response_limit (12288; longer: "500 5.5.6 SASL response limit exceeded"), "*" aborts;
 * a failure logs "SASL <method as given> authentication failed: <reason>, sasl_username=..." and
 * answers 535. xsasl/xsasl_dovecot_server.c: the mechanism must be on Dovecot's list (without case,
 * else "Invalid authentication mechanism"); a response with characters outside base64 is refused
 * before Dovecot sees it ("Invalid base64 data in initial response" / "... in continued response"),
 * and Dovecot refuses what does not decode with the same words.
 */
import { describe, expect, it } from 'vitest';
import type { PostfixConfig } from '../../../models/postfix/config.js';
import { lockstep, talk } from './talk.js';

const EHLO = 'EHLO front.example.test\r\n';
const PLAIN_B64 = 'AGFsaWNlQGV4YW1wbGUudGVzdABzZWNyZXQ='; // \0alice@example.test\0secret
const USER_B64 = 'YWxpY2VAZXhhbXBsZS50ZXN0'; // alice@example.test
const PASS_B64 = 'c2VjcmV0'; // secret
const CLIENT = 'localhost[127.0.0.1]';

/** One command per step, then QUIT; the replies between the banner and the 221, and the log. */
function session(lines: readonly string[], config: Partial<PostfixConfig> = {}) {
  const conv = talk(config, lockstep([...lines, 'QUIT\r\n']));
  return { replies: conv.replies.slice(1, -1), logLines: conv.logLines };
}
const lastReply = (lines: readonly string[], config: Partial<PostfixConfig> = {}) => session(lines, config).replies.at(-1);

describe('smtpd_sasl_auth_cmd(): before the mechanism', () => {
  it('HELO first when smtpd_helo_required', () => {
    expect(lastReply([`AUTH PLAIN ${PLAIN_B64}\r\n`])).toBe('503 5.5.1 Error: send HELO/EHLO first');
    expect(lastReply([`AUTH PLAIN ${PLAIN_B64}\r\n`], { smtpd_helo_required: false })).toBe('235 2.7.0 Authentication successful');
  });
  it('one or two arguments', () => {
    expect(lastReply([EHLO, `AUTH PLAIN ${PLAIN_B64} more\r\n`])).toBe('501 5.5.4 Syntax: AUTH mechanism');
  });
});

describe('the mechanism', () => {
  it('matched without case; smtpd logs it as the client wrote it', () => {
    const conv = session([EHLO, `AUTH plain ${PLAIN_B64}\r\n`, 'MAIL FROM:<alice@example.test>\r\n', 'RCPT TO:<bob@example.test>\r\n']);
    expect(conv.replies.slice(-3)).toEqual(['235 2.7.0 Authentication successful', '250 2.1.0 Ok', '250 2.1.5 Ok']);
    expect(conv.logLines).toContainEqual(expect.stringMatching(/^[0-9A-F]{11}: client=localhost\[127\.0\.0\.1\], sasl_method=plain, sasl_username=alice@example\.test$/));
  });
  it('one Dovecot does not offer fails, logged with the name as given', () => {
    const conv = session([EHLO, 'AUTH Cram-MD5\r\n']);
    expect(conv.replies.at(-1)).toBe('535 5.7.8 Error: authentication failed: Invalid authentication mechanism');
    expect(conv.logLines).toContain(`warning: ${CLIENT}: SASL Cram-MD5 authentication failed: Invalid authentication mechanism, sasl_username=(unavailable)`);
  });
});

describe('responses', () => {
  it('PLAIN with its response on the AUTH line, or after an empty 334', () => {
    expect(session([EHLO, 'AUTH PLAIN\r\n', `${PLAIN_B64}\r\n`]).replies.slice(-2)).toEqual(['334 ', '235 2.7.0 Authentication successful']);
  });
  it('LOGIN with the user name on the AUTH line: only the password is asked for', () => {
    expect(session([EHLO, `AUTH LOGIN ${USER_B64}\r\n`, `${PASS_B64}\r\n`]).replies.slice(-2)).toEqual(['334 UGFzc3dvcmQ6', '235 2.7.0 Authentication successful']);
  });
  it('a wrong LOGIN password fails with the user Dovecot names', () => {
    const conv = session([EHLO, 'AUTH LOGIN\r\n', `${USER_B64}\r\n`, 'd3Jvbmc=\r\n']);
    expect(conv.replies.at(-1)).toBe('535 5.7.8 Error: authentication failed: (reason unavailable)');
    expect(conv.logLines).toContain(`warning: ${CLIENT}: SASL LOGIN authentication failed: (reason unavailable), sasl_username=alice@example.test`);
  });
  it('characters outside base64 never reach Dovecot: initial and continued responses refused as such', () => {
    const initial = session([EHLO, 'AUTH PLAIN a!b\r\n']);
    expect(initial.replies.at(-1)).toBe('535 5.7.8 Error: authentication failed: Invalid base64 data in initial response');
    expect(initial.logLines).toContain(`warning: ${CLIENT}: SASL PLAIN authentication failed: Invalid base64 data in initial response, sasl_username=(unavailable)`);
    expect(lastReply([EHLO, 'AUTH LOGIN\r\n', 'not base64\r\n'])).toBe('535 5.7.8 Error: authentication failed: Invalid base64 data in continued response');
    expect(lastReply([EHLO, 'AUTH LOGIN\r\n', `${USER_B64}\r\n`, 'c2Vj.mV0\r\n'])).toBe('535 5.7.8 Error: authentication failed: Invalid base64 data in continued response');
  });
  it('base64 padding inside a response is no base64 (RFC 4648): the response fails, though what comes before the "=" would be right', () => {
    expect(lastReply([EHLO, `AUTH PLAIN ${PLAIN_B64}AAAA\r\n`])).toBe('535 5.7.8 Error: authentication failed: Invalid base64 data in initial response');
    expect(lastReply([EHLO, 'AUTH PLAIN\r\n', `${PLAIN_B64}AAAA\r\n`])).toBe('535 5.7.8 Error: authentication failed: Invalid base64 data in continued response');
  });
  // Dovecot 2.3.19.1 auth-request-handler.c: base64_decode() < 0 is FAIL reason="Invalid base64 data in
  // initial/continued response" (no user=); base64_decode_finish() refuses a last quad left short.
  it('base64 characters that are no whole quads fail in Dovecot with the same reasons', () => {
    const initial = session([EHLO, 'AUTH PLAIN AGFsaWN\r\n']);
    expect(initial.replies.at(-1)).toBe('535 5.7.8 Error: authentication failed: Invalid base64 data in initial response');
    expect(initial.logLines).toContain(`warning: ${CLIENT}: SASL PLAIN authentication failed: Invalid base64 data in initial response, sasl_username=(unavailable)`);
    expect(lastReply([EHLO, 'AUTH LOGIN YWxpY2U\r\n'])).toBe('535 5.7.8 Error: authentication failed: Invalid base64 data in initial response');
    expect(lastReply([EHLO, 'AUTH LOGIN\r\n', `${USER_B64}\r\n`, 'c2VjcmV\r\n'])).toBe('535 5.7.8 Error: authentication failed: Invalid base64 data in continued response');
  });
  // Dovecot mech-plain.c mech_plain_auth_continue(): not exactly two NULs is "invalid input", a FAIL
  // with neither reason nor user; auth_request_handler_auth_begin() reads an initial "=" as empty.
  it('PLAIN without exactly two NULs fails with no reason and no user; "=" is an empty response', () => {
    const oneNul = session([EHLO, `AUTH PLAIN ${Buffer.from('alice@example.test\0secret').toString('base64')}\r\n`]);
    expect(oneNul.replies.at(-1)).toBe('535 5.7.8 Error: authentication failed: (reason unavailable)');
    expect(oneNul.logLines).toContain(`warning: ${CLIENT}: SASL PLAIN authentication failed: (reason unavailable), sasl_username=(unavailable)`);
    expect(lastReply([EHLO, `AUTH PLAIN ${Buffer.from('\0alice@example.test\0secret\0').toString('base64')}\r\n`])).toBe('535 5.7.8 Error: authentication failed: (reason unavailable)');
    expect(lastReply([EHLO, 'AUTH PLAIN =\r\n'])).toBe('535 5.7.8 Error: authentication failed: (reason unavailable)');
    expect(lastReply([EHLO, 'AUTH PLAIN\r\n', '\r\n'])).toBe('535 5.7.8 Error: authentication failed: (reason unavailable)');
  });
  // Dovecot mech-login.c mech_login_auth_initial(): an empty initial response asks "Username:" as none does.
  it('LOGIN with the empty initial response "=" is asked for the user name', () => {
    expect(session([EHLO, 'AUTH LOGIN =\r\n', `${USER_B64}\r\n`, `${PASS_B64}\r\n`]).replies.slice(-3)).toEqual(['334 VXNlcm5hbWU6', '334 UGFzc3dvcmQ6', '235 2.7.0 Authentication successful']);
  });
  it('"*" aborts at any step, logged with the method as given', () => {
    const conv = session([EHLO, 'AUTH login\r\n', `${USER_B64}\r\n`, '*\r\n']);
    expect(conv.replies.at(-1)).toBe('501 5.7.0 Authentication aborted');
    expect(conv.logLines).toContain(`warning: ${CLIENT}: SASL login authentication aborted`);
  });
  it('a response longer than 12288 bytes is skipped and refused (smtpd_chat_query_limit())', () => {
    const long = 'QUFB'.repeat(3_100); // 12,400 base64 bytes
    const conv = session([EHLO, 'AUTH PLAIN\r\n', `${long}\r\n`, 'NOOP\r\n']);
    expect(conv.replies.slice(-2)).toEqual(['500 5.5.6 SASL response limit exceeded', '250 2.0.0 Ok']);
    expect(conv.logLines).toContain(`warning: ${CLIENT}: request longer than 12288: ${long.slice(0, 30)}...`);
  });
  it('the limit counts the CR: 12287 bytes and CR LF is a response like any other, 12288 and CR LF is too long', () => {
    const longest = `${'QUFB'.repeat(3_071)}QUF`;
    expect(lastReply([EHLO, 'AUTH PLAIN\r\n', `${longest}\r\n`])).toBe('535 5.7.8 Error: authentication failed: Invalid base64 data in continued response');
    expect(lastReply([EHLO, 'AUTH PLAIN\r\n', `${longest}Q\r\n`])).toBe('500 5.5.6 SASL response limit exceeded');
  });
});
