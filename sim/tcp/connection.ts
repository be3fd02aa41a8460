/* connection - a simulated TCP connection between two endpoints, modelled on Linux
 *
 * Side 0 connected, side 1 accepted. Rules, each cited to the Linux function it
 * follows (torvalds/linux net/ipv4/; read, not copied):
 * - Nagle with Minshall's variant (tcp_output.c tcp_nagle_check, tcp_minshall_check,
 *   tcp_minshall_update): a sub-MSS segment waits while an earlier sub-MSS segment
 *   is unacknowledged; off with TCP_NODELAY; a FIN pushes held data out
 *   (tcp_send_fin -> __tcp_push_pending_frames with TCP_NAGLE_OFF).
 * - Receiving data (tcp_input.c tcp_event_data_recv): schedule an ACK; the first
 *   data segment starts quick-ACK mode (tcp_incr_quickack, TCP_MAX_QUICKACKS) and
 *   sets ato = TCP_ATO_MIN; later ones adapt ato to the inter-arrival gap.
 * - ACK now or later (tcp_input.c __tcp_ack_snd_check, tcp_in_quickack_mode): now if
 *   more than one rcv_mss is unacknowledged, on a quickack route, or while quick-ACK
 *   credit remains and the socket is not in ping-pong mode; else delayed
 *   (tcp_output.c tcp_send_delayed_ack).
 * - Ping-pong (tcp_output.c tcp_event_data_sent, include/net/inet_connection_sock.h):
 *   sending data within ato of the last received data counts towards
 *   tcp_pingpong_thresh; at the threshold ACKs are delayed.
 * - Any segment we send carries the ACK (tcp_event_ack_sent -> tcp_dec_quickack_mode,
 *   clears the delayed-ACK timer).
 * - Delayed-ACK timer (tcp_timer.c tcp_delack_timer_handler): in ping-pong mode it
 *   leaves ping-pong and deflates ato; otherwise it inflates ato; then sends the ACK.
 * - FIN (tcp_input.c tcp_fin): in ESTABLISHED it schedules an ACK and enters ping-pong
 *   mode; after our own FIN it is ACKed at once. Data arriving after close() draws an
 *   RST (tcp_rcv_state_process, FIN_WAIT states), and so does any segment reaching a closed
 *   (reset) end (tcp_v4_rcv finds no socket: tcp_v4_send_reset).
 * Not modelled: the read-side ACK of tcp_cleanup_rbuf (the contract gives the
 * driver no read events), autocorking, congestion/receive windows (loopback
 * windows never bind for SMTP-sized writes), retransmission (links never lose
 * segments unless a fault drops them on purpose).
 */
import type { Input } from '../../models/contract.ts';
import { bytesToLatin1 } from '../../models/contract.ts';
import type { Decider } from '../decisions.ts';
import type { NetHost } from '../sim-event.ts';
import type { TraceRecorder } from '../trace.ts';
import type { Link } from '../faults/link.ts';
import { TcpEndpoint } from './endpoint.ts';
import {
  DELACK_SLACK_US, TCP_ATO_MIN_US, TCP_DELACK_MAX_US, TCP_DELACK_MIN_US, TCP_MAX_QUICKACKS, TCP_RTO_MIN_US, type TcpProfile,
} from './profiles.ts';
import { ACK, FIN, PSH, RST, SYN, flagText, type Segment } from './segment.ts';

/** Initial receive window the quick-ACK credit is computed from (tcp_incr_quickack: rcv_wnd / (2 * rcv_mss)). */
const RCV_WND = 65535;
/** tcp_send_delayed_ack: max_ato when not interactive is HZ/2. */
const DELACK_MAX_NON_INTERACTIVE_US = 500_000;
const PINGPONG_MAX = 255;

export type AckWhy = 'quick' | 'delayed' | 'piggyback';

/** What a connection needs from the simulator besides scheduling. */
export interface TcpHost extends NetHost {
  readonly trace: TraceRecorder;
  /** The connection is established for this end: tell its model (connected / accepted). */
  announce(conn: TcpConnection, end: TcpEndpoint): void;
  /** Feed an input to the model owning `end` (and drain its outputs). */
  toModel(end: TcpEndpoint, input: Input): void;
}

export class TcpConnection {
  readonly ends: readonly [TcpEndpoint, TcpEndpoint];
  link!: Link;
  private readonly srttUs: number;

  constructor(
    /** Trace label, unique in the run ("c1", "c2", ...). */
    readonly id: string,
    private readonly host: TcpHost,
    readonly profile: TcpProfile,
    readonly mss: number,
    readonly oneWayDelayUs: number,
    readonly decider: Decider,
    connector: TcpEndpoint,
    acceptor: TcpEndpoint,
  ) {
    this.ends = [connector, acceptor];
    this.srttUs = 2 * oneWayDelayUs;
  }

