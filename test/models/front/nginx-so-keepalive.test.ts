/* nginx-so-keepalive - `listen ... so_keepalive=` as ngx_mail_core_listen() parses it (nginx release-1.26.3)
 *
 * on/off, or [keepidle]:[keepintvl]:[keepcnt] with ngx_parse_time(s, 1) for the times and ngx_atoi()
 * for the count; a field refused, or all three 0/empty, is `invalid so_keepalive value: "..."`.
 */
import { describe, expect, it } from 'vitest';
import { ngxParseSeconds, parseSoKeepalive, soKeepaliveProblem } from '../../../models/front/nginx-so-keepalive.ts';

describe('ngx_parse_time(s, is_sec = 1)', () => {
  it('units y M w d h m s in that order, a last number in seconds, a space ending the units', () => {
    const cases: [string, bigint][] = [['30', 30n], ['30s', 30n], ['2m', 120n], ['1h30m', 5400n], ['1d 5', 86_405n], ['1w', 604_800n], ['1M', 2_592_000n], ['1y', 31_536_000n], ['1h 30', 3630n], ['1m30', 90n], ['1s 5', 6n], ['0', 0n]]; // the blanks after a unit are skipped
    for (const [text, seconds] of cases) expect(ngxParseSeconds(text), text).toBe(seconds);
  });

  it('refuses milliseconds, units out of order or twice, a unit after a space, no digits, unknown units, overflow', () => {
    for (const text of ['500ms', '30m1h', '1s1s', '1 5s', '1 2 3', 's', '', '10x', '9223372036854775808', '106751991167301d']) expect(ngxParseSeconds(text), text).toBeNull();
    expect(ngxParseSeconds('9223372036854775807')).toBe(9_223_372_036_854_775_807n);
  });
});

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
