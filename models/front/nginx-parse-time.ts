/* front/nginx-parse-time - nginx's times as its configuration parser reads them: ngx_parse_time() and the msec slot
 *
 * nginx/nginx src/core/ngx_parse.c ngx_parse_time(line, is_sec) (unchanged release-1.22.0 .. release-1.29.8;
 * read, not copied): digits followed by units in a fixed order, each at most once: y M w d h m s ms.
 * In seconds (is_sec = 1) "ms" is refused; in milliseconds (is_sec = 0) the parse starts past the
 * month, so "y" and "M" are refused too. A blank ends the units (st_last): a number after it is
 * the last, and a blank met at or after the seconds is refused; the blanks after a unit are
 * skipped. A last number without unit is seconds. Every step is checked against NGX_MAX_INT_T_VALUE.
 * src/core/ngx_conf_file.c ngx_conf_set_msec_slot(): a time in milliseconds, NGX_ERROR is
 * "invalid value", a second one in the same block "is duplicate"; ngx_conf_handler() prints it as
 * `"<directive>" directive <message>`.
 */

/** The largest ngx_int_t on a 64-bit build. */
export const NGX_MAX_INT_T_VALUE = 2n ** 63n - 1n;

/** ngx_parse_time()'s units in the order they may come, with their milliseconds. */
const TIME_STEPS: readonly (readonly [string, bigint])[] = [
  ['y', 1000n * 60n * 60n * 24n * 365n], ['M', 1000n * 60n * 60n * 24n * 30n], ['w', 1000n * 60n * 60n * 24n * 7n], ['d', 1000n * 60n * 60n * 24n],
  ['h', 1000n * 3600n], ['m', 1000n * 60n], ['s', 1000n], ['ms', 1n],
];
const STEP_SEC = TIME_STEPS.findIndex(([name]) => name === 's');
const STEP_MSEC = TIME_STEPS.length - 1;
/** After a blank (st_last): no unit may follow. */
const STEP_LAST = TIME_STEPS.length;
/** Where each mode starts: st_start, or st_month for milliseconds (a unit must come after it). */
const FIRST_STEP = { seconds: -1, milliseconds: TIME_STEPS.findIndex(([name]) => name === 'M') } as const;

export type NginxTimeUnit = keyof typeof FIRST_STEP;

/** ngx_parse_time(text, unit === 'seconds'): whole seconds or milliseconds, or null where nginx returns NGX_ERROR. */
export function ngxParseTime(text: string, unit: NginxTimeUnit): bigint | null {
  const perMs = unit === 'seconds' ? 1000n : 1n;
  let step = FIRST_STEP[unit];
  let value = 0n;
  let total = 0n;
  let valid = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i++]!;
    if (c >= '0' && c <= '9') {
      value = value * 10n + BigInt(c.charCodeAt(0) - 48);
      if (value > NGX_MAX_INT_T_VALUE) return null;
      valid = true;
      continue;
    }
    let next: number;
    if (c === ' ') {
      if (step >= STEP_SEC) return null;
      next = STEP_LAST;
    } else {
      next = TIME_STEPS.findIndex(([name]) => name === (c === 'm' && text[i] === 's' ? 'ms' : c));
      if (next === -1 || step >= next || (next === STEP_MSEC && unit === 'seconds')) return null;
      if (next === STEP_MSEC) i++;
    }
    step = next;
    // a blank's number is seconds, as a number at the end is
    const scale = (TIME_STEPS[next]?.[1] ?? 1000n) / perMs;
    if (value * scale > NGX_MAX_INT_T_VALUE - total) return null;
    total += value * scale;
    value = 0n;
    while (text[i] === ' ') i++;
  }
  const last = value * (1000n / perMs);
  if (!valid || last > NGX_MAX_INT_T_VALUE - total) return null;
  return total + last;
}

/** ngx_conf_set_msec_slot(): the directive's milliseconds, or its refusal as `nginx -t` prints it. */
export function ngxConfMsec(directive: string, text: string): bigint | string {
  return ngxParseTime(text, 'milliseconds') ?? `"${directive}" directive invalid value`;
}

/** The longest time the lab's virtual clock holds: µs in a double, exact up to Number.MAX_SAFE_INTEGER (285 years). */
const LAB_MAX_MS = BigInt(Math.floor(Number.MAX_SAFE_INTEGER / 1000));

/**
 * A msec directive's value for the lab (ms), or why not: nginx's own refusal, or a time nginx takes
 * (up to NGX_MAX_INT_T_VALUE ms) that the lab's µs clock cannot hold.
 */
export function labMilliseconds(directive: string, text: string): number | string {
  const ms = ngxConfMsec(directive, text);
  if (typeof ms === 'string') return ms;
  return ms > LAB_MAX_MS ? `${directive} ${text}: nginx takes it, but the lab's virtual clock (µs) reaches ${LAB_MAX_MS} ms at most` : Number(ms);
}
