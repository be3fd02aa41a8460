/* nginx-so-keepalive - `listen ... so_keepalive=` as ngx_mail_core_listen() parses it (nginx release-1.26.3)
 *
 * on/off, or [keepidle]:[keepintvl]:[keepcnt] with ngx_parse_time(s, 1) for the times and ngx_atoi()
 * for the count; a field refused, or all three 0/empty, is `invalid so_keepalive value: "..."`.
 */
import { describe, expect, it } from 'vitest';
import { parseSoKeepalive, soKeepaliveProblem } from '../../../models/front/nginx-so-keepalive.ts';

describe('so_keepalive=', () => {
  it('on sets SO_KEEPALIVE with the sysctls, off clears it', () => {
    expect(parseSoKeepalive('on')).toBe(true);
    expect(parseSoKeepalive('off')).toBe(false);
  });

  it('keepidle:keepintvl:keepcnt, each field optional; 0 is not set (only non-zero values are passed to setsockopt())', () => {
    expect(parseSoKeepalive('30m::10')).toEqual({ idleS: 1800, intvlS: undefined, cnt: 10 });
    expect(parseSoKeepalive('30')).toEqual({ idleS: 30, intvlS: undefined, cnt: undefined });
    expect(parseSoKeepalive(':75')).toEqual({ idleS: undefined, intvlS: 75, cnt: undefined });
    expect(parseSoKeepalive('0:0:3')).toEqual({ idleS: undefined, intvlS: undefined, cnt: 3 });
    expect(parseSoKeepalive('1h:1m:9')).toEqual({ idleS: 3600, intvlS: 60, cnt: 9 });
  });

  it('refuses, as `nginx -t` does, a bad field, a fourth field, or nothing set', () => {
    for (const value of ['', ':', '::', '0:0:0', '30ms', 'yes', '1:2:3:4', '1:2:x', '1:2:-3', 'ON']) {
      expect(parseSoKeepalive(value), value).toBe(`invalid so_keepalive value: "${value}"`);
    }
  });

  it("a scenario's front.so_keepalive: empty is a listen line without the parameter", () => {
    expect(soKeepaliveProblem('')).toBeNull();
    expect(soKeepaliveProblem('on')).toBeNull();
    expect(soKeepaliveProblem('1:2:x')).toBe('invalid so_keepalive value: "1:2:x"');
  });
});
