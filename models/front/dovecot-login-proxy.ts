/* front/dovecot-login-proxy - one session's login proxy: backend attempts, the handshake, failures and reconnects
 *
 * Sources (dovecot/core 2.3.21, identical for this path to the recorded 2.3.19.1):
 * src/login-common/login-proxy.c (login_proxy_failed, proxy_try_reconnect: PROXY_CONNECT_RETRY_MSECS
 * 1000, no retry when less than PROXY_CONNECT_RETRY_MIN_MSECS 1100 of login_proxy_timeout is left;
 * the timeout runs from each connect until the proxy detaches; MAX_PROXY_INPUT_SIZE) and
 * client-common-auth.c (proxy_input, "Started proxying"); the handshake itself is
 * ./submission-proxy.ts. The session (./dovecot-session.ts) owns the client and the relay; this
 * class owns everything between "Created proxy session" and "Started proxying" or the 454.
 */
import type { ConnId, Micros, Output, SocketAddress } from '../contract.ts';
import { asciiBytes } from '../contract.ts';
import type { DovecotFrontConfig } from './config.ts';
import { LineBuffer } from './line-buffer.ts';
import { dovecotBehaviour } from './releases.ts';
import { SubmissionProxyHandshake, type HandshakeState, type HandshakeStep, type ProxyFailureType, type SequencingPolicy, } from './submission-proxy.ts';
import type { XclientValues } from './xclient.ts';
import { closedAfterReadFailed, MAX_PROXY_INPUT_SIZE, strerror, type InputEnd } from './dovecot-read-error.ts';

const PROXY_CONNECT_RETRY_MSECS = 1000;
const PROXY_CONNECT_RETRY_MIN_MSECS = PROXY_CONNECT_RETRY_MSECS + 100;

/**
 * login_proxy_failed(): log prefix, whether the failure type may reconnect, and whether the final
 * failure is logged as an Error (the AUTH types are not: auth_verbose logs them elsewhere).
 */
const FAILURE_TYPES: Readonly<Record<ProxyFailureType, { prefix: string; reconnect: boolean; logsError: boolean }>> = {
  INTERNAL: { prefix: 'Aborting due to internal error: ', reconnect: false, logsError: true },
  INTERNAL_CONFIG: { prefix: '', reconnect: false, logsError: true },
  CONNECT: { prefix: '', reconnect: true, logsError: true },
  REMOTE_CONFIG: { prefix: 'Aborting due to remote server: ', reconnect: false, logsError: true },
  REMOTE: { prefix: 'Aborting due to remote server: ', reconnect: true, logsError: true },
  PROTOCOL: { prefix: 'Remote server sent invalid input: ', reconnect: true, logsError: true },
  AUTH: { prefix: '', reconnect: false, logsError: false },
  AUTH_TEMPFAIL: { prefix: '', reconnect: true, logsError: false },
};

/** The timers the login proxy sets, among its session's. */
export type LoginProxyTimer = 'backendProcess' | 'ehloGap' | 'reconnect' | 'proxyTimeout' | 'failureReply';

/** What the login proxy needs of its session. */
export interface LoginProxyOwner {
  readonly config: DovecotFrontConfig;
  readonly policy: SequencingPolicy;
  newConnId(purpose: string): ConnId;
  bind(conn: ConnId): void;
  emit(output: Output): void;
  setTimer(timer: LoginProxyTimer, at: Micros | null): void;
  scheduleOnce(now: Micros, timer: LoginProxyTimer, delayUs: Micros): void;
  /** A "proxy(user,ip:port): ..." line. */
  log(level: 'Info' | 'Warning' | 'Error' | 'Debug', message: string): void;
  /** What XCLIENT tells the backend about the client. */
  identity(): XclientValues;
  /** Whole wall-clock seconds since the client connected (state=..., duration=Ns). */
  secondsSinceClientConnected(now: Micros): number;
  /** Whole wall-clock seconds between two times, as Dovecot's log lines count them. */
  wallSecondsBetween(from: Micros, now: Micros): number;
  /** The handshake ended with the backend's welcome: answer 235 and detach. */
  loggedIn(now: Micros): void;
}

interface BackendAttempt {
  readonly conn: ConnId;
  readonly handshake: SubmissionProxyHandshake;
  readonly lines: LineBuffer;
  connected: boolean;
  /** The backend socket's own address (getsockname), once the driver has said it. */
  local: SocketAddress | null;
  eofSeen: InputEnd | null;
  bytesWritten: number;
  /** Bytes read from the backend (its istream's count, which a read error's text shows). */
  bytesRead: number;
  pendingEhlo: string | null;
}

export class LoginProxy {
  private reconnectCount = 0;
  private attempt: BackendAttempt | null = null;

  constructor(
    private readonly owner: LoginProxyOwner,
    readonly ip: string,
    readonly port: number,
    readonly createdAt: Micros,
  ) {}