  /** connect(): the SYN leaves side 0. */
  open(): void {
    const end = this.ends[0];
    end.sndNxt = 1;
    this.emit(end, { seq: 0, ack: 0, len: 0, flags: SYN, data: null });
  }

  /** A write the link has passed through its faults: queue it and send what Nagle allows. */
  tcpWrite(side: 0 | 1, bytes: Uint8Array): void {
    const end = this.ends[side];
    if (end.dead || end.finRequested) return;
    end.enqueue(bytes);
    this.push(end, false);
  }

  /** shutdown(SHUT_WR) or close(): FIN after the queued bytes. */
  finish(side: 0 | 1, closeReading: boolean): void {
    const end = this.ends[side];
    if (closeReading) end.readClosed = true;
    if (end.dead || end.finRequested) return;
    this.link.flushHeld(side);
    end.finRequested = true;
    this.push(end, true);
  }

  /** abort(): RST now, queued bytes discarded (tcp_disconnect / tcp_send_active_reset). */
  abort(side: 0 | 1): void {
    const end = this.ends[side];
    end.readClosed = true;
    if (end.dead) return;
    this.link.dropHeld(side);
    end.discardUnsent();
    this.emit(end, { seq: end.sndNxt, ack: end.rcvNxt, len: 0, flags: RST | ACK, data: null });
    this.kill(end);
  }

  /** A segment reaches `side`. */
  arrive(side: 0 | 1, seg: Segment): void {
    const end = this.ends[side];
    if (end.dead) {
      // tcp_v4_rcv: a closed socket is unhashed, so the segment finds none (side 0) or only the
      // listener (side 1, tcp_rcv_state_process LISTEN: an ACK is answered with a reset)
      this.refuse(end, seg);
      return;
    }
    const now = this.host.now;
    if (seg.flags & RST) {
      this.kill(end);
      if (this.host.trace.enabled) this.host.trace.record({ t: now, kind: 'rst', conn: this.id, node: end.nodeName, why: 'received' });
      if (end.announced && !end.readClosed) this.host.toModel(end, { kind: 'reset', conn: end.modelConn });
      return;
    }
    if (seg.flags & SYN) {
      this.handshake(end, seg);
      return;
    }
    if (!end.established && seg.flags & ACK && seg.ack >= 1) {
      // tcp_rcv_state_process, SYN_RECV: the handshake ACK completes the accept
      end.sndUna = 1;
      end.established = true;
      this.host.announce(this, end);
    }
    if (seg.ack > end.sndUna) end.sndUna = Math.min(seg.ack, end.sndNxt); // tcp_ack
    let data: Uint8Array | null = null;
    let ackNow = false;
    let finIn = false;
    if (seg.len > 0) {
      if (end.readClosed) {
        // tcp_rcv_state_process, FIN_WAIT1/2 after close(): tcp_reset, then tcp_v4_do_rcv answers the segment
        this.kill(end);
        this.refuse(end, seg);
        return;
      }
      end.rcvNxt += seg.len;
      this.dataReceived(end, seg.len);
      data = seg.data;
    }
    if (seg.flags & FIN && !end.finReceived) {
      // tcp_fin
      end.rcvNxt += 1;
      end.finReceived = true;
      end.ackScheduled = true;
      finIn = true;
      if (end.finSent) ackNow = true;
      else end.pingpong = this.profile.pingpongThresh; // inet_csk_enter_pingpong_mode (ESTABLISHED -> CLOSE_WAIT)
    }
    if ((data || finIn) && this.host.trace.enabled) {
      this.host.trace.record({ t: now, kind: 'deliver', conn: this.id, to: end.nodeName, seq: seg.seq, len: seg.len, fin: finIn });
    }
    this.push(end, false); // tcp_data_snd_check: the ACK may have released held data
    this.ackSendCheck(end, ackNow); // tcp_ack_snd_check
    if (data && end.announced && !end.readClosed && !end.dead) this.host.toModel(end, { kind: 'bytes', conn: end.modelConn, bytes: data });
    if (finIn && end.announced && !end.readClosed && !end.dead) this.host.toModel(end, { kind: 'eof', conn: end.modelConn });
  }

  /** The delayed-ACK timer of `side` fired (tcp_delack_timer_handler). */
  delackFired(side: 0 | 1, gen: number): void {
    const end = this.ends[side];
    // a live timer always has an ACK owed: every ACK sent disarms it (ackSent), so inet_csk_ack_scheduled holds here
    if (end.dead || gen !== end.delackGen) return;
    if (end.pingpong >= this.profile.pingpongThresh) {
      end.pingpong = 0; // inet_csk_exit_pingpong_mode
      end.atoUs = TCP_ATO_MIN_US;
    } else {
      end.atoUs = Math.min(end.atoUs * 2, TCP_RTO_MIN_US);
    }
    this.sendPureAck(end, 'delayed');
  }

