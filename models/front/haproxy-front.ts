/* front/haproxy-front - HAProxy in `mode tcp` as a Model: connect, PROXY header, relay both ways, timeouts
 *
 * haproxy/haproxy @50872daa6 (3.5-dev5):
 *  - src/stream.c stream_new(): a TCP frontend has no request analysers, so the request channel
 *    is `channel_auto_connect`: the server connection is opened at once, without waiting for
 *    client data (SMTP's server speaks first);
 *  - src/sock.c sock_create_server_socket(): TCP_NODELAY on the server socket;
 *  - src/backend.c connect_server(): a server with send-proxy(-v2) gets CO_FL_SEND_PROXY, and
 *    src/connection.c conn_send_proxy() writes make_proxy_line() as the connection's handshake,
 *    once the TCP connection is established and before any payload: client bytes read meanwhile
 *    wait in the request buffer and follow the header;
 *  - make_proxy_line_v1(): "PROXY TCP4 <src> <dst> <sport> <dport>\r\n", src/dst being the
 *    client's address and the address it connected to (sc_src/sc_dst of the front side);
 *    make_proxy_line_v2(): the 12-byte signature, 0x21 (v2, PROXY), 0x11 (TCP over IPv4), the
 *    length 12, then addresses and ports in network order; no TLV unless configured;
 *  - mode tcp relays bytes as they come, no SMTP parsing; a FIN on one side is forwarded as a
 *    shutdown of the other, and the stream ends when both directions are shut;
 *  - timeouts (doc/configuration.txt): `timeout client`/`timeout server` are inactivity timeouts
 *    of their side, refreshed by reads and, without `option independent-streams`, by writes to
 *    that side; when one strikes the stream is closed ("cD"/"sD"). `timeout connect` bounds each
 *    attempt; src/backend.c back_handle_st_cer() retries `retries` times (default 3), each after a
 *    turn-around of min(timeout connect, 1 s), then gives up ("SC"/"sC"). Unset is infinite;
 *  - the log is `option tcplog` (section 8.2.2), one line when the stream ends;
 *  - `option clitcpka`/`srvtcpka`/`tcpka`: SO_KEEPALIVE on that side's sockets (./haproxy-tcpka.ts).
 * IPv4 only: the lab's hosts are IPv4 (make_proxy_line's TCP6 forms are not modelled).
 */
import { asciiBytes, bytesToLatin1, type ConnId, type Input, type KeepAlive, type Micros, type Model, type SocketAddress } from '../contract.ts';
import type { HaproxyFrontConfig, SendProxy } from './config.ts';
import { SessionFront } from './kit/session-front.ts';
import { SessionTimerKinds } from './kit/session-timers.ts';
import { httpDate } from './wall-clock.ts';

/** PP2_SIGNATURE (include/haproxy/connection-t.h), as Postfix's haproxy_srvr.c copies it. */
const PP2_SIGNATURE = [0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a] as const;
const PP2_VERSION_PROXY = 0x21;
const PP2_FAM_INET_STREAM = 0x11;
const PP2_ADDR_LEN_INET = 12;
/** back_handle_st_cer(): the turn-around before a retry is at most one second. */
const TURN_AROUND_MAX_MS = 1_000;

const HAPROXY_TIMERS = new SessionTimerKinds(['connect', 'turnAround', 'client', 'server', 'toServer', 'toClient'] as const);
type HaproxyTimer = typeof HAPROXY_TIMERS extends SessionTimerKinds<infer K> ? K : never;

function ipv4Octets(host: string): number[] {
  const octets = host.split('.').map(Number);
  if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255)) {
    throw new Error(`haproxy model: ${host} is not an IPv4 address (the lab models make_proxy_line's TCP4 forms only)`);
  }
  return octets;
}

/** make_proxy_line_v1() for two IPv4 endpoints. */
export function proxyLineV1(src: SocketAddress, dst: SocketAddress): Uint8Array {
  ipv4Octets(src.host);
  ipv4Octets(dst.host);
  return asciiBytes(`PROXY TCP4 ${src.host} ${dst.host} ${src.port} ${dst.port}\r\n`);
}

