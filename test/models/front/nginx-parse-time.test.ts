/* nginx-parse-time - ngx_parse_time() in seconds and in milliseconds, and ngx_conf_set_msec_slot()'s refusal (src/core/ngx_parse.c, ngx_conf_file.c) */
import { describe, expect, it } from 'vitest';
import { ngxConfMsec, ngxParseTime } from '../../../models/front/nginx-parse-time.ts';

describe('ngx_parse_time(s, is_sec = 1)', () => {
  it('units y M w d h m s in that order, a last number in seconds, a space ending the units', () => {
    const cases: [string, bigint][] = [['30', 30n], ['30s', 30n], ['2m', 120n], ['1h30m', 5400n], ['1d 5', 86_405n], ['1w', 604_800n], ['1M', 2_592_000n], ['1y', 31_536_000n], ['1h 30', 3630n], ['1m30', 90n], ['1s 5', 6n], ['0', 0n]]; // the blanks after a unit are skipped
    for (const [text, seconds] of cases) expect(ngxParseTime(text, 'seconds'), text).toBe(seconds);
  });

  it('refuses milliseconds, units out of order or twice, a unit after a space, a blank after the seconds, no digits, unknown units, overflow', () => {
    for (const text of ['500ms', '1s500ms', '30m1h', '1s1s', '1 5s', '1 2 3', '5s3 ', 's', '', '10x', '9223372036854775808', '106751991167301d']) expect(ngxParseTime(text, 'seconds'), text).toBeNull();
    expect(ngxParseTime('9223372036854775807', 'seconds')).toBe(9_223_372_036_854_775_807n);
    expect(ngxParseTime('106751991167300d', 'seconds')).toBe(106_751_991_167_300n * 86_400n);
  });
});

describe('ngx_parse_time(s, is_sec = 0): milliseconds', () => {
  it('units w d h m s ms in that order; a unitless or blank-ended number is seconds', () => {
    const cases: [string, bigint][] = [['10s', 10_000n], ['10', 10_000n], ['500ms', 500n], ['1s500ms', 1500n], ['24h', 86_400_000n], ['1d', 86_400_000n], ['1w', 604_800_000n], ['1m 30', 90_000n], ['1h30m', 5_400_000n], ['5ms3', 3005n], ['5s ', 5000n], ['1 5', 6000n], ['1h ms', 3_600_000n], ['0', 0n], ['0ms', 0n]];
    for (const [text, ms] of cases) expect(ngxParseTime(text, 'milliseconds'), text).toBe(ms);
  });

  it('refuses years and months (the parse starts at st_month), ms twice or before another unit, a blank after the seconds, overflow', () => {
    for (const text of ['1y', '1M', '1ms1ms', '1ms1s', '5s3 ', '1 2 3', '', 'ms', '-1', '1.5s', '9223372036854776', '106751991168d']) expect(ngxParseTime(text, 'milliseconds'), text).toBeNull();
    expect(ngxParseTime('9223372036854775', 'milliseconds')).toBe(9_223_372_036_854_775_000n);
    expect(ngxParseTime('9223372036854775807ms', 'milliseconds')).toBe(9_223_372_036_854_775_807n);
    expect(ngxParseTime('9223372036854775s807ms', 'milliseconds')).toBe(9_223_372_036_854_775_807n);
    expect(ngxParseTime('9223372036854775s808ms', 'milliseconds')).toBeNull();
  });
});

describe('ngx_conf_set_msec_slot()', () => {
  it('the milliseconds, or `"<directive>" directive invalid value` as ngx_conf_handler() prints the slot\'s refusal', () => {
    expect(ngxConfMsec('proxy_timeout', '10s')).toBe(10_000n);
    expect(ngxConfMsec('proxy_timeout', '10x')).toBe('"proxy_timeout" directive invalid value');
  });
});
