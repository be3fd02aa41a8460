/* tcp-close-rules - Linux's FIN and RST handling, Nagle with Minshall's variant, and what the trace shows of them
 *
 * One rule per test, cited to torvalds/linux (net/ipv4/tcp_input.c, tcp_output.c, tcp_ipv4.c; read,
 * not copied), on a bare connection (tcp-harness.ts). Sequence numbers are relative: the SYN is 0, the
 * first data byte 1, and a FIN takes one number as a byte would.
 */
import { describe, expect, it } from 'vitest';
import { ACK } from '../../sim/tcp/segment.ts';
import { TcpHarness } from './tcp-harness.ts';

const START = 1000;

describe('FIN (tcp_fin, tcp_send_fin)', () => {
  it('a FIN in ESTABLISHED enters ping-pong: its ACK (FIN seq + 1) waits ato, and the model sees eof', () => {
    const h = new TcpHarness().establish();
    h.write(START, 0, 'A');
    h.finish(START + 5000, 0);
    h.runUntil(START + 200_000);
    expect(h.segments('cli').at(-1)).toMatchObject({ seq: 2, len: 0, flags: 'AF' });
    expect(h.acks('srv')).toEqual([
      { t: START + 10, ack: 2, why: 'quick' },
      { t: START + 5010 + 40_000, ack: 3, why: 'delayed' },
    ]);
    expect(h.inputKinds(1)).toEqual(['accepted', 'bytes', 'eof']);
    expect(h.events('deliver').map((e) => e.fin)).toEqual([false, true]);
  });

  it('after our own FIN the peer FIN is ACKed at once (FIN_WAIT: tcp_send_ack)', () => {
    const h = new TcpHarness().establish();
    h.write(START, 0, 'A');
    h.write(START + 1000, 1, 'R');
    h.write(START + 1500, 0, 'B'); // a reply within ato: the client is interactive, it would delay an ACK
    h.finish(START + 2000, 0);
    h.finish(START + 3000, 1);
    h.runUntil(START + 200_000);
    expect(h.segments('srv').at(-1)).toMatchObject({ t: START + 3000, seq: 2, flags: 'AF' });
    expect(h.acks('cli').at(-1)).toEqual({ t: START + 3010, ack: 3, why: 'quick' });
  });

  it('close() pushes Nagle-held data out at once, the FIN riding on it (TCP_NAGLE_OFF); the FIN is sent once', () => {
    const h = new TcpHarness({ noDelay: false }).establish();
    h.write(START, 0, 'a');
    h.write(START + 1, 0, 'b'); // held: 'a' is small and unacknowledged
    h.finish(START + 2, 0);
    h.abort(START + 100, 0);
    const sent = h.segments('cli').slice(2); // after SYN and the handshake ACK
    expect(sent.map((s) => ({ t: s.t, seq: s.seq, data: s.data, flags: s.flags }))).toEqual([
      { t: START, seq: 1, data: 'a', flags: 'AP' },
      { t: START + 2, seq: 2, data: 'b', flags: 'APF' },
      { t: START + 100, seq: 4, data: '', flags: 'AR' }, // tcp_send_active_reset: snd_nxt, after the FIN
    ]);
  });

  it('a FIN alone takes one sequence number: a reset after it is sent at FIN seq + 1', () => {
    const h = new TcpHarness().establish();
    h.write(START, 0, 'ab');
    h.finish(START + 100, 0);
    h.abort(START + 200, 0);
    expect(h.segments('cli').slice(-2).map((s) => ({ seq: s.seq, flags: s.flags }))).toEqual([{ seq: 3, flags: 'AF' }, { seq: 4, flags: 'AR' }]);
  });

  it('a FIN from the link (a middlebox cutting the stream) is delivered once however often it comes', () => {
    const h = new TcpHarness().establish();
    h.runUntil(START);
    h.conn.injectFin(1);
    h.conn.injectFin(1);
    h.runUntil(START + 100_000);
    expect(h.inputKinds(1)).toEqual(['accepted', 'eof']);
    expect(h.acks('srv').map((a) => a.ack)).toEqual([2]);
  });
});

