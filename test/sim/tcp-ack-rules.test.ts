/* tcp-ack-rules - when a Linux receiver ACKs: quick-ACK credit, the ato estimator, ping-pong, the delayed-ACK timer
 *
 * Each test states one rule of torvalds/linux (net/ipv4/tcp_input.c, tcp_output.c, tcp_timer.c,
 * include/net/inet_connection_sock.h; read, not copied) on a bare connection (tcp-harness.ts): the
 * client (side 0) writes, the server (side 1) ACKs. On loopback tcp_send_delayed_ack bounds every
 * ato above TCP_DELACK_MIN by the RTT floor of 40 ms, which hides the estimator; a link with a
 * 100 ms one-way delay (srtt 200 ms = TCP_DELACK_MAX) lets ato through whole, so a delayed ACK
 * leaves exactly ato after the segment and the tests read ato off it.
 */
import { describe, expect, it } from 'vitest';
import { ACK } from '../../sim/tcp/segment.ts';
import { TcpHarness, type HarnessOptions } from './tcp-harness.ts';

const ATO_MIN = 40_000;
const BIG_RTT: HarnessOptions = { oneWayDelayUs: 100_000 };
/** After establish() on every link used here. */
const START = 400_000;

/**
 * The first 16 data segments, 1 ms apart, spend the quick-ACK credit (tcp_incr_quickack: rcv_wnd / (2 * 536)
 * capped at TCP_MAX_QUICKACKS); the ACK that spends the last one sets ato back to TCP_ATO_MIN
 * (tcp_dec_quickack_mode). Returns the harness and the write time of the 16th segment.
 */
function creditSpent(options: HarnessOptions = {}, spacingUs = 1000): { h: TcpHarness; last: number } {
  const h = new TcpHarness(options).establish();
  for (let i = 0; i < 16; i++) h.write(START + i * spacingUs, 0, 'x');
  return { h, last: START + 15 * spacingUs };
}

/** The server's ACKs after the first `skip`, as (time after the segment written at `from` arrived, why). */
function acksAfter(h: TcpHarness, skip: number, from: number): { afterUs: number; why: string }[] {
  return h.acks('srv').slice(skip).map((a) => ({ afterUs: a.t - from - h.conn.oneWayDelayUs, why: a.why }));
}

describe('quick-ACK credit (tcp_incr_quickack, tcp_in_quickack_mode)', () => {
  it('is rcv_wnd / (2 * rcv_mss): a first segment of 4096 bytes raises rcv_mss, so 7 segments are ACKed at once', () => {
    const h = new TcpHarness().establish();
    h.write(START, 0, 'y'.repeat(4096));
    for (let i = 1; i <= 9; i++) h.write(START + i * 1000, 0, 'x');
    h.runUntil(START + 100_000);
    // 65535 / (2 * 4096) = 7 (tcp_measure_rcv_mss: rcv_mss = min(len, advmss) for a segment >= rcv_mss)
    expect(h.acks('srv').map((a) => a.why)).toEqual(['quick', 'quick', 'quick', 'quick', 'quick', 'quick', 'quick', 'delayed']);
  });

  it('is at least 2 when rcv_mss is more than half the window', () => {
    const h = new TcpHarness().establish();
    h.write(START, 0, 'y'.repeat(40_000));
    for (let i = 1; i <= 3; i++) h.write(START + i * 1000, 0, 'x');
    h.runUntil(START + 100_000);
    expect(h.acks('srv').map((a) => a.why)).toEqual(['quick', 'quick', 'delayed']);
  });

  it('after a gap longer than the RTO is topped up, never lowered', () => {
    const h = new TcpHarness().establish();
    h.write(START, 0, 'x'); // credit 16, one spent
    // 300 ms later a segment large enough to cut the fresh credit to 2: the 15 left stay
    h.write(START + 300_000, 0, 'y'.repeat(40_000));
    for (let i = 1; i <= 15; i++) h.write(START + 300_000 + i * 1000, 0, 'x');
    h.runUntil(START + 400_000);
    const whys = h.acks('srv').map((a) => a.why);
    expect(whys.filter((w) => w === 'quick')).toHaveLength(16);
    expect(whys.at(-1)).toBe('delayed');
  });

  it('after a gap longer than the RTO (200 ms) comes back once spent; a gap of exactly the RTO is not enough', () => {
    for (const [gap, why] of [[300_000, 'quick'], [200_000, 'delayed']] as const) {
      const { h, last } = creditSpent(BIG_RTT);
      h.write(last + gap, 0, 'x');
      h.runUntil(last + gap + 500_000);
      expect(acksAfter(h, 16, last + gap).map((a) => a.why), `gap ${gap}`).toEqual([why]);
    }
  });
});