  get reconnects(): number {
    return this.reconnectCount;
  }

  /** The current backend connection, if one is open. */
  get backendConn(): ConnId | null {
    return this.attempt?.conn ?? null;
  }

  /** Bytes read from the current backend connection; the relay adds what it reads (relayed()). */
  get bytesFromBackend(): number {
    return this.attempt?.bytesRead ?? 0;
  }

  /** The relay read `length` more bytes from the backend. */
  relayed(length: number): void {
    if (this.attempt) this.attempt.bytesRead += length;
  }

  /** Bytes written to the current backend connection (the relay's "in="). */
  get bytesToBackend(): number {
    return this.attempt?.bytesWritten ?? 0;
  }

  connect(now: Micros): void {
    const owner = this.owner;
    owner.log('Debug', `Connecting to <${this.ip}>`);
    const conn = owner.newConnId('backend');
    owner.bind(conn);
    this.attempt = {
      conn,
      handshake: new SubmissionProxyHandshake(owner.policy, owner.config.hostname, owner.identity()),
      lines: new LineBuffer(MAX_PROXY_INPUT_SIZE),
      connected: false,
      local: null,
      eofSeen: null,
      bytesWritten: 0,
      bytesRead: 0,
      pendingEhlo: null,
    };
    // Dovecot leaves Nagle on for the backend socket (recorded segments: EHLO waits for the XCLIENT ACK).
    // lib/net.c net_connect_ip_once() sets SO_KEEPALIVE on every TCP socket it connects (2.3.19.1)
    owner.emit({ kind: 'connect', conn, to: { host: this.ip, port: this.port }, noDelay: false, keepAlive: true });
    owner.emit({ kind: 'fact', fact: { kind: 'backendAttempt', attempt: this.reconnectCount + 1 }, conn });
    owner.setTimer('proxyTimeout', now + owner.config.login_proxy_timeout * 1000);
  }

  connected(conn: ConnId, local: SocketAddress): void {
    if (this.attempt?.conn !== conn) return;
    this.attempt.connected = true;
    this.attempt.local = local;
  }

  connectFailed(now: Micros, conn: ConnId, errno: string, local: SocketAddress | null): void {
    if (this.attempt?.conn !== conn) return;
    this.attempt = null;
    this.failed(now, 'CONNECT', `connect(${this.ip}, ${this.port}) failed: ${errno}${this.afterSecs(now, local)}`);
  }

  bytes(now: Micros, conn: ConnId, bytes: Uint8Array): void {
    const attempt = this.attempt;
    if (attempt?.conn !== conn) return;
    attempt.bytesRead += bytes.length;
    attempt.lines.push(bytes);
    this.scheduleProcessing(now, attempt);
  }

  gone(now: Micros, conn: ConnId, how: InputEnd): void {
    const attempt = this.attempt;
    if (attempt?.conn !== conn) return;
    attempt.eofSeen = how;
    this.scheduleProcessing(now, attempt);
  }

  /** What the backend sent that the handshake did not read: the relay starts with it (login_proxy_detach). */
  takeUnread(): string {
    return this.attempt?.lines.takeRest() ?? '';
  }

  writeBackend(text: string): void {
    const attempt = this.attempt;
    if (!attempt) return;
    attempt.bytesWritten += text.length;
    this.owner.emit({ kind: 'write', conn: attempt.conn, bytes: asciiBytes(text) });
  }

  private scheduleProcessing(now: Micros, attempt: BackendAttempt): void {
    const reaction = attempt.eofSeen !== null && attempt.lines.size === 0 ? 0 : this.reactionUs(attempt.handshake.state);
    this.owner.scheduleOnce(now, 'backendProcess', reaction);
  }

  /** How long the login process takes to act on a backend reply in each handshake state. */
  private reactionUs(state: HandshakeState): Micros {
    const t = this.owner.config.timings;
    switch (state) {
      case 'banner': return t.bannerReactionUs;
      case 'ehlo': return t.ehloReactionUs;
      case 'xclient': return t.xclientReactionUs;
      case 'xclient-ehlo': return t.loginReplyDelayUs;
    }
  }

