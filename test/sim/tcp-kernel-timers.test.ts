/* tcp-kernel-timers - Linux's keepalive and retransmission give-up, and that a timer which never fires changes nothing
 *
 * One rule per test, cited to torvalds/linux net/ipv4/tcp_timer.c (read, not copied), on a bare
 * connection (tcp-harness.ts) whose link a test cuts for good (Link.blackhole, the `timeout` fault).
 * Times: the SYN leaves at 0, the connector is established when the SYN-ACK arrives (20 µs), the
 * RTO is srtt (20 µs) + TCP_RTO_MIN.
 */
import { describe, expect, it } from 'vitest';
import type { KeepAlive } from '../../models/contract.ts';
import { Simulation } from '../../sim/simulation.ts';
import { KEEPALIVE_GIVE_UP_US, RETRANSMIT_GIVE_UP_US, TCP_KEEPALIVE_INTVL_US, TCP_KEEPALIVE_TIME_US, modelTimeoutUs, retransmitGiveUpAtUs } from '../../sim/tcp/kernel-timers.ts';
import { ACK } from '../../sim/tcp/segment.ts';
import { ScriptedPeer } from './scripted-peer.ts';
import { TcpHarness } from './tcp-harness.ts';

const RTO_US = 200_020;
/** The connector's establishment: the SYN-ACK's arrival. */
const ESTABLISHED_US = 20;
/** The 16th firing after an RTO of 200.02 ms armed at 0: 1023 RTOs doubling, then 6 × 120 s. */
const GIVE_UP_AFTER_US = 1023 * RTO_US + 6 * 120_000_000;
const START = 1_000_000;
const HOUR_US = 3600_000_000;

describe('the RTO series (tcp_model_timeout, retransmits_timed_out)', () => {
  it('tcp_retries2 = 15 from TCP_RTO_MIN: 2^10 - 1 doubling RTOs up to ilog2(600) = 9, then 6 × TCP_RTO_MAX: 924.6 s', () => {
    expect(RETRANSMIT_GIVE_UP_US).toBe(924_600_000);
    expect(modelTimeoutUs(15, 200_000)).toBe(1023 * 200_000 + 6 * 120_000_000);
    // a boundary under the threshold stays exponential
    expect(modelTimeoutUs(3, 200_000)).toBe(15 * 200_000);
    expect(modelTimeoutUs(9, 200_000)).toBe(1023 * 200_000);
  });

  it('the give-up is the first firing at or past 924.6 s from the head segment: the 16th, after 15 retransmissions', () => {
    expect(retransmitGiveUpAtUs(RTO_US, RTO_US, 0)).toBe(GIVE_UP_AFTER_US);
    expect(GIVE_UP_AFTER_US).toBe(924_620_460);
  });

  it('a firing exactly 924.6 s after the head was sent gives up (retransmits_timed_out: elapsed - timeout >= 0)', () => {
    // the 16th firing of a timer armed at 0 is at GIVE_UP_AFTER_US; a head sent exactly 924.6 s before it
    expect(retransmitGiveUpAtUs(RTO_US, RTO_US, GIVE_UP_AFTER_US - RETRANSMIT_GIVE_UP_US)).toBe(GIVE_UP_AFTER_US);
  });

  it('the first firing never gives up, however old the head: it has not retransmitted yet (icsk_retransmits == 0)', () => {
    expect(retransmitGiveUpAtUs(1_000, RTO_US, -10 * RETRANSMIT_GIVE_UP_US)).toBe(1_000 + 2 * RTO_US);
  });

  it('keepalive gives up after tcp_keepalive_time + tcp_keepalive_probes × tcp_keepalive_intvl: 7875 s', () => {
    expect(KEEPALIVE_GIVE_UP_US).toBe(7875_000_000);
  });
});

