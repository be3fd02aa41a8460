/* dovecot-base64 - a SASL response as Dovecot's auth process decodes it, alone and in a session
 *
 * dovecot/core 2.3.19.1 src/auth/auth-request-handler.c (initial and continued responses through
 * base64_decode(), "Invalid base64 data in ... response"), src/lib/base64.c base64_decode_more()
 * and base64_decode_finish() with flags 0: whitespace skipped, padding required; src/submission-login/client.c
 * max_auth_size = LOGIN_MAX_AUTH_BUF_SIZE (8192), src/lib-smtp/smtp-command-parser.c smtp_command_parse_parameters().
 */
import { describe, expect, test } from 'vitest';
import { decodeSaslBase64 } from '../../../models/front/kit/sasl.ts';
import { CLIENT, greeted } from './dovecot-driver.ts';

describe('decodeSaslBase64', () => {
  test('whole groups, with the padding the last one needs', () => {
    for (const [text, decoded] of [['YWJj', 'abc'], ['YQ==', 'a'], ['YWI=', 'ab'], ['', '']] as const) expect([text, decodeSaslBase64(text)]).toEqual([text, decoded]);
  });

  test('no padding, short padding, padding too long or inside the data: refused', () => {
    for (const text of ['YQ', 'YWI', 'YQ=', 'Y===', 'YQ===', 'YWJj=', 'YQ==YQ==', 'YQ==x', 'Y']) expect([text, decodeSaslBase64(text)]).toEqual([text, null]);
  });

  test('space, tab, CR and LF anywhere are skipped, also inside the padding', () => {
    expect([decodeSaslBase64('YW Jj'), decodeSaslBase64('\tY Q = =\r\n'), decodeSaslBase64(' YWI=  ')]).toEqual(['abc', 'a', 'ab']);
  });

  test('a byte outside the alphabet is refused, the URL alphabet too', () => {
    for (const text of ['YW-j', 'YW_j', '!!!!', 'YW\u00e9j']) expect([text, decodeSaslBase64(text)]).toEqual([text, null]);
  });
});

describe('in a session', () => {
  test('an unpadded LOGIN user name is "501 5.5.2 Invalid base64 data in continued response"', () => {
    const d = greeted();
    d.bytes(CLIENT, 'AUTH LOGIN\r\n').advanceBy(1_000);
    d.bytes(CLIENT, `${Buffer.from('bob@example.test').toString('base64').replace(/=+$/, '')}\r\n`).advanceBy(1_000);
    expect(d.writes(CLIENT).at(-1)).toBe('501 5.5.2 Invalid base64 data in continued response\r\n');
  });

  test('an unpadded initial response is refused as the initial one', () => {
    const d = greeted();
    d.bytes(CLIENT, `AUTH PLAIN ${Buffer.from('\0alice@example.test\0secret').toString('base64').replace(/=+$/, '')}\r\n`).advanceBy(1_000);
    expect(d.writes(CLIENT).at(-1)).toBe('501 5.5.2 Invalid base64 data in initial response\r\n');
  });

  test('an initial response with a UTF-8 character reaches the auth process: "Invalid base64 data in initial response", nothing left pending', () => {
    // lib-smtp's command parser lets whole UTF-8 characters into parameters (smtp_command_parse_parameters()), and
    // smtp_server_cmd_auth() hands argv[1] on unchecked: only a continued response is held to textstr
    // (smtp_command_parse_auth_response()); base64_decode() in auth-request-handler.c refuses it (2.3.19.1).
    const d = greeted();
    d.bytes(CLIENT, 'AUTH PLAIN YW\xc3\xa9Jj\r\n').advanceBy(1_000);
    expect(d.writes(CLIENT).at(-1)).toBe('501 5.5.2 Invalid base64 data in initial response\r\n');
    d.bytes(CLIENT, 'AUTH PLAIN\r\n').advanceBy(1_000);
    expect(d.writes(CLIENT).at(-1)).toBe('334 \r\n');
  });

  test('a continued response may be 8192 characters long (LOGIN_MAX_AUTH_BUF_SIZE, CR LF not counted); 8193 is "500 5.5.2 Line too long"', () => {
    const answer = (length: number) => {
      const d = greeted();
      d.bytes(CLIENT, 'AUTH LOGIN\r\n').advanceBy(1_000);
      d.bytes(CLIENT, `${'QUFB'.repeat(length / 4)}${'A'.repeat(length % 4)}\r\n`).advanceBy(1_000);
      return d.writes(CLIENT).at(-1);
    };
    expect([answer(8192), answer(8193)]).toEqual([`334 ${Buffer.from('Password:').toString('base64')}\r\n`, '500 5.5.2 Line too long\r\n']);
  });

  test('a continued response with a space inside is read without it', () => {
    const d = greeted();
    d.bytes(CLIENT, 'AUTH LOGIN\r\n').advanceBy(1_000);
    const user = Buffer.from('alice@example.test').toString('base64');
    d.bytes(CLIENT, `${user.slice(0, 4)} ${user.slice(4)}\r\n`).advanceBy(1_000);
    expect(d.writes(CLIENT).at(-1)).toBe(`334 ${Buffer.from('Password:').toString('base64')}\r\n`);
  });
});