describe('RST (tcp_reset, tcp_v4_send_reset)', () => {
  it('data after close() draws a reset carrying the data\'s ACK as its seq; later segments are answered the same', () => {
    const h = new TcpHarness().establish();
    h.finish(START, 0, true);
    h.write(START + 1000, 1, 'X'); // reaches the closed client at +1010
    h.write(START + 1005, 1, 'Y'); // reaches it at +1015, after it has reset
    h.runUntil(START + 100_000);
    expect(h.segments('cli').slice(-2).map((s) => ({ t: s.t, seq: s.seq, ack: s.ack, flags: s.flags }))).toEqual([
      { t: START + 1010, seq: 2, ack: 0, flags: 'R' },
      { t: START + 1015, seq: 2, ack: 0, flags: 'R' },
    ]);
    expect(h.inputKinds(0)).toEqual(['accepted']); // closed: told of nothing more
    expect(h.inputKinds(1)).toEqual(['accepted', 'eof', 'reset']); // the second RST finds it gone
    expect(h.segments('srv').at(-1)).toMatchObject({ data: 'Y' }); // and is not answered
    expect(h.events('rst')).toEqual([{ t: START + 1020, kind: 'rst', conn: 'c1', node: 'srv', why: 'received' }]);
  });

  it('a segment without ACK reaching a reset end is answered with RST+ACK acknowledging it', () => {
    const h = new TcpHarness().establish();
    h.abort(START, 1);
    h.conn.injectFin(1);
    expect(h.segments('srv').slice(-2).map((s) => ({ seq: s.seq, ack: s.ack, flags: s.flags }))).toEqual([
      { seq: 1, ack: 1, flags: 'AR' },
      { seq: 0, ack: 1, flags: 'AR' },
    ]);
  });

  it('a model that closed is not told of a reset; one that did not is', () => {
    const h = new TcpHarness().establish();
    h.finish(START, 0, true);
    h.conn.abort(1);
    h.runUntil(START + 100);
    expect(h.inputKinds(0)).toEqual(['accepted']);
    const g = new TcpHarness().establish();
    g.abort(START, 1);
    g.runUntil(START + 100);
    expect(g.inputKinds(0)).toEqual(['accepted', 'reset']);
  });

  it('a reset end sends nothing more: a second abort, a write, a close', () => {
    const h = new TcpHarness().establish();
    h.abort(START, 0);
    h.conn.abort(0);
    h.conn.tcpWrite(0, new TextEncoder().encode('late'));
    h.conn.finish(0, false);
    h.runUntil(START + 100_000);
    expect(h.segments('cli').slice(2).map((s) => s.flags)).toEqual(['AR']);
  });

  it('nothing is written after shutdown()', () => {
    const h = new TcpHarness().establish();
    h.finish(START, 0);
    h.conn.tcpWrite(0, new TextEncoder().encode('late'));
    h.runUntil(START + 100_000);
    expect(h.segments('cli').slice(2).map((s) => s.flags)).toEqual(['AF']);
  });

  it('tcp_done: a reset end owes no ACK and has no delayed-ACK timer left', () => {
    for (const how of ['sent', 'received'] as const) {
      const h = new TcpHarness().establish();
      for (let i = 0; i < 17; i++) h.write(START + i * 1000, 0, 'x'); // the 17th waits for the timer
      h.runUntil(START + 16_010);
      expect(h.srv.delackAtUs).toBeGreaterThan(0);
      if (how === 'sent') h.conn.abort(1);
      else h.inject(START + 16_100, 1, { seq: 18, ack: 1, len: 0, flags: 16 /* RST */, data: null });
      expect({ how, scheduled: h.srv.ackScheduled, timer: h.srv.delackAtUs }).toEqual({ how, scheduled: false, timer: -1 });
    }
  });
});