  /** The link injects a FIN towards `side` (limit_data, half_close). */
  injectFin(side: 0 | 1): void {
    this.arrive(side, { seq: 0, ack: 0, len: 0, flags: FIN, data: null });
  }

  private handshake(end: TcpEndpoint, seg: Segment): void {
    if (end.side === 1) {
      // SYN at the listener: answer SYN-ACK (tcp_v4_conn_request -> tcp_v4_send_synack)
      end.rcvNxt = end.rcvWup = 1;
      end.sndNxt = 1;
      this.emit(end, { seq: 0, ack: 1, len: 0, flags: SYN | ACK, data: null });
      return;
    }
    if (!(seg.flags & ACK)) return;
    // SYN-ACK at the connector (tcp_rcv_synsent_state_process): established, ACK at once
    end.sndUna = 1;
    end.rcvNxt = end.rcvWup = 1;
    end.established = true;
    this.emit(end, { seq: 1, ack: 1, len: 0, flags: ACK, data: null });
    this.host.announce(this, end);
    this.push(end, false);
  }

  /** tcp_write_xmit with tcp_nagle_test: send what may go now. */
  private push(end: TcpEndpoint, nagleOff: boolean): void {
    if (end.dead || !end.established) return;
    const mss = this.mss;
    // bounded: every pass sends at least one byte or stops
    while (end.unsent > 0) {
      const len = end.unsent < mss ? end.unsent : mss;
      // tcp_nagle_check: partial segment, Nagle on, packets out, and tcp_minshall_check (snd_sml after snd_una)
      if (len < mss && !nagleOff && !end.noDelay && end.sndNxt > end.sndUna && end.sndSml > end.sndUna) break;
      const data = end.take(len);
      const last = end.unsent === 0;
      const fin = last && end.finRequested && !end.finSent;
      this.sendData(end, data, last, fin);
    }
    if (end.unsent === 0 && end.finRequested && !end.finSent) {
      end.finSent = true;
      this.emit(end, { seq: end.sndNxt, ack: end.rcvNxt, len: 0, flags: FIN | ACK, data: null });
      end.sndNxt += 1;
      this.ackSent(end);
    }
  }

  private sendData(end: TcpEndpoint, data: Uint8Array, last: boolean, fin: boolean): void {
    const now = this.host.now;
    const seg: Segment = { seq: end.sndNxt, ack: end.rcvNxt, len: data.length, flags: ACK | (last ? PSH : 0) | (fin ? FIN : 0), data };
    end.sndNxt += data.length + (fin ? 1 : 0);
    if (data.length < this.mss) end.sndSml = end.sndNxt; // tcp_minshall_update
    if (fin) end.finSent = true;
    // tcp_event_data_sent: a reply within ato of the last received data counts towards ping-pong
    if (now - end.lrcvtimeUs < end.atoUs && end.pingpong < PINGPONG_MAX) end.pingpong++;
    if (end.ackScheduled && this.host.trace.enabled) {
      this.host.trace.record({ t: now, kind: 'ack', conn: this.id, from: end.nodeName, ack: end.rcvNxt, why: 'piggyback' });
    }
    this.emit(end, seg);
    this.ackSent(end);
  }

  /** tcp_event_data_recv (with tcp_measure_rcv_mss reduced to "big segments raise rcv_mss"). */
  private dataReceived(end: TcpEndpoint, len: number): void {
    const now = this.host.now;
    end.ackScheduled = true; // inet_csk_schedule_ack
    if (len > end.rcvMss) end.rcvMss = Math.min(len, this.mss);
    if (end.atoUs === 0) {
      // the first data segment: start the delayed-ACK engine in quick-ACK mode
      this.incrQuickack(end);
      end.atoUs = TCP_ATO_MIN_US;
    } else {
      const gap = now - end.lrcvtimeUs;
      if (gap <= TCP_ATO_MIN_US / 2) end.atoUs = (end.atoUs >> 1) + TCP_ATO_MIN_US / 2;
      else if (gap < end.atoUs) end.atoUs = Math.min((end.atoUs >> 1) + gap, TCP_RTO_MIN_US);
      else if (gap > TCP_RTO_MIN_US) this.incrQuickack(end); // sender restarted after a long idle
    }
    end.lrcvtimeUs = now;
  }

  /** tcp_incr_quickack: credit of rcv_wnd / (2 * rcv_mss) quick ACKs, at least 2, at most TCP_MAX_QUICKACKS. */
  private incrQuickack(end: TcpEndpoint): void {
    const credit = Math.min(Math.floor(RCV_WND / (2 * end.rcvMss)) || 2, TCP_MAX_QUICKACKS);
    if (credit > end.quick) end.quick = credit;
  }