/** make_proxy_line_v2() for two IPv4 endpoints, without TLVs. */
export function proxyHeaderV2(src: SocketAddress, dst: SocketAddress): Uint8Array {
  const port = (p: number) => [p >> 8, p & 0xff];
  return Uint8Array.from([
    ...PP2_SIGNATURE, PP2_VERSION_PROXY, PP2_FAM_INET_STREAM, 0, PP2_ADDR_LEN_INET,
    ...ipv4Octets(src.host), ...ipv4Octets(dst.host), ...port(src.port), ...port(dst.port),
  ]);
}

/** The header a `server` line with `sendProxy` writes first on each connection it opens, or null. */
export function proxyHeader(sendProxy: SendProxy, src: SocketAddress, dst: SocketAddress): Uint8Array | null {
  if (sendProxy === 'v1') return proxyLineV1(src, dst);
  if (sendProxy === 'v2') return proxyHeaderV2(src, dst);
  return null;
}

/** tcplog termination_state: first event (C/S client/server abort, c/s timeout, - normal), then the phase (C connect, D data). */
type TerminationState = '--' | 'CD' | 'SD' | 'cD' | 'sD' | 'SC' | 'sC';

class HaproxySession {
  server: ConnId | null = null;
  connectedAt: Micros | null = null;
  attempts = 0;
  /** Bytes read from one side, waiting for the relay (before the server connection: the request buffer). */
  toServer = '';
  toClient = '';
  clientEof = false;
  serverEof = false;
  serverShut = false;
  clientShut = false;
  /** tcplog bytes_read: bytes sent from the server to the client. */
  bytesToClient = 0;

  constructor(readonly conn: ConnId, readonly client: SocketAddress, readonly frontend: SocketAddress, readonly acceptedAt: Micros) {}
}

export class HaproxyFront extends SessionFront<HaproxySession> implements Model {
  /** `option clitcpka`: session_accept_fd() sets SO_KEEPALIVE (and clitcpka-*) on each accepted client socket. */
  readonly keepAliveOnAccept: KeepAlive;

  constructor(private readonly config: HaproxyFrontConfig) {
    super(config.name);
    this.keepAliveOnAccept = config.clitcpka;
  }

  handle(now: Micros, input: Input): void {
    switch (input.kind) {
      case 'accepted': {
        const session = new HaproxySession(input.conn, input.remote, input.local, now);
        this.sessions.set(input.conn, session);
        this.refresh(now, session, 'client');
        return this.connect(now, session);
      }
      case 'connected': {
        const session = this.outgoing.get(input.conn);
        if (session?.server === input.conn) this.established(now, session);
        return;
      }
      case 'connectFailed': {
        const session = this.outgoing.get(input.conn);
        if (session?.server === input.conn) this.attemptFailed(now, session, 'SC');
        return;
      }
      case 'bytes': return this.bytes(now, input.conn, bytesToLatin1(input.bytes));
      case 'eof': return this.eof(now, input.conn);
      case 'reset': return this.reset(now, input.conn);
      case 'timeout': {
        const timer = HAPROXY_TIMERS.parse(input.timer);
        const session = timer && this.sessions.get(timer.conn);
        if (session) this.fire(now, session, timer.kind);
      }
    }
  }

  /**
   * Why HAProxy would hold `conn` forever: only when the timeout of that side is unset (an
   * unspecified timeout is infinite, doc/configuration.txt "timeout client"/"timeout server") and
   * that side has no TCP keepalive (deadlineLeftToKernel).
   */
  waitsWithoutDeadline(conn: ConnId): string | null {
    const side = this.untimedSide(conn);
    if (side === null || side.keepAlive !== false) return null;
    return `haproxy.cfg sets no \`timeout ${side.name}\`: an unspecified timeout is infinite (doc/configuration.txt)`;
  }

  /** The same side with `option clitcpka`/`srvtcpka`: HAProxy still has no deadline, but the kernel's keepalive ends a silent peer. */
  deadlineLeftToKernel(conn: ConnId): string | null {
    const side = this.untimedSide(conn);
    if (side === null || side.keepAlive === false) return null;
    return `haproxy.cfg sets no \`timeout ${side.name}\` (infinite, doc/configuration.txt) but \`option ${side.option}\`: only the kernel's SO_KEEPALIVE (${side.source}) or retransmission give-up ends it`;
  }

