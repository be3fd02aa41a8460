/* nginx-base64 - a SASL response as nginx decodes it, alone and in a session
 *
 * nginx/nginx src/core/ngx_string.c ngx_decode_base64_internal() (the same at release-1.22.0 and
 * release-1.29.8): up to the first '=' only, each byte in basis64, the length not 1 mod 4;
 * src/mail/ngx_mail_parse.c ngx_mail_smtp_parse_command() (sw_argument ends an argument at a space, and
 * pushes an empty one at the CR of an empty continuation line) and src/mail/ngx_mail_handler.c
 * ngx_mail_auth_login_username(), ngx_mail_auth_plain().
 */
import { describe, expect, test } from 'vitest';
import { mailuNginxConfig } from '../../../models/front/config.ts';
import { ngxAuthBase64, ngxAuthPlain, ngxDecodeBase64 } from '../../../models/front/nginx-base64.ts';
import { NginxFront } from '../../../models/front/nginx-front.ts';
import { DirectDriver } from './direct-driver.ts';

const CLIENT = 'client1';
const INVALID = '500 5.5.1 Invalid command\r\n';
const USERNAME = '334 VXNlcm5hbWU6\r\n';
const PASSWORD = '334 UGFzc3dvcmQ6\r\n';

/** A greeted nginx front (smtp_auth plain login), its client's lines each answered before the next. */
function session(...lines: string[]): DirectDriver {
  const d = new DirectDriver(new NginxFront({ ...mailuNginxConfig, smtp_auth: ['plain', 'login'] }));
  d.input({ kind: 'accepted', conn: CLIENT, local: { host: '127.0.0.1', port: 587 }, remote: { host: '203.0.113.25', port: 40000 } });
  d.advanceBy(1_000);
  for (const line of lines) d.bytes(CLIENT, `${line}\r\n`).advanceBy(1_000);
  return d;
}

/** The auth_http request the session opened, once connected; undefined when it opened none. */
function authRequest(d: DirectDriver): string | undefined {
  const conn = d.of('connect').at(-1)?.output.conn;
  if (conn === undefined) return undefined;
  d.input({ kind: 'connected', conn, local: { host: '127.0.0.1', port: 50000 }, remote: { host: '127.0.0.1', port: 8080 } });
  return d.writes(conn).join('');
}

describe('ngxDecodeBase64', () => {
  test("reads up to the first '=' only: the padding's length and what follows are not checked", () => {
    for (const text of ['YQ', 'YQ=', 'YQ==', 'YQ===', 'YQ=x!', 'YQ==garbage==']) expect([text, ngxDecodeBase64(text)]).toEqual([text, 'a']);
    expect(ngxDecodeBase64('YWJj=ZGVm')).toBe('abc');
  });

  test('a length of 1 mod 4 before the first = is refused, whatever the padding makes the whole', () => {
    for (const text of ['Y', 'YWJjZ', 'YWJjZ=', 'YWJjZ==', 'YWJjZ===']) expect([text, ngxDecodeBase64(text)]).toEqual([text, null]);
    expect(ngxDecodeBase64('YWJjZA=')).toBe('abcd');
  });

  test('a byte outside A-Z a-z 0-9 + / before the first = is refused (basis64 77); the URL alphabet too', () => {
    for (const text of ['YW Jj', 'YW-j', 'YW_j', 'YWJj\u00e9', '!!!!', '*']) expect([text, ngxDecodeBase64(text)]).toEqual([text, null]);
  });

  test('empty, or nothing before the first =, decodes to nothing', () => {
    expect([ngxDecodeBase64(''), ngxDecodeBase64('='), ngxDecodeBase64('==x')]).toEqual(['', '', '']);
  });
});

describe('in a session', () => {
  test("AUTH PLAIN's blob with junk after its padding logs in with the credentials before it", () => {
    const blob = `${Buffer.from('\0alice@example.test\0secret').toString('base64')}=junk`;
    expect(authRequest(session(`AUTH PLAIN ${blob}`))).toContain('Auth-User: alice@example.test\r\nAuth-Pass: secret\r\n');
  });

  test('a user name whose base64 is 1 mod 4 long before its padding is 500, however much padding follows', () => {
    expect(session('AUTH LOGIN', 'YWJjZ==').writes(CLIENT).slice(1)).toEqual([USERNAME, INVALID]);
  });

  test('AUTH LOGIN with an empty user name line: an empty login, then Password:, and an empty password goes to auth_http', () => {
    const d = session('AUTH LOGIN', '', '');
    expect(d.writes(CLIENT).slice(1)).toEqual([USERNAME, PASSWORD]);
    expect(authRequest(d)).toContain('Auth-User: \r\nAuth-Pass: \r\n');
  });

  test('a continuation line is read up to its first space: the rest is ignored, a leading space makes it empty', () => {
    const user = Buffer.from('alice@example.test').toString('base64');
    const d = session('AUTH LOGIN', `${user} trailing words`, ' c2VjcmV0');
    expect(d.writes(CLIENT).slice(1)).toEqual([USERNAME, PASSWORD]);
    expect(authRequest(d)).toContain('Auth-User: alice@example.test\r\nAuth-Pass: \r\n');
  });

  test('AUTH PLAIN with an empty response: nothing decoded, no NUL, 500 and no auth_http request', () => {
    const d = session('AUTH PLAIN', '');
    expect(d.writes(CLIENT).slice(1)).toEqual(['334 \r\n', INVALID]);
    expect(authRequest(d)).toBeUndefined();
  });
});

describe('ngxAuthPlain and ngxAuthBase64: what the AUTH handlers refuse, and the line they log', () => {
  const plain = (decoded: string) => ngxAuthPlain(Buffer.from(decoded, 'latin1').toString('base64'));
  test('the authzid up to its NUL is skipped; empty login and password are taken', () => {
    expect(plain('authz\0alice\0secret')).toEqual({ login: 'alice', passwd: 'secret' });
    expect(plain('\0\0')).toEqual({ login: '', passwd: '' });
    expect(plain('\0a\0b\0c')).toEqual({ login: 'a', passwd: 'b\0c' });
  });

  test('no byte after the first NUL (none, or it ends the blob) is an invalid login; no second NUL an invalid password', () => {
    for (const decoded of ['', 'alice', 'authz\0', '\0']) expect([decoded, plain(decoded)]).toEqual([decoded, { refused: 'client sent invalid login in AUTH PLAIN command' }]);
    expect(plain('\0alice')).toEqual({ refused: 'client sent invalid password in AUTH PLAIN command' });
    expect(ngxAuthPlain('*')).toEqual({ refused: 'client sent invalid base64 encoding in AUTH PLAIN command' });
  });

  test('LOGIN and EXTERNAL name their mechanism', () => {
    expect(ngxAuthBase64('YQ==', 'LOGIN')).toEqual({ value: 'a' });
    expect(ngxAuthBase64('Y', 'LOGIN')).toEqual({ refused: 'client sent invalid base64 encoding in AUTH LOGIN command' });
    expect(ngxAuthBase64('*', 'EXTERNAL')).toEqual({ refused: 'client sent invalid base64 encoding in AUTH EXTERNAL command' });
  });
});