describe('ato, the delayed-ACK timeout estimate (tcp_event_data_recv)', () => {
  // ato is TCP_ATO_MIN once the credit is spent; the next segment's gap m moves it
  it.each([
    ['m <= TCP_ATO_MIN/2: ato = ato/2 + TCP_ATO_MIN/2', 10_000, 40_000],
    ['TCP_ATO_MIN/2 < m < ato: ato = ato/2 + m', 30_000, 50_000],
    ['m = ato: unchanged', 40_000, 40_000],
    ['ato < m <= RTO: unchanged', 100_000, 40_000],
  ])('%s (gap %i µs -> delayed ACK after %i µs)', (_rule, gap, ato) => {
    const { h, last } = creditSpent(BIG_RTT);
    h.write(last + gap, 0, 'x');
    h.runUntil(last + gap + 500_000);
    expect(acksAfter(h, 16, last + gap)).toEqual([{ afterUs: ato, why: 'delayed' }]);
  });

  it('leaving quick-ACK mode deflates ato to TCP_ATO_MIN (tcp_dec_quickack_mode)', () => {
    // 30 ms apart, ato grows towards 60 ms while the credit lasts; the 16th ACK puts it back to 40 ms
    const { h, last } = creditSpent(BIG_RTT, 30_000);
    h.write(last + 30_000, 0, 'x');
    h.runUntil(last + 500_000);
    expect(acksAfter(h, 16, last + 30_000)).toEqual([{ afterUs: 20_000 + 30_000, why: 'delayed' }]);
  });

  it('a delayed-ACK timer outside ping-pong doubles ato (tcp_delack_timer_handler: "inflate ATO")', () => {
    const { h, last } = creditSpent(BIG_RTT);
    h.write(last + 1000, 0, 'x'); // delayed, the timer fires after 40 ms: ato 80 ms
    h.write(last + 101_000, 0, 'x'); // 100 ms later: ato < m < RTO leaves it at 80 ms
    h.runUntil(last + 600_000);
    expect(acksAfter(h, 16, last + 1000)).toEqual([{ afterUs: ATO_MIN, why: 'delayed' }, { afterUs: 100_000 + 80_000, why: 'delayed' }]);
  });

  it.each([
    ['loopback: the 40 ms floor (TCP_DELACK_MIN)', 10, ATO_MIN],
    ['RTT 60 ms', 30_000, 60_000],
    ['RTT 200 ms: ato itself', 100_000, 80_000],
  ])('a delayed ACK waits min(ato, max(srtt, TCP_DELACK_MIN)) (tcp_send_delayed_ack), %s', (_link, oneWayDelayUs, waitUs) => {
    const { h, last } = creditSpent({ oneWayDelayUs });
    h.write(last + 1000, 0, 'x'); // ato inflated to 80 ms when this one's timer fires
    h.write(last + 101_000, 0, 'x');
    h.runUntil(last + 600_000);
    expect(acksAfter(h, 17, last + 101_000)).toEqual([{ afterUs: waitUs, why: 'delayed' }]);
  });
});

