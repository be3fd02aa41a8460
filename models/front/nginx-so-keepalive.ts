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
 *  - src/core/ngx_parse.c ngx_parse_time() with is_sec (./nginx-parse-time.ts): units y M w d h m s, no "ms".
 * Linux builds have NGX_HAVE_KEEPALIVE_TUNABLE (TCP_KEEPIDLE exists), so the tunable form is parsed.
 */
import type { KeepAlive } from '../contract.ts';
import { NGX_MAX_INT_T_VALUE, ngxParseTime } from './nginx-parse-time.ts';

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
  const idle = idleText === '' ? 0n : ngxParseTime(idleText, 'seconds');
  const intvl = intvlText === '' ? 0n : ngxParseTime(intvlText, 'seconds');
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