describe('Nagle with Minshall (tcp_nagle_check, tcp_minshall_check)', () => {
  it('no data leaves before the handshake completes', () => {
    const h = new TcpHarness();
    h.conn.open();
    h.conn.tcpWrite(0, new TextEncoder().encode('early'));
    h.runUntil(100);
    expect(h.segments('cli').map((s) => ({ t: s.t, flags: s.flags, data: s.data }))).toEqual([
      { t: 0, flags: 'S', data: '' },
      { t: 20, flags: 'A', data: '' },
      { t: 20, flags: 'AP', data: 'early' },
    ]);
  });

  it('the trace names both ends of every segment', () => {
    const h = new TcpHarness().establish();
    expect(h.segments('cli')[0]).toMatchObject({ to: 'srv', flags: 'S', data: '' });
    expect(h.segments('srv')[0]).toMatchObject({ to: 'cli', flags: 'AS', data: '' });
  });

  it('a write over the MSS: PSH only on its last segment', () => {
    const h = new TcpHarness({ mss: 100 }).establish();
    h.write(START, 0, 'y'.repeat(250));
    expect(h.segments('cli').slice(2).map((s) => s.flags)).toEqual(['A', 'A', 'AP']);
  });

  it('a full-size segment is never held, even behind an unacknowledged small one', () => {
    const h = new TcpHarness({ mss: 100, noDelay: false }).establish();
    h.write(START, 0, 'a');
    h.write(START + 1, 0, 'f'.repeat(100));
    expect(h.segments('cli').slice(2).map((s) => ({ t: s.t, len: s.len }))).toEqual([{ t: START, len: 1 }, { t: START + 1, len: 100 }]);
  });

  it('Minshall: only an unacknowledged small segment holds a small write, not a full-size one', () => {
    const h = new TcpHarness({ mss: 100, noDelay: false }).establish();
    h.write(START, 0, 'a');
    h.runUntil(START + 100); // ACKed
    h.write(START + 200, 0, 'f'.repeat(100)); // in flight, full size
    h.write(START + 201, 0, 'b');
    expect(h.segments('cli').at(-1)).toMatchObject({ t: START + 201, data: 'b' });
  });

  it('a partial ACK leaves the small segment unacknowledged: the held write waits for the rest', () => {
    const h = new TcpHarness({ mss: 100, noDelay: false }).establish();
    h.write(START, 0, 'y'.repeat(150)); // 100 + a small 50
    h.write(START + 1, 0, 'z');
    h.inject(START + 2, 0, { seq: 1, ack: 101, len: 0, flags: ACK, data: null });
    h.runUntil(START + 100);
    expect(h.segments('cli').at(-1)).toMatchObject({ t: START + 20, data: 'z' }); // the server's ACK of 151
  });

  it('an ACK that acknowledges less than snd_una does not take it back', () => {
    const h = new TcpHarness({ noDelay: false }).establish();
    h.write(START, 0, 'a');
    h.runUntil(START + 100); // ACKed: nothing small in flight
    h.conn.injectFin(0); // the link's FIN acknowledges nothing (ack 0)
    h.write(START + 200, 0, 'b');
    expect(h.segments('cli').at(-1)).toMatchObject({ t: START + 200, data: 'b' });
  });

  it('a segment that does not ACK the small one leaves the held write held', () => {
    // the server's data crosses the client's 'a', so it acknowledges nothing new; the ACK of 'a' follows it
    const h = new TcpHarness({ noDelay: false }).establish();
    h.write(START, 0, 'a');
    h.write(START, 1, 'X');
    h.write(START + 1, 0, 'b');
    h.runUntil(START + 100);
    expect(h.segments('cli').at(-1)).toMatchObject({ t: START + 20, data: 'b' });
  });
});
