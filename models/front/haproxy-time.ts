/* front/haproxy-time - HAProxy's time values: parse_time_err() in milliseconds or seconds
 *
 * haproxy/haproxy @50872daa6, src/tools.c parse_time_err() (read, not copied): digits, then an
 * optional unit (us, ms, s, m, h, d; none is the caller's unit: TIME_UNIT_MS for `timeout`,
 * TIME_UNIT_S for `clitcpka-idle`...), converted to the caller's unit rounded up; a unit followed
 * by more text is only a warning ("This will be reported as an error in next versions"), 2^31 or
 * more is PARSE_TIME_OVER. Its underflow (a non-zero value that rounds to 0) cannot happen: the
 * conversion rounds up. doc/configuration.txt 2.5 (time format).
 */

/** Each unit in microseconds ('' is the caller's unit). */
const UNIT_US: Readonly<Record<string, bigint>> = { us: 1n, ms: 1000n, s: 1_000_000n, m: 60_000_000n, h: 3_600_000_000n, d: 86_400_000_000n };
const CALLER_UNIT_US: Readonly<Record<'ms' | 's', bigint>> = { ms: 1000n, s: 1_000_000n };

export type TimeParse = { readonly value: number } | { readonly unexpected: string } | { readonly overflow: true };

/** parse_time_err(text, unit): the value in `unit`, the character it stops at, or an overflow. */
export function parseTimeErr(text: string, unit: 'ms' | 's'): TimeParse {
  const match = /^(\d+)(us|ms|m|s|h|d)?/.exec(text);
  if (match === null) return { unexpected: text[0] ?? '' };
  if (match[2] === undefined && match[0].length < text.length) return { unexpected: text[match[0].length]! };
  const callerUs = CALLER_UNIT_US[unit];
  const us = BigInt(match[1]!) * (match[2] === undefined ? callerUs : UNIT_US[match[2]]!);
  const value = (us + callerUs - 1n) / callerUs;
  return value >= 0x80000000n ? { overflow: true } : { value: Number(value) };
}
