/* haproxy-time - parse_time_err() in milliseconds and seconds (src/tools.c @50872daa6) */
import { describe, expect, it } from 'vitest';
import { parseTimeErr } from '../../../models/front/haproxy-time.ts';

describe('parse_time_err()', () => {
  it('reads each unit into milliseconds (TIME_UNIT_MS: no unit is ms), rounding up', () => {
    const cases: [string, number][] = [['0', 0], ['250', 250], ['1us', 1], ['1500us', 2], ['10ms', 10], ['10s', 10_000], ['1m', 60_000], ['2h', 7_200_000], ['1d', 86_400_000]];
    for (const [text, ms] of cases) expect(parseTimeErr(text, 'ms'), text).toEqual({ value: ms });
  });

  it('reads into seconds (TIME_UNIT_S: no unit is s) and takes text after a unit (only a warning there)', () => {
    expect(parseTimeErr('30', 's')).toEqual({ value: 30 });
    expect(parseTimeErr('1ms', 's')).toEqual({ value: 1 });
    expect(parseTimeErr('30sec', 's')).toEqual({ value: 30 });
    expect(parseTimeErr('1mx', 'ms')).toEqual({ value: 60_000 });
  });

  it('stops at the first character it cannot take, and overflows at 2^31 in the unit', () => {
    expect(parseTimeErr('', 'ms')).toEqual({ unexpected: '' });
    expect(parseTimeErr('1.5s', 'ms')).toEqual({ unexpected: '.' });
    expect(parseTimeErr('10u', 'ms')).toEqual({ unexpected: 'u' });
    expect(parseTimeErr('-1', 'ms')).toEqual({ unexpected: '-' });
    expect(parseTimeErr('2147483647', 'ms')).toEqual({ value: 2147483647 });
    expect(parseTimeErr('2147483648', 'ms')).toEqual({ overflow: true });
    expect(parseTimeErr('25d', 'ms')).toEqual({ overflow: true });
  });
});