  /** __tcp_ack_snd_check */
  private ackSendCheck(end: TcpEndpoint, now: boolean): void {
    if (!end.ackScheduled || end.dead) return;
    const interactive = end.pingpong >= this.profile.pingpongThresh;
    if (now || end.rcvNxt - end.rcvWup > end.rcvMss || this.profile.quickackRoute || (end.quick > 0 && !interactive)) {
      this.sendPureAck(end, 'quick');
    } else {
      this.sendDelayedAck(end, interactive);
    }
  }

  /** tcp_send_delayed_ack */
  private sendDelayedAck(end: TcpEndpoint, interactive: boolean): void {
    const now = this.host.now;
    let ato = end.atoUs;
    if (ato > TCP_DELACK_MIN_US) {
      let maxAto = interactive ? TCP_DELACK_MAX_US : DELACK_MAX_NON_INTERACTIVE_US;
      const rtt = Math.max(this.srttUs, TCP_DELACK_MIN_US);
      if (rtt < maxAto) maxAto = rtt;
      ato = Math.min(ato, maxAto);
    }
    ato = Math.min(ato, TCP_DELACK_MAX_US);
    if (end.delackAtUs !== -1) {
      // a timer about to expire: ACK now; otherwise a pending ACK is never put off (the earlier deadline stays)
      if (end.delackAtUs <= now + (ato >> 2)) {
        this.sendPureAck(end, 'delayed');
        return;
      }
      // the same deadline again is sk_reset_timer on an unchanged expiry: mod_timer leaves the timer as it is
      if (now + ato >= end.delackAtUs) return;
    }
    end.delackAtUs = now + ato;
    end.delackGen++;
    // the slack is the timer wheel's, after icsk_ack.timeout: the comparisons above use the deadline itself
    this.host.schedule(end.delackAtUs + this.decider.delackSlackUs(DELACK_SLACK_US), { type: 'delack', conn: this, side: end.side, gen: end.delackGen });
  }

  private sendPureAck(end: TcpEndpoint, why: AckWhy): void {
    if (this.host.trace.enabled) {
      this.host.trace.record({ t: this.host.now, kind: 'ack', conn: this.id, from: end.nodeName, ack: end.rcvNxt, why });
    }
    this.link.transmit(end.side, { seq: end.sndNxt, ack: end.rcvNxt, len: 0, flags: ACK, data: null });
    this.ackSent(end);
  }

  /** tcp_event_ack_sent: tcp_dec_quickack_mode, then clear the delayed-ACK timer. */
  private ackSent(end: TcpEndpoint): void {
    if (end.quick > 0) {
      const pkts = end.ackScheduled ? 1 : 0;
      if (pkts >= end.quick) {
        end.quick = 0;
        end.atoUs = TCP_ATO_MIN_US;
      } else {
        end.quick -= pkts;
      }
    }
    end.ackScheduled = false;
    end.rcvWup = end.rcvNxt;
    if (end.delackAtUs !== -1) {
      end.delackAtUs = -1;
      end.delackGen++;
    }
  }

  /** Record a non-pure-ACK segment and hand it to the link. */
  private emit(end: TcpEndpoint, seg: Segment): void {
    if (this.host.trace.enabled) {
      const peer = this.ends[end.side === 0 ? 1 : 0];
      this.host.trace.record({
        t: this.host.now, kind: 'segment', conn: this.id, from: end.nodeName, to: peer.nodeName,
        seq: seg.seq, ack: seg.ack, len: seg.len, flags: flagText(seg.flags), data: seg.data ? bytesToLatin1(seg.data) : '',
      });
    }
    this.link.transmit(end.side, seg);
  }

  /**
   * tcp_v4_send_reset: the RST answering a segment no socket takes. It acknowledges nothing when the
   * segment carried an ACK (seq = its ack), else it ACKs the segment; a RST is never answered. The
   * only segment without ACK here is the FIN a fault injects (injectFin), which takes one number.
   */
  private refuse(end: TcpEndpoint, seg: Segment): void {
    if (seg.flags & RST) return;
    if (seg.flags & ACK) this.emit(end, { seq: seg.ack, ack: 0, len: 0, flags: RST, data: null });
    else this.emit(end, { seq: 0, ack: seg.seq + 1, len: 0, flags: RST | ACK, data: null });
  }

  /** tcp_done: the socket is closed, owes no ACK and has no delayed-ACK timer (inet_csk_clear_xmit_timers). */
  private kill(end: TcpEndpoint): void {
    end.dead = true;
    end.discardUnsent();
    end.ackScheduled = false;
    // the timer's event may still come: delackFired drops it for a dead end
    end.delackAtUs = -1;
  }
}