describe('retransmission timeout (tcp_retransmit_timer -> tcp_write_err)', () => {
  it('data the peer never ACKs fails the socket with ETIMEDOUT after the RTO series, with no reset sent', () => {
    const h = new TcpHarness().establish();
    h.conn.link.blackhole();
    h.write(START, 0, 'A');
    h.runUntil(START + 2 * GIVE_UP_AFTER_US);
    expect(h.timedOuts).toEqual([{ t: START + GIVE_UP_AFTER_US, side: 0, timer: 'retransmit', quietSinceUs: START }]);
    expect(h.inputs.at(-1)).toEqual({ t: START + GIVE_UP_AFTER_US, side: 0, input: { kind: 'reset', conn: 'out', errno: 'ETIMEDOUT' } });
    expect(h.segments('cli').at(-1)).toMatchObject({ t: START, len: 1 });
    expect(h.cli.dead).toBe(true);
  });

  it('data that is ACKed disarms it: the one timer event is skipped at its deadline and nothing ends', () => {
    const h = new TcpHarness().establish();
    h.write(START, 0, 'A');
    h.runUntil(START + 2 * GIVE_UP_AFTER_US);
    expect(h.timedOuts).toEqual([]);
    expect(h.skippedKernel).toEqual([{ t: START + RTO_US, timer: 'retransmit', side: 0 }]);
  });

  it('an ACK that leaves data in flight re-arms the RTO from its arrival; the head keeps its first sending time', () => {
    const h = new TcpHarness().establish();
    h.conn.link.blackhole();
    h.write(START, 0, 'AB');
    // a partial ACK (seq 1 = the peer's snd_nxt): byte A acknowledged, B still in flight
    h.inject(START + 100_000, 0, { seq: 1, ack: 2, len: 0, flags: ACK, data: null });
    h.runUntil(START + 2 * GIVE_UP_AFTER_US);
    expect(h.timedOuts).toEqual([{ t: START + 100_000 + GIVE_UP_AFTER_US, side: 0, timer: 'retransmit', quietSinceUs: START }]);
    // one event per timer: the first, due at the old deadline, re-arms itself for the give-up
    expect(h.skippedKernel).toEqual([{ t: START + RTO_US, timer: 'retransmit', side: 0 }]);
  });

  it('an ACK that acknowledges nothing new (ack = snd_una) leaves the timer where it was', () => {
    const h = new TcpHarness().establish();
    h.conn.link.blackhole();
    h.write(START, 0, 'A');
    h.inject(START + 100_000, 0, { seq: 1, ack: 1, len: 0, flags: ACK, data: null });
    h.runUntil(START + 2 * GIVE_UP_AFTER_US);
    expect(h.timedOuts.map((t) => t.t)).toEqual([START + GIVE_UP_AFTER_US]);
  });

  it('the head is the oldest segment not acknowledged: a later one starts a later series', () => {
    const h = new TcpHarness().establish();
    h.write(START, 0, 'A');
    h.runUntil(START + 1000); // ACKed at once (quick-ACK)
    h.conn.link.blackhole();
    const later = START + 2 * RTO_US; // after A's timer event was dropped: B arms a new one
    h.write(later, 0, 'B');
    h.runUntil(START + 2 * GIVE_UP_AFTER_US);
    expect(h.timedOuts).toEqual([{ t: later + GIVE_UP_AFTER_US, side: 0, timer: 'retransmit', quietSinceUs: later }]);
  });

  it('only the first segment in flight arms it (tcp_event_new_data_sent: prior_packets == 0); later ones do not push it back', () => {
    const h = new TcpHarness().establish();
    h.conn.link.blackhole();
    h.write(START, 0, 'A');
    h.write(START + 1000, 0, 'B');
    h.runUntil(START + 2 * GIVE_UP_AFTER_US);
    expect(h.timedOuts.map((t) => t.t)).toEqual([START + GIVE_UP_AFTER_US]);
  });

  it('a FIN in flight counts as data: a shutdown the peer never ACKs times out too', () => {
    const h = new TcpHarness().establish();
    h.conn.link.blackhole();
    h.finish(START, 0);
    h.runUntil(START + 2 * GIVE_UP_AFTER_US);
    expect(h.timedOuts.map((t) => t.t)).toEqual([START + GIVE_UP_AFTER_US]);
  });

  it('a socket its program closed or aborted has no timers left here (orphans are not modelled)', () => {
    for (const end of ['close', 'abort'] as const) {
      const h = new TcpHarness().establish();
      h.cli.keepAlive = true;
      h.conn.link.blackhole();
      h.write(START, 0, 'A');
      if (end === 'close') h.finish(START + 10, 0, true);
      else h.abort(START + 10, 0);
      h.runUntil(START + 4 * HOUR_US);
      expect(h.timedOuts).toEqual([]);
    }
  });
});