describe('__tcp_ack_snd_check', () => {
  it('ACKs at once when more than one rcv_mss (536) is unacknowledged, even with the credit spent', () => {
    const { h, last } = creditSpent();
    h.write(last + 1000, 0, 'a'.repeat(300));
    h.write(last + 2000, 0, 'b'.repeat(300));
    h.runUntil(last + 100_000);
    expect(acksAfter(h, 16, last + 2000)).toEqual([{ afterUs: 0, why: 'quick' }]);
  });

  it('exactly one rcv_mss unacknowledged still waits', () => {
    const { h, last } = creditSpent();
    h.write(last + 1000, 0, 'a'.repeat(268));
    h.write(last + 2000, 0, 'b'.repeat(268));
    h.runUntil(last + 100_000);
    expect(acksAfter(h, 16, last + 1000)).toEqual([{ afterUs: ATO_MIN, why: 'delayed' }]);
  });
});

describe('the delayed-ACK timer (tcp_send_delayed_ack, tcp_event_ack_sent)', () => {
  it('a second segment keeps the pending deadline: the ACK is never put off', () => {
    const { h, last } = creditSpent();
    h.write(last + 1000, 0, 'x');
    h.write(last + 11_000, 0, 'x');
    h.runUntil(last + 100_000);
    expect(acksAfter(h, 16, last + 1000)).toEqual([{ afterUs: ATO_MIN, why: 'delayed' }]);
  });

  it.each([
    ['30 ms later: the deadline is within ato/4, ACK now', 30_000, 30_000],
    ['35 ms later: ACK now', 35_000, 35_000],
    ['29.999 ms later: not yet within ato/4, the timer stays', 29_999, ATO_MIN],
  ])('a timer about to expire: %s', (_case, secondAfter, ackAfter) => {
    const { h, last } = creditSpent();
    h.write(last + 1000, 0, 'x');
    h.write(last + 1000 + secondAfter, 0, 'x');
    h.runUntil(last + 100_000);
    expect(acksAfter(h, 16, last + 1000)).toEqual([{ afterUs: ackAfter, why: 'delayed' }]);
  });

  it('an earlier deadline replaces a later one', () => {
    const { h, last } = creditSpent(BIG_RTT);
    h.write(last + 1000, 0, 'x'); // its timer inflates ato to 80 ms
    h.write(last + 101_000, 0, 'x'); // deadline 80 ms after it
    h.write(last + 106_000, 0, 'x'); // m = 5 ms: ato 60 ms, deadline 65 ms after the previous segment
    h.runUntil(last + 600_000);
    expect(acksAfter(h, 17, last + 101_000)).toEqual([{ afterUs: 65_000, why: 'delayed' }]);
  });

  it('the same deadline again leaves the armed timer (and its slack) alone', () => {
    // two segments in the same µs: the second asks for the deadline the first set; mod_timer with an
    // unchanged expiry changes nothing, so the first draw (3 ms of slack) still decides when it fires
    const { h, last } = creditSpent({ slackUs: [3000, 0] });
    h.write(last + 1000, 0, 'x');
    h.write(last + 1000, 0, 'x');
    h.runUntil(last + 100_000);
    expect(acksAfter(h, 16, last + 1000)).toEqual([{ afterUs: ATO_MIN + 3000, why: 'delayed' }]);
    expect(h.events('decision')).toHaveLength(1);
  });

  it('an ACK sent another way clears the timer: a stale one does not fire', () => {
    // the server is in ping-pong (it replied within ato), so it delays; its reply carries the ACK
    const h = new TcpHarness().establish();
    h.write(START, 0, 'A');
    h.write(START + 5000, 1, 'R1');
    h.write(START + 10_000, 0, 'B'); // delayed: deadline START+10 ms+40 ms
    h.write(START + 15_000, 1, 'R2'); // piggybacks the ACK
    h.write(START + 20_000, 0, 'C'); // delayed: a new deadline 40 ms after C
    h.runUntil(START + 200_000);
    expect(h.acks('srv').map((a) => ({ t: a.t - START, why: a.why }))).toEqual([
      { t: 10, why: 'quick' },
      { t: 15_000, why: 'piggyback' },
      { t: 20_010 + ATO_MIN, why: 'delayed' },
    ]);
  });

  it('whatever the deadline: a FIN 1 µs into a zero-delay link, ACKed by the reply in the same µs, leaves no timer behind', () => {
    // no data yet, so ato is 0 and the deadline is the FIN's own µs; the timer would fire 3 ms later (slack)
    const h = new TcpHarness({ oneWayDelayUs: 0, slackUs: [3000] }).establish();
    h.finish(1, 0);
    h.write(1, 1, 'R');
    h.runUntil(100_000);
    expect(h.acks('srv')).toEqual([{ t: 1, ack: 2, why: 'piggyback' }]);
  });

  // tcp_send_delayed_ack and inet_csk_clear_xmit_timer test the ICSK_ACK_TIMER bit of icsk_ack.pending, not the
  // timeout's value: a deadline equal to the clock's start (a connection at t = 0 on a zero-delay link, whose
  // FIN arrives before any data, so ato is still 0) is as armed as any other
  it('a deadline at t = 0 is armed: the reply in the same µs clears it, so it does not fire', () => {
    const h = new TcpHarness({ oneWayDelayUs: 0, slackUs: [3000] });
    h.conn.open();
    h.finish(0, 0);
    h.write(0, 1, 'R');
    h.runUntil(100_000);
    expect(h.acks('srv')).toEqual([{ t: 0, ack: 2, why: 'piggyback' }]);
  });

  it('a deadline at t = 0 is armed: a second ACK check before it fires sends the ACK at once', () => {
    // the peer's stray pure ACK after its FIN (nothing owed to it) finds the timer about to expire
    const h = new TcpHarness({ oneWayDelayUs: 0, slackUs: [3000, 3000] });
    h.conn.open();
    h.finish(0, 0);
    h.inject(1000, 1, { seq: 2, ack: 1, len: 0, flags: ACK, data: null });
    h.runUntil(100_000);
    expect(h.acks('srv')).toEqual([{ t: 1000, ack: 2, why: 'delayed' }]);
    expect(h.events('decision')).toHaveLength(1);
  });

  it('a reply owing no ACK records no piggybacked one', () => {
    const h = new TcpHarness().establish();
    h.write(START, 1, 'banner');
    h.runUntil(START + 100_000);
    expect(h.acks('srv')).toEqual([]);
    expect(h.segments('srv').map((s) => s.data)).toEqual(['', 'banner']);
  });
});

