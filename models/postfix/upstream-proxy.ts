/* upstream-proxy - smtpd_upstream_proxy_protocol = haproxy: the PROXY header before the session
 *
 * postfix/src/smtpd/smtpd_peer.c smtpd_peer_from_proxy(), smtpd/smtpd_haproxy.c
 * smtpd_peer_from_haproxy() and global/haproxy_srvr.c (v3.9.0; unchanged since 3.7):
 *  - read_wait(smtpd_upstream_proxy_timeout); on expiry "warning: haproxy read: timeout error";
 *  - haproxy_srvr_receive() peeks ONCE at whatever has arrived (at most 536 bytes), parses a v1
 *    line or a v2 header from it and then reads exactly the header's length: a header split
 *    across two segments fails, and bytes after it stay for smtpd (the greeting-stage check);
 *  - an error logs "warning: haproxy read: <error>: <the peeked bytes, escaped>", an empty peek
 *    "warning: haproxy read: EOF"; smtpd_peer_from_proxy() then takes the socket's own peer
 *    (the proxy) and sets SMTPD_FLAG_HANGUP: "we can't maintain an audit trail or enforce access
 *    control, therefore we forcibly hang up" (smtpd_proto answers 421, session.ts greeting);
 *  - on success the client's address and port and the server's become the header's; a v2 LOCAL
 *    header keeps the socket's own (smtpd_peer_from_default).
 * Compromise: IPv6 text is lower-cased and compressed by the WHATWG URL rules, not getnameinfo.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { Micros } from '../contract.js';
import type { InetProtocols } from './xclient.js';
import type { SmtpdSession, Step } from './session.js';
import { escape } from './text.js';

/** HAPROXY_HEADER_MAX_LEN: the one peek reads at most this much. */
const HAPROXY_HEADER_MAX_LEN = 536;
const PP2_SIGNATURE = '\r\n\r\n\0\r\nQUIT\n';
const PP2_HEADER_LEN = 16;
const PP2_VERSION = 0x20;
const PP2_CMD_LOCAL = 0x00;
const PP2_CMD_PROXY = 0x01;
const PP2_FAM_TCP4 = 0x11;
const PP2_FAM_TCP6 = 0x21;
const PP2_ADDR_LEN_INET = 12;
const PP2_ADDR_LEN_INET6 = 36;

export interface ProxyEndpoints {
  readonly clientAddr: string;
  readonly clientPort: string;
  readonly serverAddr: string;
  readonly serverPort: string;
}

/** haproxy_srvr_parse(): the header's length and endpoints (null: a v2 LOCAL, not proxied), or the error text Postfix logs. */
export type ProxyHeaderParse =
  | { readonly ok: true; readonly length: number; readonly endpoints: ProxyEndpoints | null }
  | { readonly ok: false; readonly error: string };

const fail = (error: string): ProxyHeaderParse => ({ ok: false, error });

const enabled = (protocols: InetProtocols, family: 4 | 6) => protocols === 'all' || protocols === (family === 4 ? 'ipv4' : 'ipv6');

