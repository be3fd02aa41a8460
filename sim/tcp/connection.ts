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
 * - A segment wholly before rcv_nxt with no data (a keepalive probe) fails tcp_sequence() and is
 *   answered with an ACK at once (tcp_validate_incoming -> tcp_send_dupack); it is not processed further.
 * - The kernel timers that end a connection whose peer went silent (kernel-timers.ts, tcp_timer.c):
 *   keepalive on a socket with SO_KEEPALIVE (armed when the connection is established:
 *   tcp_finish_connect, tcp_create_openreq_child), and the retransmission timer, armed when a segment
 *   goes out with nothing in flight and re-armed by every ACK that leaves some (tcp_rearm_rto).
 *   Either fails the socket with ETIMEDOUT (tcp_write_err), which reaches the model as a reset with
 *   errno ETIMEDOUT; keepalive sends a reset first (tcp_send_active_reset). The RTO is srtt + TCP_RTO_MIN
 *   (__tcp_set_rto: rttvar is floored at tcp_rto_min, on loopback the RTT is µs).
 * Not modelled: the read-side ACK of tcp_cleanup_rbuf (the contract gives the
 * driver no read events), autocorking, congestion/receive windows (loopback
 * windows never bind for SMTP-sized writes), the retransmitted segments and tail loss probes (a cut link
 * loses them too, a live one would deliver duplicates; only the give-up is modelled: a TLP, due at 2 srtt
 * + TCP_RTO_MIN capped by the RTO with one segment out, 2 srtt + TCP_TIMEOUT_MIN with more, starts the
 * series that much later, tcp_schedule_loss_probe: the real give-up comes up to one RTO, ~0.2 s, later),
 * the timers of a socket its program closed (orphans: tcp_orphan_retries, tcp_fin_timeout; no model waits).
 */
import type { Input } from '../../models/contract.ts';
import { bytesToLatin1 } from '../../models/contract.ts';
import type { Decider } from '../decisions.ts';
import type { NetHost } from '../sim-event.ts';
import type { TraceRecorder } from '../trace.ts';
import type { Link } from '../faults/link.ts';
import type { KernelTimer, SimEvent } from '../sim-event.ts';
import { TcpEndpoint } from './endpoint.ts';
import { retransmitGiveUpAtUs } from './kernel-timers.ts';
import {
  DELACK_SLACK_US, TCP_ATO_MIN_US, TCP_DELACK_MAX_US, TCP_DELACK_MIN_US, TCP_MAX_QUICKACKS, TCP_RTO_MIN_US, type TcpProfile,
} from './profiles.ts';
import { ACK, FIN, PSH, RST, SYN, flagText, type Segment } from './segment.ts';

/** Initial receive window the quick-ACK credit is computed from (tcp_incr_quickack: rcv_wnd / (2 * rcv_mss)). */
const RCV_WND = 65535;
/** tcp_send_delayed_ack: max_ato when not interactive is HZ/2. */
const DELACK_MAX_NON_INTERACTIVE_US = 500_000;
const PINGPONG_MAX = 255;

/** dupack: the answer to a segment outside the window (a keepalive probe). */
export type AckWhy = 'quick' | 'delayed' | 'piggyback' | 'dupack';

type KernelTimerEvent = Extract<SimEvent, { type: 'kernel' }>;

/** What a connection needs from the simulator besides scheduling. */
export interface TcpHost extends NetHost {
  readonly trace: TraceRecorder;
  /** The connection is established for this end: tell its model (connected / accepted). */
  announce(conn: TcpConnection, end: TcpEndpoint): void;
  /** Feed an input to the model owning `end` (and drain its outputs). */
  toModel(end: TcpEndpoint, input: Input): void;
  /**
   * A kernel timer failed `end`'s socket with ETIMEDOUT (tcp_write_err): tell its model (a reset with
   * errno ETIMEDOUT) and note which timer, and since when the peer was silent (`quietSinceUs`).
   */
  timedOut(conn: TcpConnection, end: TcpEndpoint, timer: KernelTimer, quietSinceUs: number): void;
}

