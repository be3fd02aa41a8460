/* dovecot-auth-username - what Dovecot's auth process does with the user name before the passdb sees it
 *
 * dovecot/core 2.3.19.1 src/auth/mech-login.c mech_login_auth_continue(), mech-plain.c
 * mech_plain_auth_continue(), auth-request-fields.c auth_request_fix_username() ("Empty username",
 * auth_username_format "%Lu" from auth-settings.c; Mailu's proxy.conf sets neither it nor a
 * non-empty auth_username_chars).
 */
import { describe, expect, test } from 'vitest';
import { cString, dovecotAuthUsername } from '../../../models/front/dovecot-auth-username.ts';
import type { DirectDriver } from './direct-driver.ts';
import { CLIENT, greeted } from './dovecot-driver.ts';

const b64 = (text: string) => Buffer.from(text, 'latin1').toString('base64');
const lastWrite = (d: DirectDriver) => d.writes(CLIENT).at(-1);
/** The passdb request the session wrote, once its HTTP connection is up; undefined when it asked none. */
function passdbRequest(d: DirectDriver): string | undefined {
  const http = d.of('connect').at(-1)?.output.conn;
  if (http === undefined) return undefined;
  d.input({ kind: 'connected', conn: http, local: { host: '127.0.0.1', port: 50000 }, remote: { host: '127.0.0.1', port: 8080 } });
  return d.writes(http).join('');
}

describe('AUTH LOGIN with an empty user name', () => {
  test('fails at the user name: no Password: prompt, no passdb request, 535 after auth_failure_delay', () => {
    const d = greeted();
    d.bytes(CLIENT, 'AUTH LOGIN\r\n').advanceBy(1_000);
    expect(lastWrite(d)).toBe(`334 ${b64('Username:')}\r\n`);
    d.bytes(CLIENT, '\r\n').advanceBy(1_000);
    expect(lastWrite(d)).toBe(`334 ${b64('Username:')}\r\n`);
    d.advanceBy(1_990_000);
    expect(lastWrite(d)).toBe(`334 ${b64('Username:')}\r\n`);
    d.advanceBy(20_000);
    expect(lastWrite(d)).toBe('535 5.7.8 Authentication failed.\r\n');
    expect(d.of('connect')).toEqual([]);
  });

  test("as the initial response ('=') too, and the session takes commands again", () => {
    const d = greeted();
    d.bytes(CLIENT, 'AUTH LOGIN =\r\n').advanceBy(2_100_000);
    expect(lastWrite(d)).toBe('535 5.7.8 Authentication failed.\r\n');
    d.bytes(CLIENT, 'NOOP\r\n').advanceBy(1_000);
    expect(lastWrite(d)).toMatch(/^250 2\.0\.0 /);
  });

  test('a user name that is only a NUL is empty too (t_strndup); one that starts with a name keeps it', () => {
    const empty = greeted();
    empty.bytes(CLIENT, `AUTH LOGIN ${b64('\0alice')}\r\n`).advanceBy(1_000);
    expect(lastWrite(empty)).not.toBe(`334 ${b64('Password:')}\r\n`);
    const named = greeted();
    named.bytes(CLIENT, `AUTH LOGIN ${b64('alice@example.test\0x')}\r\n`).advanceBy(1_000);
    named.bytes(CLIENT, `${b64('secret\0y')}\r\n`).advanceBy(1_000);
    const request = passdbRequest(named);
    expect(request).toContain('Auth-User: alice@example.test\r\n');
    expect(request).toContain('Auth-Pass: secret\r\n');
  });
});

describe('auth_username_format %Lu: the passdb gets the name lower-cased, ASCII letters only', () => {
  test('AUTH PLAIN and AUTH LOGIN', () => {
    const plain = greeted();
    plain.bytes(CLIENT, `AUTH PLAIN ${b64('\0Alice@Example.TEST\0Secret')}\r\n`).advanceBy(1_000);
    expect(passdbRequest(plain)).toContain('Auth-User: alice@example.test\r\nAuth-Pass: Secret\r\n');
    const login = greeted();
    login.bytes(CLIENT, `AUTH LOGIN ${b64('BOB@EXAMPLE.TEST')}\r\n`).advanceBy(1_000);
    login.bytes(CLIENT, `${b64('S')}\r\n`).advanceBy(1_000);
    expect(passdbRequest(login)).toContain('Auth-User: bob@example.test\r\nAuth-Pass: S\r\n');
  });

  test('AUTH PLAIN with an empty authentication id fails without a passdb request', () => {
    const d = greeted();
    d.bytes(CLIENT, `AUTH PLAIN ${b64('\0\0secret')}\r\n`).advanceBy(2_100_000);
    expect(lastWrite(d)).toBe('535 5.7.8 Authentication failed.\r\n');
    expect(d.of('connect')).toEqual([]);
  });
});

describe('dovecotAuthUsername and cString', () => {
  test('lower-cases A-Z only: UTF-8 bytes and other letters stay', () => {
    expect(dovecotAuthUsername('ÀBC\u00c3\u0089@X')).toBe('Àbc\u00c3\u0089@x');
    expect(dovecotAuthUsername('')).toBeNull();
    expect(dovecotAuthUsername('\0x')).toBeNull();
  });

  test('cString ends at the first NUL', () => {
    expect([cString('ab\0cd\0'), cString('ab'), cString('\0')]).toEqual(['ab', 'ab', '']);
  });
});
