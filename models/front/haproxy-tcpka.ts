/* front/haproxy-tcpka - HAProxy's TCP keepalive: option clitcpka / srvtcpka / tcpka and their -idle, -intvl, -cnt
 *
 * haproxy/haproxy @50872daa6 (read, not copied):
 *  - src/proxy.c cfg_opts: `option clitcpka` (a frontend's), `option srvtcpka` (a backend's);
 *    src/cfgparse-listen.c: `option tcpka` sets both where the section has that side (a `listen` or
 *    `defaults` section has both). Unset, HAProxy leaves SO_KEEPALIVE off;
 *  - src/proxy.c proxy_parse_tcpka_idle()/_intvl(): parse_time_err(value, TIME_UNIT_S) (src/tools.c,
 *    ./haproxy-time.ts): digits, then an optional unit (none is seconds), rounded up to whole seconds;
 *    proxy_parse_tcpka_cnt(): strtol(value, &end, 0) (decimal, 0x hex, 0 octal), nothing may follow;
 *  - src/session.c session_accept_fd() (PR_O_TCP_CLI_KA) and src/proto_tcp.c tcp_connect_server()
 *    (PR_O_TCP_SRV_KA): SO_KEEPALIVE on the socket, then TCP_KEEPCNT, TCP_KEEPIDLE, TCP_KEEPINTVL for
 *    each one that is not 0 (0: the kernel's sysctl), their results unchecked.
 * The lab's keys hold what haproxy.cfg writes; a value HAProxy's parser refuses is refused with its
 * message (`haproxy -c` prints it after "parsing [file:line] : ").
 */
import type { KeepAlive } from '../contract.ts';
import { parseTimeErr } from './haproxy-time.ts';

/** One side's settings, as written: `option <side>tcpka` and the three values ('' when not set). */
export interface TcpKaSettings {
  readonly enabled: boolean;
  readonly idle: string;
  readonly intvl: string;
  readonly cnt: string;
}

/** parse_time_err(value, TIME_UNIT_S) (./haproxy-time.ts): the value, or the refusal proxy_parse_tcpka_idle()/_intvl() print. */
export function parseTcpkaTime(keyword: string, text: string): number | string {
  const parsed = parseTimeErr(text, 's'); // text is never empty: '' is not set
  if ('unexpected' in parsed) return `unexpected character '${parsed.unexpected}' in argument to <${keyword}>.`;
  if ('overflow' in parsed) return `timer overflow in argument '${text}' to '${keyword}' (maximum value is 2147483647 ms or ~24.8 days)`;
  return parsed.value;
}

/** strtol(text, &end, 0) as proxy_parse_tcpka_cnt() reads it: the value, or its refusal. */
export function parseTcpkaCnt(keyword: string, text: string): number | string {
  const match = /^\s*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9]\d*)/.exec(text);
  const rest = match === null ? text : text.slice(match[0].length);
  if (match === null || rest !== '') return `'${keyword}' : unexpected character '${rest[0] ?? ''}' in integer value '${text}'`;
  const digits = match[2]!;
  const magnitude = /^0[xX]/.test(digits) ? parseInt(digits.slice(2), 16) : digits.length > 1 ? parseInt(digits, 8) : Number(digits);
  return match[1] === '-' ? -magnitude : magnitude;
}

/** What HAProxy's parser makes of `<keyword> <text>`: a number, or its refusal. */
function parseTcpka(keyword: string, text: string): number | string {
  return keyword.endsWith('-cnt') ? parseTcpkaCnt(keyword, text) : parseTcpkaTime(keyword, text);
}

/** The refusal HAProxy's parser gives `<keyword> <text>`, or null when it takes it (empty: not set). */
export function tcpkaProblem(keyword: string, text: string): string | null {
  const parsed = text === '' ? 0 : parseTcpka(keyword, text);
  return typeof parsed === 'string' ? parsed : null;
}

/**
 * What session_accept_fd()/tcp_connect_server() set on a side's socket. A value that is 0 or not set
 * is not passed to setsockopt(), and one Linux refuses is dropped there (sim/tcp/kernel-timers.ts
 * keepAliveTimes()): both leave the sysctl.
 */
export function tcpkaKeepAlive(side: 'cli' | 'srv', settings: TcpKaSettings): KeepAlive {
  if (!settings.enabled) return false;
  const value = (name: 'idle' | 'intvl' | 'cnt'): number | undefined => {
    const keyword = `${side}tcpka-${name}`;
    const parsed = settings[name] === '' ? undefined : parseTcpka(keyword, settings[name]);
    if (typeof parsed === 'string') throw new Error(`haproxy model: ${keyword} ${settings[name]}: ${parsed}`);
    return parsed;
  };
  return { idleS: value('idle'), intvlS: value('intvl'), cnt: value('cnt') };
}
