/* front/dovecot-front - the submission-login service as one Model: many client sessions, their outgoing connections and timers
 *
 * Routing only: accepted connections become DovecotSessions; connections a session opens (to the
 * auth service, to the backend) are bound to it; timers are named "<client conn>/<timer>".
 * Session ids stand in for Dovecot's random session ids (base64 of random bytes + the IP):
 * deterministic, derived from the model name and a counter.
 */
import type { ConnId, Input, Micros, Model, Output } from '../contract.ts';
import { SessionFront } from './kit/session-front.ts';
import { dovecotWallClock, type DovecotFrontConfig } from './config.ts';
import { DovecotSession, SESSION_TIMERS, type SessionHost, type SessionTimer } from './dovecot-session.ts';
import type { SequencingPolicy } from './submission-proxy.ts';
import { AuthFailureQueue } from './auth-failure-queue.ts';
import { inputEndOf } from './dovecot-read-error.ts';
import { dovecotHas } from './releases.ts';

/** The auth process's failure-check timer; not of the "<conn>/<timer>" form of session timers. */
const AUTH_FAILURE_TICK = 'auth-process:failure-check';

/** The front is also its sessions' host (SessionHost): methods rather than a host object of closures built per front. */
const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * The first 16 characters of the base64 of `text` (UTF-8). The 16 characters encode the first 12
 * bytes, so for ASCII text they are computed here (Buffer.from + toString costs ~0.7 µs per
 * session): the whole text's encoding, '='-padded, when it is shorter (the lab's ids, such as
 * "front#0:1", are); anything else goes through Buffer.
 */
function base64Prefix16(text: string): string {
  const length = Math.min(text.length, 12);
  for (let i = 0; i < length; i++) if (text.charCodeAt(i) >= 0x80) return Buffer.from(text).toString('base64').slice(0, 16);
  let out = '';
  for (let i = 0; i < length; i += 3) {
    const left = length - i;
    const triple = (text.charCodeAt(i) << 16) | (left > 1 ? text.charCodeAt(i + 1) << 8 : 0) | (left > 2 ? text.charCodeAt(i + 2) : 0);
    out += BASE64_ALPHABET[(triple >> 18) & 63]! + BASE64_ALPHABET[(triple >> 12) & 63]!;
    out += left > 1 ? BASE64_ALPHABET[(triple >> 6) & 63]! : '=';
    out += left > 2 ? BASE64_ALPHABET[triple & 63]! : '=';
  }
  return out;
}

export class DovecotFront extends SessionFront<DovecotSession> implements Model, SessionHost {
  private connCounter = 0;
  private readonly authFailures: AuthFailureQueue;

  constructor(
    readonly config: DovecotFrontConfig,
    readonly policy: SequencingPolicy,
  ) {
    super(config.name);
    this.authFailures = new AuthFailureQueue(config.auth_failure_delay, dovecotWallClock(config), (at) => this.out.push({ kind: 'timer', timer: AUTH_FAILURE_TICK, at }), dovecotHas(config.version, 'auth_failure_delay_zero_immediate'));
  }

  // ---- SessionHost ----

  emit(output: Output): void {
    this.out.push(output);
  }

  setTimer(session: DovecotSession, timer: SessionTimer, at: Micros | null): void {
    this.out.push({ kind: 'timer', timer: session.timerName(timer), at });
  }

  newConnId(purpose: string): ConnId {
    return `${this.name}:${purpose}${++this.connCounter}`;
  }

  bind(conn: ConnId, session: DovecotSession): void {
    this.bindOutgoing(conn, session);
  }

  queueAuthFailure(now: Micros, deliver: (now: Micros) => void): void {
    this.authFailures.add(now, deliver);
  }

  sessionClosed(session: DovecotSession): void {
    this.forget(session);
  }

  // ---- Model ----

  /** client_destroy_oldest(): the oldest client not logged in yet goes (sessions are kept in arrival order). */
  makeRoom(now: Micros): boolean {
    for (const session of this.sessions.values()) if (session.dropForRoom(now)) return true;
    return false;
  }

  /**
   * SO_KEEPALIVE on every connection the login process accepts: lib/net.c net_listen_full() sets it
   * on the listener (2.3.19.1), and Linux copies it to each accepted socket. This is what ends a
   * relaying session whose peers went silent: Dovecot has no deadline of its own there
   * (login-proxy.c: login_proxy_detach() removes the proxy's timeout, the iostream proxy that relays
   * from then on has none, client_destroy_success() took the client's timeouts; an idle proxy is
   * ended only by login_proxy_kill_idle() when the process shuts down), so the kernel's keepalive
   * (2 h 11 min with Linux's defaults) or its retransmission give-up (~925 s with data in flight)
   * fails one side with ETIMEDOUT, and Dovecot ends the relay (sim/tcp/kernel-timers.ts). The
   * backend side has it too: net_connect_ip_once() sets it (dovecot-login-proxy.ts).
   */
  readonly keepAliveOnAccept = true;

  /** A relaying session's two connections: Dovecot has no deadline of its own there (keepAliveOnAccept). */
  deadlineLeftToKernel(conn: ConnId): string | null {
    const session = this.sessions.get(conn) ?? this.outgoing.get(conn);
    if (session?.relaying !== true) return null;
    return "Dovecot relays a proxied session with no timeout of its own (login_proxy_detach() removes the proxy's timeout; login-proxy.c): only the kernel's SO_KEEPALIVE (lib/net.c) or retransmission give-up ends it";
  }

  handle(now: Micros, input: Input): void {
    switch (input.kind) {
      case 'accepted': {
        const sessionId = base64Prefix16(`${this.name}#${this.sessions.size}:${++this.connCounter}`);
        this.sessions.set(input.conn, new DovecotSession(this, input.conn, input.local, input.remote, now, sessionId));
        return;
      }
      case 'connected':
        return this.outgoing.get(input.conn)?.outgoingConnected(now, input.conn, input.local);
      case 'connectFailed':
        return this.outgoing.get(input.conn)?.outgoingFailed(now, input.conn, input.reason, input.local);
      case 'bytes': {
        const session = this.sessions.get(input.conn);
        if (session) return session.clientBytes(now, input.bytes);
        return this.outgoing.get(input.conn)?.outgoingBytes(now, input.conn, input.bytes);
      }
      case 'eof':
      case 'reset': {
        const session = this.sessions.get(input.conn);
        const how = inputEndOf(input);
        if (session) return session.clientGone(now, how);
        return this.outgoing.get(input.conn)?.outgoingGone(now, input.conn, how);
      }
      case 'timeout': {
        if (input.timer === AUTH_FAILURE_TICK) return this.authFailures.tick(now);
        const timer = SESSION_TIMERS.parse(input.timer);
        return timer ? this.sessions.get(timer.conn)?.timer(now, timer.kind) : undefined;
      }
    }
  }
}
