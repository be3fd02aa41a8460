/* contract - the sans-I/O interface every model implements and every runtime drives
 *
 * A model is a deterministic state machine. It never reads a clock, never draws a
 * random number and never touches a socket: time comes in as an argument, and
 * everything it wants done comes out as Output records that the driver drains
 * with poll(). The simulator (sim/) and the socket runtime (runtime/) are the
 * only drivers; both feed the same models. (Style: quinn-proto's
 * handle_timeout(now)/poll_*, h11's receive_data/next_event.)
 *
 * Connections are named by the model that owns them (for outgoing ones) or by
 * the driver (for accepted ones). A ConnId is unique within one driver run.
 *
 * Where the two drivers differ, on purpose (the simulator hunts model bugs, the socket runtime
 * keeps serving real peers):
 *   - an output on a connection the driver does not know: the simulator throws SimConfigError
 *     (a model bug, reported with the seed); the runtime drops it, since a peer's RST can always
 *     race a write; a write after shutdown: the simulator throws too, the runtime hands it to
 *     the socket, whose write-after-end error is recorded as an `error` event;
 *   - more than 100,000 outputs for one input: the simulator throws LivenessError (a runaway
 *     model is a liveness failure); the runtime records a `limit` event and stops draining;
 *   - a model that throws despite the contract: the simulator lets it crash the run (the
 *     property reports it with its replay token); the runtime records an `error` event and
 *     keeps the other sessions up;
 *   - time: virtual in the simulator, wall-clock µs since start in the runtime; the runtime also
 *     caps line length, pending output and idle time (runtime/socket/limits.ts) and the connections
 *     each listener holds (runtime/socket/listener-limits.ts, asking makeRoom), which the simulator
 *     leaves to the models; and it stops reading a connection whose bytes filled a peer's socket
 *     buffer until it drains, where the simulator's links deliver at once.
 */

/** Virtual or wall time in integer microseconds since the run started. */
export type Micros = number;

export type ConnId = string;

export interface SocketAddress {
  readonly host: string;
  readonly port: number;
}

/** What the driver tells a model. */
export type Input =
  /** A peer connected to one of the model's listeners. */
  | { readonly kind: 'accepted'; readonly conn: ConnId; readonly local: SocketAddress; readonly remote: SocketAddress }
  /** An outgoing connection the model asked for is established. */
  | { readonly kind: 'connected'; readonly conn: ConnId; readonly local: SocketAddress; readonly remote: SocketAddress }
  /**
   * An outgoing connection failed: RST to the SYN, or no answer within the connect timeout. `local`
   * is the address connect() bound the socket to, when the driver knows it: Linux's getsockname()
   * still answers with it after the refusal (Dovecot logs it).
   */
  | { readonly kind: 'connectFailed'; readonly conn: ConnId; readonly reason: 'refused' | 'timeout'; readonly local?: SocketAddress }
  /** Bytes arrived from the peer and sit in the model's receive buffer from now on. */
  | { readonly kind: 'bytes'; readonly conn: ConnId; readonly bytes: Uint8Array }
  /** The peer sent FIN: no more bytes will come on this connection. */
  | { readonly kind: 'eof'; readonly conn: ConnId }
  /**
   * The peer reset the connection (or the link broke); the connection is gone. `errno` ETIMEDOUT: the
   * kernel gave up on a silent peer (keepalive or retransmission, sim/tcp/kernel-timers.ts), which a
   * read() reports as "Connection timed out"; without it, ECONNRESET ("Connection reset by peer").
   */
  | { readonly kind: 'reset'; readonly conn: ConnId; readonly errno?: 'ETIMEDOUT' }
  /** A timer the model set has expired. */
  | { readonly kind: 'timeout'; readonly timer: string };

/**
 * SO_KEEPALIVE on a socket: off, on with the system's sysctls, or on with the socket's own
 * TCP_KEEPIDLE / TCP_KEEPINTVL (seconds) and TCP_KEEPCNT, each overriding its sysctl when given
 * (Linux tcp_keepalive_time()/_intvl()/_probes(): the socket's value, else the sysctl's).
 */
export type KeepAlive = boolean | KeepAliveTunables;
export interface KeepAliveTunables {
  readonly idleS?: number;
  readonly intvlS?: number;
  readonly cnt?: number;
}

/** What a model asks the driver to do. */
export type Output =
  /** Open a TCP connection. `noDelay` is TCP_NODELAY (Nagle off), `keepAlive` SO_KEEPALIVE (default off) on the new socket. */
  | { readonly kind: 'connect'; readonly conn: ConnId; readonly to: SocketAddress; readonly noDelay: boolean; readonly keepAlive?: KeepAlive }
  /** One application write() of these bytes, as one call: write boundaries matter to TCP. */
  | { readonly kind: 'write'; readonly conn: ConnId; readonly bytes: Uint8Array }
  /** shutdown(SHUT_WR): send FIN after the queued bytes; reading goes on. */
  | { readonly kind: 'shutdown'; readonly conn: ConnId }
  /** close(): FIN after queued bytes, and the model reads nothing more. */
  | { readonly kind: 'close'; readonly conn: ConnId }
  /** Abort with RST, discarding queued bytes. */
  | { readonly kind: 'abort'; readonly conn: ConnId }
  /** Set (at = time) or cancel (at = null) the named timer. Setting replaces an earlier setting. */
  | { readonly kind: 'timer'; readonly timer: string; readonly at: Micros | null }
  /** A log line as the real daemon writes it, after the syslog "program[pid]: " prefix. */
  | { readonly kind: 'log'; readonly program: string; readonly line: string; readonly conn?: ConnId }
  /** A fact for properties and reports that the real daemon would not log in this form. */
  | { readonly kind: 'fact'; readonly fact: Fact; readonly conn?: ConnId };