/** IPv4-in-IPv6 becomes IPv4 when IPv4 is enabled (haproxy_srvr_parse_addr, _parse_v2_addr_v6). */
function ipv6Text(address: string, protocols: InetProtocols): string {
  const text = new URL(`http://[${address}]`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(text);
  if (!mapped || !enabled(protocols, 4)) return text;
  const [high, low] = [parseInt(mapped[1]!, 16), parseInt(mapped[2]!, 16)];
  return `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
}

/** valid_ipv4_hostaddr / valid_ipv6_hostaddr for the protocol the line names. */
function hostaddr(text: string | undefined, family: 4 | 6, protocols: InetProtocols): string | null {
  if (text === undefined) return null;
  if (family === 4) return isIPv4(text) ? text : null;
  return isIPv6(text) ? ipv6Text(text, protocols) : null;
}

/** valid_hostport(): digits, at most 65535. */
function hostport(text: string | undefined): string | null {
  return text !== undefined && /^\d{1,5}$/.test(text) && Number(text) <= 65535 ? text : null;
}

/** The v1 line: "PROXY TCP4|TCP6 <client> <server> <client port> <server port>" up to the first LF. */
function parseV1(peeked: string, protocols: InetProtocols): ProxyHeaderParse {
  const lf = peeked.indexOf('\n');
  if (lf < 0) return fail('missing protocol header terminator');
  // mystrtok(&cp, " \r"): tokens separated by runs of spaces and CRs.
  const [literal, proto, client, server, clientPort, serverPort] = peeked.slice(0, lf).split(/[ \r]+/).filter((t) => t !== '');
  if (literal !== 'PROXY') return fail('bad or missing protocol header');
  const family = proto?.toUpperCase() === 'TCP4' ? 4 : proto?.toUpperCase() === 'TCP6' ? 6 : null;
  if (family === null || !enabled(protocols, family)) return fail('bad or missing protocol type');
  const clientAddr = hostaddr(client, family, protocols);
  if (clientAddr === null) return fail('bad or missing client address');
  const serverAddr = hostaddr(server, family, protocols);
  if (serverAddr === null) return fail('bad or missing server address');
  const clientPortText = hostport(clientPort);
  if (clientPortText === null) return fail('bad or missing client port');
  const serverPortText = hostport(serverPort);
  if (serverPortText === null) return fail('bad or missing server port');
  return { ok: true, length: lf + 1, endpoints: { clientAddr, clientPort: clientPortText, serverAddr, serverPort: serverPortText } };
}

/** haproxy_srvr_parse_v2_hdr(): fixed header, then TCP over IPv4 or IPv6 addresses; TLVs skipped. */
function parseV2(peeked: string, protocols: InetProtocols): ProxyHeaderParse {
  if (peeked.length < PP2_HEADER_LEN) return fail('short protocol header');
  if (!peeked.startsWith(PP2_SIGNATURE)) return fail('unrecognized protocol header');
  const byte = (i: number) => peeked.charCodeAt(i);
  const verCmd = byte(12);
  if ((verCmd & 0xf0) !== PP2_VERSION) return fail('unrecognized protocol version');
  const addrLen = (byte(14) << 8) | byte(15);
  if (peeked.length < PP2_HEADER_LEN + addrLen) return fail('short version 2 protocol header');
  const length = PP2_HEADER_LEN + addrLen;
  if ((verCmd & 0x0f) === PP2_CMD_LOCAL) return { ok: true, length, endpoints: null };
  if ((verCmd & 0x0f) !== PP2_CMD_PROXY) return fail('bad command in proxy header');
  const port = (at: number) => String((byte(at) << 8) | byte(at + 1));
  const fam = byte(13);
  if (fam === PP2_FAM_TCP4) {
    if (!enabled(protocols, 4)) return fail('Postfix IPv4 support is disabled');
    if (addrLen < PP2_ADDR_LEN_INET) return fail('short address field');
    const ipv4 = (at: number) => [0, 1, 2, 3].map((i) => byte(at + i)).join('.');
    return { ok: true, length, endpoints: { clientAddr: ipv4(16), serverAddr: ipv4(20), clientPort: port(24), serverPort: port(26) } };
  }
  if (fam === PP2_FAM_TCP6) {
    if (!enabled(protocols, 6)) return fail('Postfix IPv6 support is disabled');
    if (addrLen < PP2_ADDR_LEN_INET6) return fail('short address field');
    const ipv6 = (at: number) => ipv6Text([0, 2, 4, 6, 8, 10, 12, 14].map((i) => ((byte(at + i) << 8) | byte(at + i + 1)).toString(16)).join(':'), protocols);
    return { ok: true, length, endpoints: { clientAddr: ipv6(16), serverAddr: ipv6(32), clientPort: port(48), serverPort: port(50) } };
  }
  return fail('unsupported network protocol');
}

/** haproxy_srvr_parse(): a v1 line when the bytes start with "PROXY ", else a v2 header. */
export function parseProxyHeader(peeked: string, protocols: InetProtocols): ProxyHeaderParse {
  return peeked.startsWith('PROXY ') ? parseV1(peeked, protocols) : parseV2(peeked, protocols);
}

/**
 * smtpd_peer_from_haproxy() for one session: waits (up to smtpd_upstream_proxy_timeout) for the
 * first bytes, takes the header off the socket and updates the client record, or logs why not
 * and leaves the session to hang up. Either way `then` runs smtpd_service() on.
 */
export class UpstreamProxyHandshake {
  readonly timer: string;

  constructor(private readonly s: SmtpdSession, now: Micros, private readonly then: Step) {
    this.timer = `${s.conn}/smtpd_upstream_proxy_timeout`;
    s.shared.out.push({ kind: 'timer', timer: this.timer, at: now + s.config.smtpd_upstream_proxy_timeout * 1_000_000 });
  }

  /** read_wait() returned: bytes, or the end of input, are there. */
  readable(now: Micros): void {
    const s = this.s;
    if (s.socket.length === 0) return this.failed(now, 'EOF');
    const peeked = s.socket.slice(0, HAPROXY_HEADER_MAX_LEN);
    const parsed = parseProxyHeader(peeked, s.config.inet_protocols);
    if (!parsed.ok) return this.failed(now, `${parsed.error}: ${escape(peeked)}`);
    s.socket = s.socket.slice(parsed.length);
    if (parsed.endpoints !== null) {
      const { clientAddr, clientPort, serverAddr, serverPort } = parsed.endpoints;
      const name = s.config.reverseDns[clientAddr] ?? 'unknown';
      Object.assign(s.client, { name, reverseName: name, addr: clientAddr, port: clientPort, destAddr: serverAddr, destPort: serverPort });
    }
    this.done(now);
  }

  expired(now: Micros): void {
    this.failed(now, 'timeout error');
  }

  private failed(now: Micros, why: string): void {
    this.s.log(`warning: haproxy read: ${why}`);
    this.s.hangup = true;
    this.done(now);
  }

  private done(now: Micros): void {
    this.s.shared.out.push({ kind: 'timer', timer: this.timer, at: null });
    this.s.proxyHandshake = null;
    this.then(now);
  }
}
