/* front/nginx-so-keepalive - `listen ... so_keepalive=on|off|[keepidle]:[keepintvl]:[keepcnt]` as nginx reads it
 *
 * nginx/nginx release-1.26.3 (read, not copied):
 *  - src/mail/ngx_mail_core_module.c ngx_mail_core_listen(): "on" sets SO_KEEPALIVE, "off" clears it;
 *    otherwise up to three ':'-separated fields, each may be empty: keepidle and keepintvl through
 *    ngx_parse_time(s, 1) (seconds), keepcnt through ngx_atoi(); a field they refuse, or all three
 *    0/empty, is "invalid so_keepalive value: \"...\"" (NGX_LOG_EMERG: `nginx -t` fails). The
 *    tunable form also sets SO_KEEPALIVE. Without the parameter nginx leaves SO_KEEPALIVE alone (off).
 *  - src/core/ngx_connection.c ngx_configure_listening_sockets(): SO_KEEPALIVE, then TCP_KEEPIDLE,
 *    TCP_KEEPINTVL, TCP_KEEPCNT for each non-zero one on the listening socket; a setsockopt() that
 *    fails is logged "... failed, ignored" (Linux's range: sim/tcp/kernel-timers.ts keepAliveTimes()).
 *    Every accepted connection inherits them from the listener.
 *  - src/core/ngx_parse.c ngx_parse_time() with is_sec: digits followed by units y M w d h m s in that
 *    order, each at most once ("ms" is refused), a space ends the units, a last number is seconds.
 * Linux builds have NGX_HAVE_KEEPALIVE_TUNABLE (TCP_KEEPIDLE exists), so the tunable form is parsed.
 */
import type { KeepAlive } from '../contract.ts';

const NGX_MAX_INT_T_VALUE = 2n ** 63n - 1n;

/** ngx_parse_time()'s units in the order they may come, with their seconds. */
const TIME_STEPS: readonly (readonly [string, bigint])[] = [
  ['y', 60n * 60n * 24n * 365n], ['M', 60n * 60n * 24n * 30n], ['w', 60n * 60n * 24n * 7n], ['d', 60n * 60n * 24n], ['h', 3600n], ['m', 60n], ['s', 1n],
];
/** After a space (st_last): no unit may follow. */
const STEP_LAST = TIME_STEPS.length;

/** ngx_parse_time(text, 1): whole seconds, or null where nginx returns NGX_ERROR. */
export function ngxParseSeconds(text: string): bigint | null {
  let step = -1;
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
    // "ms" is milliseconds, which a time in seconds refuses
    if (c === 'm' && text[i] === 's') return null;
    let scale = 1n;
    if (c === ' ') {
      // nginx refuses it from st_sec on; the blanks after a unit are skipped below, so only a second blank-ended number gets here
      if (step === STEP_LAST) return null;
      step = STEP_LAST;
    } else {
      const unit = TIME_STEPS.findIndex(([name]) => name === c);
      if (unit === -1 || step >= unit) return null;
      step = unit;
      scale = TIME_STEPS[unit]![1];
    }
    if (value * scale > NGX_MAX_INT_T_VALUE - total) return null;
    total += value * scale;
    value = 0n;
    while (text[i] === ' ') i++;
  }
  if (!valid || total > NGX_MAX_INT_T_VALUE - value) return null;
  return total + value;
}

/** ngx_atoi(): decimal digits only, at least one; null where nginx returns NGX_ERROR. */
function ngxAtoi(text: string): bigint | null {
  if (!/^\d+$/.test(text)) return null;
  const value = BigInt(text);
  return value > NGX_MAX_INT_T_VALUE ? null : value;
}

/** The keepalive a listen line's so_keepalive value sets, or the refusal as nginx words it (a string). */
export function parseSoKeepalive(value: string): KeepAlive | string {
  if (value === 'on') return true;
  if (value === 'off') return false;
  // at most three fields: whatever follows a third ':' belongs to keepcnt, which ngx_atoi() then refuses
  const [idleText = '', intvlText = '', ...cntParts] = value.split(':');
  const cntText = cntParts.join(':');
  const idle = idleText === '' ? 0n : ngxParseSeconds(idleText);
  const intvl = intvlText === '' ? 0n : ngxParseSeconds(intvlText);
  const cnt = cntText === '' ? 0n : ngxAtoi(cntText);
  if (idle === null || intvl === null || cnt === null || (idle === 0n && intvl === 0n && cnt === 0n)) return `invalid so_keepalive value: "${value}"`;
  // 0 is "not set": ngx_configure_listening_sockets() passes only non-zero values
  const given = (n: bigint) => (n === 0n ? undefined : Number(n));
  return { idleS: given(idle), intvlS: given(intvl), cnt: given(cnt) };
}

/** The refusal for a scenario's front.so_keepalive, or null (empty: the parameter not given). */
export function soKeepaliveProblem(value: string): string | null {
  if (value === '') return null;
  const parsed = parseSoKeepalive(value);
  return typeof parsed === 'string' ? parsed : null;
}