/** Observable facts the lab's properties check (kept small; each is a plain record). */
export type Fact =
  | { readonly kind: 'queued'; readonly queueId: string; readonly from: string; readonly to: readonly string[]; readonly size: number; readonly saslUser: string | null; readonly clientAddr: string }
  /** Accepted with 250 and discarded on the operator's order (an smtpd access table's DISCARD): not queued. */
  | { readonly kind: 'discarded'; readonly queueId: string }
  | { readonly kind: 'authenticated'; readonly user: string; readonly via: 'xclient' | 'sasl' | 'proxy' }
  | { readonly kind: 'improperPipelining'; readonly where: string; readonly unread: string }
  | { readonly kind: 'backendAttempt'; readonly attempt: number }
  | { readonly kind: 'proxying'; readonly reconnects: number }
  /** A client's session is over: nothing more will be written or read. */
  | { readonly kind: 'sessionEnded'; readonly closedBy: string }
  /** The program's own idle deadline (`setting`, afterUs long) ended a session whose peers had both been silent that long: nginx's proxy_timeout. */
  | { readonly kind: 'idleDeadline'; readonly setting: string; readonly afterUs: Micros };

export interface Model {
  /** Short name used in traces and diagrams ("client", "front", "auth", "postfix"). */
  readonly name: string;
  /**
   * SO_KEEPALIVE on the connections the model's listeners accept (set on the listening socket or on
   * each accepted one; Linux copies the listener's to every connection it accepts). Default off.
   */
  readonly keepAliveOnAccept?: KeepAlive;
  /** Called once by the driver before any input, at the run's start time (a client opens its connection here). */
  start?(now: Micros): void;
  /** Feed one input at time `now`. Never throws on bad bytes: protocol errors become replies or closes. */
  handle(now: Micros, input: Input): void;
  /** Drain the next output, or undefined when there is none. */
  poll(): Output | undefined;
  /**
   * Why the real program, in the model's present state, would hold `conn` open with no deadline
   * at all (citing its source), or null when it would not. A driver asks this only of a
   * connection still held when nothing is left to happen; liveness excuses such a hang only
   * when the real program hangs there too. A model without the method never hangs legitimately.
   */
  waitsWithoutDeadline?(conn: ConnId): string | null;
  /**
   * Why the real program, in the model's present state, has no deadline of its own on `conn` and
   * leaves a silent peer to the kernel (SO_KEEPALIVE, the retransmission give-up: sim/tcp/kernel-timers.ts),
   * citing its source, or null. The simulator asks when a kernel timer ends `conn`; liveness accepts
   * such an end only where the model says this (or waitsWithoutDeadline): anywhere else the program's
   * own timeout should have come first.
   */
  deadlineLeftToKernel?(conn: ConnId): string | null;
  /**
   * Socket runtime only (the simulator has no listener caps): one of the model's listeners is full
   * and a client waits for a slot. Close the connection the real program drops to make room (Dovecot:
   * the oldest client not logged in yet) and return true, or return false when it drops none.
   */
  makeRoom?(now: Micros): boolean;
}

/** Outputs queue shared by models: push while handling, drain with poll(). */
export class OutputQueue {
  private items: Output[] = [];
  private head = 0;

  push(output: Output): void {
    this.items.push(output);
  }

  poll(): Output | undefined {
    if (this.head >= this.items.length) {
      if (this.items.length > 0) {
        this.items = [];
        this.head = 0;
      }
      return undefined;
    }
    return this.items[this.head++];
  }
}

/** Break-even lengths of the two conversion paths, measured on Node 20. */
const SHORT_TEXT = 32;
const SHORT_BYTES = 16;

/** SMTP is bytes; the lab reads and writes them as latin1 so every byte survives a round trip. */
export function asciiBytes(text: string): Uint8Array {
  // Both paths keep the low byte of each code unit. Short texts (one command) are cheapest
  // copied here; longer ones (message content, HTTP requests) by Node's native latin1 encoder.
  if (text.length > SHORT_TEXT) {
    const encoded = Buffer.from(text, 'latin1');
    return new Uint8Array(encoded.buffer, encoded.byteOffset, encoded.byteLength);
  }
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

/**
 * Node's native latin1 decoder, the one Buffer#toString('latin1') ends in. Called on the
 * Uint8Array itself it skips the Buffer view toString() allocates first: 2-4x faster at every
 * length (Node 20: 50-60 ns for 4..250 bytes, against 100-200 ns). Undocumented, so used
 * only where present.
 */
const nativeLatin1Slice = (Buffer.prototype as unknown as { latin1Slice?: (this: Uint8Array, start: number, end: number) => string }).latin1Slice;

export function bytesToLatin1(bytes: Uint8Array): string {
  if (nativeLatin1Slice !== undefined) return nativeLatin1Slice.call(bytes, 0, bytes.length);
  // A Buffer view costs more than decoding a handful of bytes directly.
  if (bytes.length <= SHORT_BYTES) return String.fromCharCode.apply(null, bytes as unknown as number[]);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