describe('keepalive (tcp_keepalive_timer)', () => {
  it('a socket the peer reset has no timers left (tcp_done)', () => {
    const h = new TcpHarness();
    h.cli.keepAlive = true;
    h.establish();
    h.abort(START, 1);
    h.runUntil(4 * HOUR_US);
    expect(h.cli.dead).toBe(true);
    expect(h.keepaliveProbes()).toEqual([]);
    expect(h.timedOuts).toEqual([]);
  });

  it('off by default: an idle connection has no kernel timer at all', () => {
    const h = new TcpHarness().establish();
    h.conn.link.blackhole();
    h.runUntil(4 * HOUR_US);
    expect(h.timedOuts).toEqual([]);
    expect(h.skippedKernel).toEqual([]);
    expect(h.keepaliveProbes()).toEqual([]);
  });

  it('a live peer answers each probe (tcp_send_dupack), so probes come every tcp_keepalive_time and the socket stays', () => {
    const h = new TcpHarness();
    h.cli.keepAlive = true;
    h.establish();
    h.runUntil(ESTABLISHED_US + 2 * TCP_KEEPALIVE_TIME_US + 1000);
    const first = ESTABLISHED_US + TCP_KEEPALIVE_TIME_US;
    // the answer arrives 20 µs after the probe: the next idle period counts from it
    expect(h.keepaliveProbes()).toEqual([first, first + 20 + TCP_KEEPALIVE_TIME_US]);
    expect(h.acks('srv').filter((a) => a.why === 'dupack')).toEqual([
      { t: first + 10, ack: 1, why: 'dupack' },
      { t: first + 20 + TCP_KEEPALIVE_TIME_US + 10, ack: 1, why: 'dupack' },
    ]);
    expect(h.timedOuts).toEqual([]);
    expect(h.inputKinds(1)).toEqual(['accepted']); // a probe is answered by the kernel alone
  });

  it('a peer that closed its socket long ago: the orphan is gone, the probe draws a reset and the model sees ECONNRESET', () => {
    const h = new TcpHarness();
    h.cli.keepAlive = true;
    h.establish();
    h.finish(START, 1, true); // close(): the FIN reaches cli, which keeps its socket open
    h.runUntil(START + 2 * TCP_KEEPALIVE_TIME_US);
    const probe = START + 10 + TCP_KEEPALIVE_TIME_US; // the FIN was last heard
    expect(h.keepaliveProbes()).toEqual([probe]);
    expect(h.segments('srv').at(-1)).toMatchObject({ t: probe + 10, flags: 'R' });
    expect(h.inputs.at(-1)).toEqual({ t: probe + 20, side: 0, input: { kind: 'reset', conn: 'out' } });
    expect(h.timedOuts).toEqual([]);
  });

  it('a silent peer: 9 probes tcp_keepalive_intvl apart, then a reset and ETIMEDOUT 7875 s after it was last heard', () => {
    const h = new TcpHarness();
    h.cli.keepAlive = true;
    h.establish();
    h.conn.link.blackhole();
    h.runUntil(4 * HOUR_US);
    const first = ESTABLISHED_US + TCP_KEEPALIVE_TIME_US;
    expect(h.keepaliveProbes()).toEqual(Array.from({ length: 9 }, (_, i) => first + i * TCP_KEEPALIVE_INTVL_US));
    expect(h.timedOuts).toEqual([{ t: ESTABLISHED_US + KEEPALIVE_GIVE_UP_US, side: 0, timer: 'keepalive', quietSinceUs: ESTABLISHED_US }]);
    expect(h.segments('cli').at(-1)).toMatchObject({ t: ESTABLISHED_US + KEEPALIVE_GIVE_UP_US, flags: 'AR' });
    expect(h.inputs.at(-1)?.input).toEqual({ kind: 'reset', conn: 'out', errno: 'ETIMEDOUT' });
  });

  it('an ACK heard between probes resets the count (tcp_ack: icsk_probes_out = 0) and the idle time', () => {
    const h = new TcpHarness();
    h.cli.keepAlive = true;
    h.establish();
    h.conn.link.blackhole();
    const heard = ESTABLISHED_US + TCP_KEEPALIVE_TIME_US + 3 * TCP_KEEPALIVE_INTVL_US - 1;
    h.inject(heard, 0, { seq: 1, ack: 1, len: 0, flags: ACK, data: null });
    h.runUntil(6 * HOUR_US);
    expect(h.timedOuts).toEqual([{ t: heard + KEEPALIVE_GIVE_UP_US, side: 0, timer: 'keepalive', quietSinceUs: heard }]);
    expect(h.keepaliveProbes()).toHaveLength(3 + 9);
  });

  it('data in flight is "alive without keepalive": the retransmission timer ends it, not keepalive', () => {
    const h = new TcpHarness();
    h.cli.keepAlive = true;
    h.establish();
    h.conn.link.blackhole();
    const sent = 7000_000_000;
    h.write(sent, 0, 'A');
    h.runUntil(3 * HOUR_US);
    expect(h.keepaliveProbes()).toEqual([]);
    expect(h.timedOuts).toEqual([{ t: sent + GIVE_UP_AFTER_US, side: 0, timer: 'retransmit', quietSinceUs: sent }]);
  });

  it('data received counts as heard (icsk_ack.lrcvtime): the first probe waits tcp_keepalive_time from it', () => {
    const h = new TcpHarness();
    h.cli.keepAlive = true;
    h.establish();
    h.write(START, 1, 'R');
    h.runUntil(START + 1000);
    h.conn.link.blackhole();
    h.runUntil(START + TCP_KEEPALIVE_TIME_US + 1000);
    expect(h.keepaliveProbes()).toEqual([START + 10 + TCP_KEEPALIVE_TIME_US]);
  });
});

