/* front/nginx-log-context - an nginx mail session's error-log line: the message, the action under way and the session's context
 *
 * src/core/ngx_log.c ngx_log_error_core() writes "<time> [<level>] <pid>#<tid>: *<connection> " and the
 * message; a mail connection's log handler, src/mail/ngx_mail_handler.c ngx_mail_log_error(), then
 * appends, in this order (release-1.22.0 .. release-1.29.8):
 *  - " while <action>" when c->log->action is set (the handlers set it as the session moves on);
 *  - ", client: <addr>": c->addr_text, the client's address without its port (ngx_event_accept()
 *    ngx_sock_ntop(..., 0): an IPv6 address without brackets);
 *  - ", server: <addr:port>": s->addr_text, the listen address's text (ngx_mail_add_addrs(): the listen
 *    directive's ngx_parse_url() name, ngx_sock_ntop(..., 1): "[::1]:465" for IPv6). The model takes the
 *    address the client reached (`accepted`'s local): the same for a listener bound to one address, as the
 *    lab's are; a wildcard `listen 465` would print 0.0.0.0:465 whatever address the client reached;
 *  - ", login: \"<login>\"" when s->login is not empty, printed as it is (%V: no quoting inside, no escaping);
 *  - ", upstream: <name>" once the proxy is set up (s->proxy, ngx_mail_proxy_init()): Auth-Server ":" Auth-Port
 *    as the auth server wrote them (ngx_mail_auth_http_process_headers()). Before 1.29.1 only when a login
 *    was printed too (releases.ts log_upstream_without_login).
 * The lab keeps "[<level>] " and leaves out the time (the trace has it), the pid#tid and nginx's
 * connection number (a worker-wide counter of every connection, the auth and upstream ones included).
 * Measured on Debian's nginx 1.22.1 (1.22.1-9+deb12u11, libnginx-mod-mail): "[info] 13927#13927: *4 client login failed:
 * "Invalid login" while in http auth state, client: 127.0.0.1, server: 127.0.0.1:12525, login: "alice"".
 * Not modelled: " using starttls" after the client (the lab's nginx has no STARTTLS).
 *
 * The cut: ngx_log_error_core() builds the whole line in errstr[NGX_MAX_ERROR_STR] (2048, src/core/ngx_log.h,
 * the same at both tags): every part is written up to the end of the array (ngx_slprintf(), the handler's
 * ngx_snprintf() with what is left), then the LF takes the last byte, so a line is at most 2047 bytes and
 * LF; what did not fit is lost, the context first (a "too long command" line never has one). Where nginx
 * cuts depends on the prefix the lab leaves out: the time (19 bytes, ngx_cached_err_log_time), the pid and
 * tid, and the connection number. The lab cuts where the longest such prefix would (pid and tid of 7 digits,
 * Linux's PID_MAX_LIMIT 4194304; a connection number of 20, ngx_atomic_uint_t), so every byte the lab keeps
 * is one nginx printed, whatever its pid and counter; nginx keeps up to 31 bytes more (8 for "1#1: *1 ").
 * Checked on Debian's nginx 1.22.1: a too long command and a 2100-byte login each gave a 2047-byte line.
 * ngx_log_errno()'s "..." (a message that reaches 50 bytes before the end with an errno) cannot happen here:
 * no message the model logs with an errno is that long.
 */
import type { SocketAddress } from '../contract.ts';
import { nginxHas } from './releases.ts';

/** What ngx_mail_log_error() reads of a session. */
export interface NginxLogSession {
  readonly remote: SocketAddress;
  readonly local: SocketAddress;
  readonly login: string;
  /** s->proxy->upstream.name, null before ngx_mail_proxy_init(). */
  readonly upstreamName: string | null;
}

/** ngx_sock_ntop(..., port = 1): "a.b.c.d:port", "[v6]:port". */
export function addressWithPort(address: SocketAddress): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

/** NGX_MAX_ERROR_STR less the LF: the longest line ngx_log_error_core() writes. */
const NGX_MAX_LINE = 2048 - 1;
/** "<time> " before "[<level>] ", and the longest "<pid>#<tid>: *<connection> " after it: the prefix the lab leaves out. */
const LEFT_OUT_PREFIX = '1970/09/28 12:00:00 '.length + '4194304#4194304: '.length + `*${'1'.repeat(20)} `.length;
/** The longest line the lab writes: what nginx keeps with the longest prefix. */
export const NGINX_LAB_LINE_MAX = NGX_MAX_LINE - LEFT_OUT_PREFIX;

/** "[<level>] <message>[ while <action>], client: ..., server: ...[, login: "..."][, upstream: ...]", cut as nginx cuts it at the latest. */
export function nginxLogLine(version: string, level: 'info' | 'error', message: string, action: string | null, session: NginxLogSession): string {
  const parts = [`[${level}] ${message}`];
  if (action !== null) parts.push(` while ${action}`);
  parts.push(`, client: ${session.remote.host}, server: ${addressWithPort(session.local)}`);
  if (session.login !== '') parts.push(`, login: "${session.login}"`);
  if (session.upstreamName !== null && (session.login !== '' || nginxHas(version, 'log_upstream_without_login'))) parts.push(`, upstream: ${session.upstreamName}`);
  const line = parts.join('');
  return line.length > NGINX_LAB_LINE_MAX ? line.slice(0, NGINX_LAB_LINE_MAX) : line;
}