export class TcpConnection {
  readonly ends: readonly [TcpEndpoint, TcpEndpoint];
  link!: Link;
  private readonly srttUs: number;
  /** icsk_rto after the handshake's RTT sample (__tcp_set_rto: srtt + rttvar, rttvar at least TCP_RTO_MIN). */
  private readonly rtoUs: number;

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
    this.rtoUs = this.srttUs + TCP_RTO_MIN_US;
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
      this.establish(end);
      this.host.announce(this, end);
    }
    if (seg.flags & ACK && seg.seq < end.rcvNxt) {
      // no segment here is sent twice, so the only one starting before rcv_nxt is a keepalive probe (snd_una - 1, no data)
      if (end.readClosed) {
        // a closed socket is an orphan, gone within tcp_fin_timeout (60 s) and TIME_WAIT (60 s), long before a probe
        // can come (tcp_keepalive_time after the peer last heard it): the probe finds no socket (tcp_v4_send_reset);
        // the end, closed by its program, takes no further part
        this.refuse(end, seg);
        return;
      }
      // tcp_validate_incoming: !tcp_sequence() -> tcp_send_dupack, and nothing else
      this.sendPureAck(end, 'dupack');
      return;
    }
    // tcp_ack: an acceptable ACK says the peer is there (every segment reaching here carries one, but for
    // the FIN a fault injects in place of the peer's)
    end.rcvTstampUs = now;
    end.probesOut = 0;
    if (seg.ack > end.sndUna) this.acked(end, Math.min(seg.ack, end.sndNxt));
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

  /**
   * A kernel timer event is due at `atUs` (the driver's clock has not moved yet): whether firing now
   * does anything. When it would not, it re-arms itself for its next deadline, or stops, and the
   * driver skips it without moving its clock, so a timer that never fires leaves a trace unchanged.
   */
  kernelTimerDue(event: KernelTimerEvent, atUs: number): boolean {
    const end = this.ends[event.side];
    if (event.timer === 'retransmit') {
      end.rtoEventAtUs = -1;
      if (!this.timersRun(end) || end.rtoAtUs === -1) return false;
      const giveUpUs = retransmitGiveUpAtUs(end.rtoAtUs, this.rtoUs, (end.inFlight[0] as { sentUs: number }).sentUs);
      if (atUs >= giveUpUs) return true;
      // it retransmits (not sent, see the header) until it gives up; an ACK meanwhile moves the deadline, and the give-up with it
      this.scheduleRetransmit(end, giveUpUs);
      return false;
    }
    if (!this.timersRun(end)) return false;
    // tcp_keepalive_timer: "alive without keepalive" while anything is in flight or queued (here only
    // Nagle queues, and only behind data in flight)
    if (end.inFlight.length > 0) {
      this.scheduleKernel(end, 'keepalive', atUs + end.keepaliveTimes.timeUs);
      return false;
    }
    const heardUs = this.lastHeardUs(end);
    if (atUs - heardUs < end.keepaliveTimes.timeUs) {
      this.scheduleKernel(end, 'keepalive', heardUs + end.keepaliveTimes.timeUs);
      return false;
    }
    return true;
  }

  /** A kernel timer that kernelTimerDue found due fires now. */
  kernelTimerFired(event: KernelTimerEvent): void {
    const end = this.ends[event.side];
    if (event.timer === 'retransmit') {
      this.timeOut(end, 'retransmit', (end.inFlight[0] as { sentUs: number }).sentUs);
      return;
    }
    if (end.probesOut >= end.keepaliveTimes.probes) {
      this.emit(end, { seq: end.sndNxt, ack: end.rcvNxt, len: 0, flags: RST | ACK, data: null }); // tcp_send_active_reset
      this.timeOut(end, 'keepalive', this.lastHeardUs(end));
      return;
    }
    // tcp_write_wakeup -> tcp_xmit_probe_skb: no data, snd_una - 1, "this should cause the other end to send an ack";
    // its tcp_event_ack_sent finds no ACK owed after 2 h of silence (a delayed ACK fires within 200 ms)
    this.emit(end, { seq: end.sndUna - 1, ack: end.rcvNxt, len: 0, flags: ACK, data: null });
    end.probesOut++;
    this.scheduleKernel(end, 'keepalive', this.host.now + end.keepaliveTimes.intvlUs);
  }

  /** The link injects a FIN towards `side` (limit_data, half_close). */
  injectFin(side: 0 | 1): void {
    this.arrive(side, { seq: 0, ack: 0, len: 0, flags: FIN, data: null });
  }

  /** ESTABLISHED: the handshake's ACK counts as heard; SO_KEEPALIVE arms keepalive (tcp_finish_connect, tcp_create_openreq_child). */
  private establish(end: TcpEndpoint): void {
    end.established = true;
    end.rcvTstampUs = this.host.now;
    if (end.keepAlive) this.scheduleKernel(end, 'keepalive', this.host.now + end.keepaliveTimes.timeUs);
  }

  /**
   * keepalive_time_elapsed: from the later of the last data (icsk_ack.lrcvtime) and the last ACK
   * (rcv_tstamp); every data segment here carries an acceptable ACK, so rcv_tstamp is the later.
   */
  private lastHeardUs(end: TcpEndpoint): number {
    return end.rcvTstampUs;
  }

  /** Kernel timers act while the program holds the socket (not reset, not closed: see the header). */
  private timersRun(end: TcpEndpoint): boolean {
    return !end.dead && !end.readClosed;
  }

  /** tcp_event_new_data_sent: the segment joins the retransmission queue; the first in flight arms the timer. */
  private sentNew(end: TcpEndpoint): void {
    if (end.inFlight.length === 0) this.armRetransmit(end);
    end.inFlight.push({ endSeq: end.sndNxt, sentUs: this.host.now });
  }

  /** tcp_clean_rtx_queue, then tcp_rearm_rto: cleared when nothing is left in flight, else the RTO from now. */
  private acked(end: TcpEndpoint, ack: number): void {
    end.sndUna = ack;
    while (end.inFlight.length > 0 && (end.inFlight[0] as { endSeq: number }).endSeq <= ack) end.inFlight.shift();
    if (end.inFlight.length === 0) end.rtoAtUs = -1;
    else this.armRetransmit(end);
  }

  private armRetransmit(end: TcpEndpoint): void {
    end.rtoAtUs = this.host.now + this.rtoUs;
    // a pending event is never later than the new deadline (deadlines only move on): it re-arms itself when due
    if (end.rtoEventAtUs === -1) this.scheduleRetransmit(end, end.rtoAtUs);
  }

  private scheduleRetransmit(end: TcpEndpoint, atUs: number): void {
    end.rtoEventAtUs = atUs;
    this.scheduleKernel(end, 'retransmit', atUs);
  }

  private scheduleKernel(end: TcpEndpoint, timer: KernelTimer, atUs: number): void {
    this.host.schedule(atUs, { type: 'kernel', timer, conn: this, side: end.side });
  }

  /** tcp_write_err: ETIMEDOUT, the socket is done. */
  private timeOut(end: TcpEndpoint, timer: KernelTimer, quietSinceUs: number): void {
    this.kill(end);
    this.host.timedOut(this, end, timer, quietSinceUs);
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
    this.establish(end);
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
      this.sentNew(end);
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
    this.sentNew(end);
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
