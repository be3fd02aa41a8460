/* proxy-header-read - what Postfix's "haproxy read" warning says about who spoiled a PROXY header
 *
 * postfix/src/global/haproxy_srvr.c (v3.9.0) haproxy_srvr_receive(): smtpd peeks ONCE at what
 * has arrived, parses it, and on an error logs "haproxy read: <error>: <the peeked bytes,
 * escaped>" (no error text holds a colon); with nothing to peek it logs "haproxy read: EOF", and
 * smtpd_haproxy.c smtpd_peer_from_haproxy() logs "haproxy read: timeout error" when nothing came
 * within smtpd_upstream_proxy_timeout. HAProxy writes its header before any client byte
 * (src/connection.c conn_send_proxy(), the connection's handshake), so the peek tells two
 * failures apart: it starts with a piece of the header (the header came first and arrived cut,
 * e.g. by a link fault), or with something else (bytes that overtook the header).
 */

/** How a v1 line and a v2 header begin, as Postfix's escape() prints them (make_proxy_line_v1/_v2). */
const HEADER_STARTS = ['PROXY ', '\\r\\n\\r\\n\\000\\r\\nQUIT\\n'] as const;

const HAPROXY_READ_ERROR = /warning: haproxy read: [^:]+: (.*)$/;

/** The first "haproxy read" warning Postfix logged, or undefined when it read the header. */
export function haproxyReadWarning(postfixLog: readonly string[]): string | undefined {
  return postfixLog.find((line) => line.includes('warning: haproxy read: '));
}

/** The escaped bytes the one peek found, or null for a warning that names none (EOF, timeout). */
export function peekedBytes(warning: string): string | null {
  return HAPROXY_READ_ERROR.exec(warning)?.[1] ?? null;
}

/** The peek began with the proxy's header or was a piece of it: nothing overtook the header. */
export function headerCameFirst(peeked: string): boolean {
  return HEADER_STARTS.some((start) => peeked.startsWith(start) || start.startsWith(peeked));
}