  /** `conn`'s side when its inactivity timeout is unset, with that side's keepalive. */
  private untimedSide(conn: ConnId): { name: 'client' | 'server'; option: string; source: string; keepAlive: KeepAlive } | null {
    if (this.sessions.has(conn) && this.config.timeout_client === null) return { name: 'client', option: 'clitcpka', source: 'session.c session_accept_fd()', keepAlive: this.config.clitcpka };
    if (this.outgoing.has(conn) && this.config.timeout_server === null) return { name: 'server', option: 'srvtcpka', source: 'proto_tcp.c tcp_connect_server()', keepAlive: this.config.srvtcpka };
    return null;
  }

  /** The header this connection starts with (a method, so a test can break it). */
  protected header(session: HaproxySession): Uint8Array | null {
    return proxyHeader(this.config.send_proxy, session.client, session.frontend);
  }

  // ---- the server connection (connect_server, back_handle_st_cer) -------------------------------

  private connect(now: Micros, session: HaproxySession): void {
    session.attempts++;
    session.server = `${session.conn}>srv${session.attempts}`;
    this.bindOutgoing(session.server, session);
    // tcp_connect_server(): SO_KEEPALIVE (and srvtcpka-*) with `option srvtcpka`
    this.out.push({ kind: 'connect', conn: session.server, to: this.config.server, noDelay: true, keepAlive: this.config.srvtcpka });
    this.timer(session, 'connect', this.config.timeout_connect === null ? null : now + this.config.timeout_connect * 1000);
  }

  private established(now: Micros, session: HaproxySession): void {
    this.timer(session, 'connect', null);
    session.connectedAt = now;
    const header = this.header(session);
    if (header) this.out.push({ kind: 'write', conn: session.server!, bytes: header });
    // conn_send_proxy() validates the connection; the data layer then sends what it buffered.
    this.relayToServer(now, session);
    this.refresh(now, session, 'server');
  }

  /** A refused or timed-out attempt: retry after the turn-around, or give up and close the client. */
  private attemptFailed(now: Micros, session: HaproxySession, state: 'SC' | 'sC'): void {
    this.timer(session, 'connect', null);
    if (session.server) this.outgoing.delete(session.server);
    session.server = null;
    if (session.attempts > this.config.retries) return this.end(now, session, state);
    const turnAroundMs = Math.min(this.config.timeout_connect ?? TURN_AROUND_MAX_MS, TURN_AROUND_MAX_MS);
    this.timer(session, 'turnAround', now + turnAroundMs * 1000);
  }

  // ---- relaying ----------------------------------------------------------------------------------

  private bytes(now: Micros, conn: ConnId, text: string): void {
    const client = this.sessions.get(conn);
    if (client) {
      client.toServer += text;
      this.refresh(now, client, 'client');
      if (client.connectedAt !== null) this.timer(client, 'toServer', now + this.config.timings.relayDelayUs);
      return;
    }
    const session = this.outgoing.get(conn);
    if (session?.server !== conn) return;
    session.toClient += text;
    this.refresh(now, session, 'server');
    this.timer(session, 'toClient', now + this.config.timings.relayDelayUs);
  }

  private relayToServer(now: Micros, session: HaproxySession): void {
    if (session.toServer !== '') {
      this.out.push({ kind: 'write', conn: session.server!, bytes: asciiBytes(session.toServer) });
      session.toServer = '';
      this.refresh(now, session, 'server');
    }
    if (session.clientEof && !session.serverShut) {
      session.serverShut = true;
      this.out.push({ kind: 'shutdown', conn: session.server! });
    }
    this.endWhenBothShut(now, session);
  }

  private relayToClient(now: Micros, session: HaproxySession): void {
    if (session.toClient !== '') {
      session.bytesToClient += session.toClient.length;
      this.out.push({ kind: 'write', conn: session.conn, bytes: asciiBytes(session.toClient) });
      session.toClient = '';
      this.refresh(now, session, 'client');
    }
    if (session.serverEof && !session.clientShut) {
      session.clientShut = true;
      this.out.push({ kind: 'shutdown', conn: session.conn });
    }
    this.endWhenBothShut(now, session);
  }

