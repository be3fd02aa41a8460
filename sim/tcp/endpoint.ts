/* endpoint - one side of a simulated TCP connection: send queue, sequence state, delayed-ACK state
 *
 * Field names follow struct tcp_sock / inet_connection_sock (snd_una, snd_nxt,
 * snd_sml, rcv_nxt, rcv_wup, icsk_ack.{quick,ato,pingpong,lrcvtime,pending}) so the
 * rules in connection.ts can be read side by side with net/ipv4/tcp_*.c.
 */
import type { ConnId, KeepAlive, SocketAddress } from '../../models/contract.ts';
import { SYSCTL_KEEPALIVE, keepAliveTimes, type KeepAliveTimes } from './kernel-timers.ts';
import { TCP_MSS_DEFAULT } from './profiles.ts';

export class TcpEndpoint {
  /** The model-facing connection id (set when the model learns of the connection). */
  modelConn: ConnId = '';
  /** The model has been told (connected / accepted) and may receive inputs. */
  announced = false;
  established = false;
  /** Gone: reset (sent or received). */
  dead = false;
  /** close(): the model reads nothing more; data arriving now draws an RST. */
  readClosed = false;
  finRequested = false;
  finSent = false;
  finReceived = false;

  // send side: application write boundaries are kept as chunks until segmentation
  private chunks: Uint8Array[] = [];
  private headOffset = 0;
  unsent = 0;
  sndUna = 0;
  sndNxt = 0;
  /** snd_sml: end of the last sub-MSS segment sent (tcp_minshall_update). */
  sndSml = 0;

  // receive side
  rcvNxt = 0;
  /** rcv_wup: rcv_nxt when we last sent an ACK (window update point). */
  rcvWup = 0;
  /** icsk_ack.rcv_mss: starts at TCP_MSS_DEFAULT (tcp_initialize_rcv_mss), grows with big segments. */
  rcvMss = TCP_MSS_DEFAULT;

  // delayed-ACK engine (icsk_ack)
  quick = 0;
  atoUs = 0;
  pingpong = 0;
  lrcvtimeUs = 0;
  /** ICSK_ACK_SCHED: an ACK is owed. */
  ackScheduled = false;
  /** icsk_ack.timeout: the delayed-ACK deadline (the timer fires up to DELACK_SLACK_US later), -1 when not armed. */
  delackAtUs = -1;
  delackGen = 0;

  // kernel timers (kernel-timers.ts): keepalive (sk_timer) and retransmission (icsk_retransmit_timer)
  /** SOCK_KEEPOPEN: SO_KEEPALIVE set by the program owning the socket (inherited from its listener when accepted). */
  keepAlive = false;
  /** tp->keepalive_time, _intvl, _probes as the keepalive timer reads them: the sysctls unless the program set its own. */
  keepaliveTimes: KeepAliveTimes = SYSCTL_KEEPALIVE;
  /** tp->rcv_tstamp: when the last acceptable ACK arrived. */
  rcvTstampUs = 0;
  /** icsk_probes_out: keepalive probes sent since the last ACK. */
  probesOut = 0;
  /** The retransmission timer's deadline (icsk_timeout of ICSK_TIME_RETRANS), -1 when nothing is in flight. */
  rtoAtUs = -1;
  /** When its one pending event is due, -1 when none is queued; the event re-arms itself for a later deadline. */
  rtoEventAtUs = -1;
  /** Segments sent and not yet acknowledged: their end sequence and when they were sent (the head's time is retrans_stamp). */
  readonly inFlight: { readonly endSeq: number; readonly sentUs: number }[] = [];

  constructor(
    readonly side: 0 | 1,
    /** Index of the owning node in the simulation. */
    readonly node: number,
    readonly nodeName: string,
    readonly local: SocketAddress,
    readonly remote: SocketAddress,
    public noDelay: boolean,
  ) {}

  /** setsockopt(SO_KEEPALIVE) and, when the program gives them, TCP_KEEPIDLE/TCP_KEEPINTVL/TCP_KEEPCNT. */
  setKeepAlive(keepAlive: KeepAlive): void {
    const times = keepAliveTimes(keepAlive);
    this.keepAlive = times !== null;
    this.keepaliveTimes = times ?? SYSCTL_KEEPALIVE;
  }

  enqueue(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.chunks.push(bytes);
    this.unsent += bytes.length;
  }

  /** Take `len` unsent bytes off the front (no copy when they lie in one write). */
  take(len: number): Uint8Array {
    const first = this.chunks[0] as Uint8Array;
    if (this.headOffset === 0 && first.length === len) {
      // the common case: one write becomes one segment
      this.advance(len);
      return first;
    }
    if (first.length - this.headOffset >= len) {
      const out = first.subarray(this.headOffset, this.headOffset + len);
      this.advance(len);
      return out;
    }
    const out = new Uint8Array(len);
    let filled = 0;
    // bounded: each pass consumes at least one byte of a non-empty chunk
    while (filled < len) {
      const chunk = this.chunks[0] as Uint8Array;
      const n = Math.min(len - filled, chunk.length - this.headOffset);
      out.set(chunk.subarray(this.headOffset, this.headOffset + n), filled);
      filled += n;
      this.advance(n);
    }
    return out;
  }

  discardUnsent(): void {
    this.chunks = [];
    this.headOffset = 0;
    this.unsent = 0;
  }

  private advance(n: number): void {
    this.headOffset += n;
    this.unsent -= n;
    const first = this.chunks[0] as Uint8Array;
    if (this.headOffset === first.length) {
      this.chunks.shift();
      this.headOffset = 0;
    }
  }
}