  /** client-common-auth.c proxy_input(): every complete line now buffered, then EOF if it came. */
  processLines(now: Micros): void {
    const attempt = this.attempt;
    if (!attempt) return;
    this.writePendingEhlo();
    for (let guard = 0; guard < 10_000; guard++) {
      const event = attempt.lines.next();
      if (!event) break;
      if (event.kind === 'too-long') return this.failed(now, 'PROTOCOL', 'Too long input line');
      const stateBefore = attempt.handshake.state;
      for (const step of attempt.handshake.parseLine(event.line)) {
        if (this.runStep(now, attempt, step)) return;
      }
      // proxy_input() parses every buffered line in one pass, but the login's own work (the last
      // EHLO reply → detach and the 235, loginReplyDelayUs) is not free when that reply was read
      // together with XCLIENT's 220: it follows the 220's reaction. Handled in the 220's pass, the
      // 235 left 10 µs after the 250 in about half the lab's sessions; the real one 197-209 µs
      // after it at the median in every calibration batch (docs/conformance.md disagreement 12).
      if (stateBefore !== 'xclient-ehlo' && attempt.handshake.state === 'xclient-ehlo' && attempt.lines.size > 0) return this.scheduleProcessing(now, attempt);
    }
    if (attempt.eofSeen !== null) {
      // client-common-auth.c proxy_input(): io_stream_get_disconnect_reason() of the backend's istream
      const reason = attempt.eofSeen === 'eof' ? 'Connection closed' : closedAfterReadFailed(MAX_PROXY_INPUT_SIZE, attempt.bytesRead, strerror(attempt.eofSeen));
      this.failed(now, 'CONNECT', `Disconnected by server: ${reason} (state=${attempt.handshake.state}, duration=${this.owner.secondsSinceClientConnected(now)}s)`);
    }
  }

  /** Runs one handshake step; true when the handshake is over (failed or logged in). */
  private runStep(now: Micros, attempt: BackendAttempt, step: HandshakeStep): boolean {
    switch (step.kind) {
      case 'write':
        this.writeBackend(step.text);
        return false;
      case 'writeAfterGap':
        attempt.pendingEhlo = step.text;
        this.owner.setTimer('ehloGap', now + this.owner.config.timings.xclientEhloGapUs);
        return false;
      case 'fail':
        this.failed(now, step.type, step.reason);
        return true;
      case 'loggedIn':
        this.owner.loggedIn(now);
        return true;
    }
  }

  writePendingEhlo(): void {
    const attempt = this.attempt;
    if (!attempt || attempt.pendingEhlo === null) return;
    const text = attempt.pendingEhlo;
    attempt.pendingEhlo = null;
    this.owner.setTimer('ehloGap', null);
    this.writeBackend(text);
  }

  timedOut(now: Micros): void {
    const attempt = this.attempt;
    if (!attempt) return;
    const what = attempt.connected
      ? `Login timed out in state=${attempt.handshake.state}`
      : `connect(${this.ip}, ${this.port}) failed: Connection timed out`;
    this.failed(now, 'CONNECT', `${what}${this.afterSecs(now, attempt.local)}`);
  }

  /** The handshake state for "Logging in ... timed out (state=...)". */
  get state(): HandshakeState | 'connect' {
    return this.attempt?.handshake.state ?? 'connect';
  }

  /** login-proxy.c login_proxy_failed() + proxy_try_reconnect(); the session's failureReply timer answers 454. */
  failed(now: Micros, type: ProxyFailureType, reason: string): void {
    const rule = FAILURE_TYPES[type];
    this.dropBackend();
    const sinceStartedMs = Math.floor((now - this.createdAt) / 1000);
    const leftMs = this.owner.config.login_proxy_timeout - sinceStartedMs;
    if (rule.reconnect && this.reconnectCount < this.owner.config.login_proxy_max_reconnects && leftMs > PROXY_CONNECT_RETRY_MIN_MSECS) {
      this.reconnectCount++;
      // Debug through 2.4.0, Warning from 2.4.1 (releases.ts reconnect_logged_as_warning).
      this.owner.log(dovecotBehaviour(this.owner.config.version).reconnectLogLevel, `${rule.prefix}${reason} - reconnecting (attempt #${this.reconnectCount})`);
      this.owner.setTimer('reconnect', now + PROXY_CONNECT_RETRY_MSECS * 1000);
      return;
    }
    if (rule.logsError) this.owner.log('Error', `${rule.prefix}${reason}`);
    this.owner.setTimer('failureReply', now + this.owner.config.timings.failureReplyDelayUs);
  }

  /** Close the current backend connection and forget its timers. */
  dropBackend(): void {
    const attempt = this.attempt;
    for (const timer of ['backendProcess', 'ehloGap', 'proxyTimeout'] as const) this.owner.setTimer(timer, null);
    if (!attempt) return;
    this.attempt = null;
    this.owner.emit({ kind: 'close', conn: attempt.conn });
  }

  /**
   * login-proxy.c proxy_connect_error_append(), every release from 2.3.0: " (after N secs[, N
   * reconnects][, local=ip:port])". local= is getsockname() of the backend socket, still open
   * here (also after a refused connect); 2.3 prints "%s:%u", 2.4 net_ipport2str(), the same text
   * for IPv4. Not printed when the model was never told the address: a SYN that is never answered.
   */
  private afterSecs(now: Micros, local: SocketAddress | null): string {
    const secs = this.owner.wallSecondsBetween(this.createdAt, now);
    const reconnects = this.reconnectCount > 0 ? `, ${this.reconnectCount} reconnects` : '';
    return ` (after ${secs} secs${reconnects}${local ? `, local=${local.host}:${local.port}` : ''})`;
  }
}