describe('ping-pong (tcp_event_data_sent, inet_csk_*_pingpong_mode)', () => {
  /** The server gets A, replies `replyAfter` µs after A arrived, then gets B 10 ms after A (or 1 ms after the reply). */
  function replyThenB(replyAfter: number, options: HarnessOptions = {}): TcpHarness {
    const h = new TcpHarness(options).establish();
    h.write(START, 0, 'A');
    h.write(START + 10 + replyAfter, 1, 'R');
    h.write(START + Math.max(10_000, replyAfter + 1000), 0, 'B');
    return h;
  }

  /** The server's ACKs, why each, once everything has happened. */
  function whys(h: TcpHarness): string[] {
    h.runUntil(START + 500_000);
    return h.acks('srv').map((a) => a.why);
  }

  it('a reply less than ato after the data makes the connection interactive: the next ACK is delayed', () => {
    expect(whys(replyThenB(39_999))).toEqual(['quick', 'delayed']);
  });

  it('a reply exactly ato after the data does not count', () => {
    expect(whys(replyThenB(40_000))).toEqual(['quick', 'quick']);
  });

  it('with tcp_pingpong_thresh=3 one reply is not enough', () => {
    expect(whys(replyThenB(5000, { profile: 'pingpong3' }))).toEqual(['quick', 'quick']);
  });

  it('a delayed-ACK timer in ping-pong leaves it: the next segment is ACKed at once again, with the credit left', () => {
    const h = replyThenB(5000);
    h.write(START + 100_000, 0, 'C');
    h.runUntil(START + 500_000);
    expect(h.acks('srv').map((a) => ({ t: a.t - START, why: a.why }))).toEqual([
      { t: 10, why: 'quick' },
      { t: 10_010 + ATO_MIN, why: 'delayed' },
      { t: 100_010, why: 'quick' },
    ]);
  });

  it('a quickack route ACKs at once even in ping-pong', () => {
    expect(whys(replyThenB(5000, { profile: 'quickack' }))).toEqual(['quick', 'quick']);
  });
});
