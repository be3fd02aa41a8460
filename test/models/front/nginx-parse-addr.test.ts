/* nginx-parse-addr - Auth-Server as ngx_parse_addr() reads it (src/core/ngx_inet.c, release-1.22.1 .. release-1.31.4)
 *
 * Every row was sent as Auth-Server to Debian's nginx 1.22.1 (libnginx-mod-mail) by an auth_http
 * server answering OK, on 2026-11-30: a null row was logged "sent invalid server address", the others
 * were connected to (a 127.0.0.1 listener took 0127.0.0.001, ::ffff:127.0.0.1, ::FFFF:127.0.0.1,
 * ::ffff:7f00:1; ::1 and :0:0:0:0:0:0:0:1 reached a ::1 listener; 127.0.0. and .127.0.0 were refused,
 * 111, and ::1.2.3.4 had no route, 113: addresses nobody listens on).
 */
import { describe, expect, test } from 'vitest';
import { ngxParseAddr } from '../../../models/front/nginx-parse-addr.ts';

describe('ngxParseAddr', () => {
  test.each([
    ['127.0.0.1', '127.0.0.1'],
    ['0127.0.0.001', '127.0.0.1'],
    ['127.0.0.', '127.0.0.0'],
    ['.127.0.0', '0.127.0.0'],
    ['::1', '::1'],
    [':0:0:0:0:0:0:0:1', '::1'],
    ['::ffff:127.0.0.1', '127.0.0.1'],
    ['::FFFF:127.0.0.1', '127.0.0.1'],
    ['::ffff:7f00:1', '127.0.0.1'],
    ['::1.2.3.4', '::102:304'],
  ])('%s is an address nginx connects to: %s', (text, address) => {
    expect(ngxParseAddr(text)).toBe(address);
  });

  test.each(['127..1', '127.0.0.1.1', '255.255.255.255', ':::1', '0:0:0:0:0:0:0:1:', '1::2::3', '127.0.0.256', 'localhost'])('%s is an invalid server address', (text) => {
    expect(ngxParseAddr(text)).toBeNull();
  });

  test('the IPv6 reader from its source: groups of at most four nibbles, eight groups or a "::", an embedded IPv4 address in the last two', () => {
    expect(ngxParseAddr('1:2:3:4:5:6:7:8')).toBe('1:2:3:4:5:6:7:8');
    expect(ngxParseAddr('1::')).toBe('1::');
    expect(ngxParseAddr('::')).toBe('::');
    expect(ngxParseAddr('1:2:3:4:5:6:7')).toBeNull();
    expect(ngxParseAddr('1:2:3:4:5:6:7::8')).toBeNull();
    expect(ngxParseAddr('12345::1')).toBeNull();
    expect(ngxParseAddr('1:2:3:4:5:6:1.2.3.4')).toBe('1:2:3:4:5:6:102:304');
    expect(ngxParseAddr('1:2:3:4:5:6:7:1.2.3.4')).toBeNull();
    expect(ngxParseAddr('::ffff:255.255.255.255')).toBeNull();
    expect(ngxParseAddr('::g')).toBeNull();
    expect(ngxParseAddr(':')).toBeNull();
    expect(ngxParseAddr('')).toBeNull();
  });
});