  /** A FIN is forwarded once the bytes before it are: the other side is shut, the stream goes on the other way. */
  private eof(now: Micros, conn: ConnId): void {
    const client = this.sessions.get(conn);
    if (client) {
      client.clientEof = true;
      this.timer(client, 'client', null);
      if (client.connectedAt !== null && client.toServer === '') this.relayToServer(now, client);
      return;
    }
    const session = this.outgoing.get(conn);
    if (session?.server !== conn) return;
    session.serverEof = true;
    this.timer(session, 'server', null);
    if (session.toClient === '') this.relayToClient(now, session);
  }

  private reset(now: Micros, conn: ConnId): void {
    const client = this.sessions.get(conn);
    if (client) return this.end(now, client, 'CD');
    const session = this.outgoing.get(conn);
    if (session?.server !== conn) return;
    // A reset while connecting is a failed attempt (SC); once connected, the server aborted (SD).
    if (session.connectedAt === null) return this.attemptFailed(now, session, 'SC');
    session.server = null;
    this.end(now, session, 'SD');
  }

  private endWhenBothShut(now: Micros, session: HaproxySession): void {
    if (session.clientShut && session.serverShut && session.clientEof && session.serverEof) this.end(now, session, '--');
  }

  private fire(now: Micros, session: HaproxySession, timer: HaproxyTimer): void {
    switch (timer) {
      case 'connect':
        this.out.push({ kind: 'abort', conn: session.server! });
        return this.attemptFailed(now, session, 'sC');
      case 'turnAround': return this.connect(now, session);
      case 'client': return this.end(now, session, 'cD');
      case 'server': return this.end(now, session, 'sD');
      case 'toServer': return this.relayToServer(now, session);
      case 'toClient': return this.relayToClient(now, session);
    }
  }

  // ---- timers, end of stream ------------------------------------------------------------------------

  /** Activity on one side re-arms its inactivity timeout (none once that side has sent its FIN). */
  private refresh(now: Micros, session: HaproxySession, side: 'client' | 'server'): void {
    const timeoutMs = side === 'client' ? this.config.timeout_client : this.config.timeout_server;
    const finished = side === 'client' ? session.clientEof : session.serverEof;
    if (timeoutMs !== null && !finished) this.timer(session, side, now + timeoutMs * 1000);
  }

  private timer(session: HaproxySession, timer: HaproxyTimer, at: Micros | null): void {
    this.out.push({ kind: 'timer', timer: HAPROXY_TIMERS.name(session.conn, timer), at });
  }

  /** The stream ends: both connections closed, every timer cancelled, the tcplog line written. */
  private end(now: Micros, session: HaproxySession, state: TerminationState): void {
    for (const timer of HAPROXY_TIMERS.all) this.timer(session, timer, null);
    if (state !== 'CD') this.out.push({ kind: 'close', conn: session.conn });
    if (session.server !== null && state !== 'SD') this.out.push({ kind: session.connectedAt === null ? 'abort' : 'close', conn: session.server });
    this.forget(session);
    this.out.push({ kind: 'log', program: 'haproxy', line: this.tcplog(now, session, state), conn: session.conn });
  }

  /** `option tcplog`: %ci:%cp [%t] %ft %b/%s %Tw/%Tc/%Tt %B %ts %ac/%fc/%bc/%sc/%rc %sq/%bq (connection counts not modelled: 0). */
  private tcplog(now: Micros, session: HaproxySession, state: TerminationState): string {
    const ms = (us: Micros) => Math.floor(us / 1000);
    const connectMs = session.connectedAt === null ? -1 : ms(session.connectedAt - session.acceptedAt);
    const retries = Math.max(0, session.attempts - 1);
    return `${session.client.host}:${session.client.port} [${this.acceptDate(session.acceptedAt)}] ${this.config.frontend} ${this.config.backend}/${this.config.serverName} `
      + `0/${connectMs}/${ms(now - session.acceptedAt)} ${session.bytesToClient} ${state} 0/0/0/0/${retries} 0/0`;
  }

  /** %t: "06/Feb/2009:12:12:51.443". */
  private acceptDate(at: Micros): string {
    const [, day, month, year, time] = httpDate(this.config.clockEpochSeconds + Math.floor(at / 1_000_000)).split(' ');
    return `${day}/${month}/${year}:${time}.${String(Math.floor(at / 1000) % 1000).padStart(3, '0')}`;
  }
}