describe('kernel timers in a simulation', () => {
  /** A server that greets, answers QUIT and closes; or, silent, a pair that never writes over a link cut 100 µs after the SYN. */
  function exchange(keepAlive: KeepAlive, silent = false) {
    const sim = new Simulation({ seed: 5 });
    const server = silent
      ? new ScriptedPeer({ name: 'srv', role: 'server' })
      : new ScriptedPeer({ name: 'srv', role: 'server', onOpen: [{ afterUs: 5, text: '220 hi\r\n' }], onMessage: [[{ afterUs: 5, text: '221 bye\r\n' }]], finally: 'close' });
    const client = new ScriptedPeer({ name: 'cli', role: 'client', connectTo: { host: '127.0.0.1', port: 25 }, ...(silent ? {} : { onMessage: [[{ afterUs: 5, text: 'QUIT\r\n' }]] }) });
    const faults = silent ? [{ name: 'timeout' as const, atUs: 100 }] : [];
    sim.addNode(server, { listen: [{ host: '127.0.0.1', port: 25, keepAlive, link: { faults } }] });
    sim.addNode(client);
    const result = sim.runUntilIdle(100_000);
    return { sim, server, client, result };
  }

  it('timers that never fire leave the trace and the end time exactly as without them', () => {
    const without = exchange(false);
    const withKeepalive = exchange(true);
    expect(without.server.received.map((r) => r.text)).toEqual(['QUIT\r\n']);
    expect(withKeepalive.sim.trace.toJsonLines()).toBe(without.sim.trace.toJsonLines());
    expect(withKeepalive.result.now).toBe(without.result.now);
    expect(withKeepalive.sim.kernelEnds()).toEqual([]);
  });

  it("the listener's SO_KEEPALIVE is the accepted socket's: a silent client is ended and its model told ETIMEDOUT", () => {
    const run = exchange(true, true);
    // the acceptor is established when the handshake's ACK arrives, 30 µs after the SYN left
    expect(run.sim.kernelEnds()).toEqual([{ node: 'srv', conn: 'c1', label: 'c1', timer: 'keepalive', atUs: 30 + KEEPALIVE_GIVE_UP_US, quietSinceUs: 30, lastTimerFiredUs: 0, realProgramWaits: null }]);
    expect(run.server.inputs.map((i) => i.kind)).toEqual(['accepted', 'reset']);
    expect(run.sim.trace.events.filter((e) => e.kind === 'rst')).toMatchObject([{ t: 30 + KEEPALIVE_GIVE_UP_US, node: 'srv', why: 'keepalive' }]);
    // the client connected without SO_KEEPALIVE and waits for ever
    expect(run.sim.heldConnections().map((held) => held.node)).toEqual(['cli']);
  });

  it("the listener's TCP_KEEPIDLE/INTVL/CNT are the accepted socket's too (sk_clone_lock copies tcp_sock)", () => {
    const run = exchange({ idleS: 5, intvlS: 1, cnt: 2 }, true);
    expect(run.sim.kernelEnds()).toMatchObject([{ node: 'srv', timer: 'keepalive', atUs: 30 + 7_000_000, quietSinceUs: 30 }]);
  });

  it('without SO_KEEPALIVE the same silent client is held for ever', () => {
    const run = exchange(false, true);
    expect(run.sim.kernelEnds()).toEqual([]);
    expect(run.sim.heldConnections().map((held) => held.node)).toEqual(['srv', 'cli']);
  });
});
