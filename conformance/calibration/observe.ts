/* observe - what one captured backend connection shows about the XCLIENT race and its timing
 *
 * Per backend connection (port 10025) of a capture: when Dovecot's XCLIENT segment left, when
 * its pipelined EHLO left, when Postfix answered XCLIENT (220, or 554 for a lost race with
 * forbid=yes) and when the connection was opened and greeted. The recorded captures
 * (conformance/records/A2-*.segments.txt, and every batch under records/calibration)
 * show two kinds of connection on a quick-ACK link:
 *   - Postfix answered first and the EHLO left only after that answer (XCLIENT→reply 24-50 µs):
 *     smtpd was woken on Dovecot's CPU and ran before Dovecot could write its EHLO;
 *   - the EHLO left 10-32 µs after XCLIENT, before the answer (XCLIENT→reply 56-800 µs): smtpd
 *     was woken on the other CPU, Dovecot carried on, and smtpd found the EHLO unread.
 * Both are read here without judging; calibrate.ts turns them into distributions.
 */
import type { TcpSegment } from './pcap.ts';

export interface BackendConnection {
  /** Dovecot's source port: one backend connection. */
  readonly port: number;
  readonly synUs: number;
  /** SYN → Postfix's banner. */
  readonly bannerAfterUs: number | null;
  /** SYN → Dovecot's XCLIENT segment. */
  readonly xclientAfterUs: number | null;
  /** XCLIENT → first pure ACK from Postfix. */
  readonly ackAfterXclientUs: number | null;
  /** XCLIENT → the pipelined EHLO segment. */
  readonly ehloAfterXclientUs: number | null;
  /** XCLIENT → Postfix's answer to it. */
  readonly replyAfterXclientUs: number | null;
  /** First three characters of that answer ('220', '554'). */
  readonly reply: string | null;
}

export const POSTFIX_PORT = 10025;
/** Dovecot's submission port in the recorded stack: one client session per connection to it. */
export const DOVECOT_PORT = 1587;

/** Every backend connection in the capture, in the order they were opened. */
export function backendConnections(segments: readonly TcpSegment[], postfixPort = POSTFIX_PORT): BackendConnection[] {
  const byPort = new Map<number, TcpSegment[]>();
  for (const s of segments) {
    const port = s.dstPort === postfixPort ? s.srcPort : s.srcPort === postfixPort ? s.dstPort : null;
    if (port === null) continue;
    if (s.syn && s.dstPort === postfixPort) byPort.set(port, []); // a reused port starts a new connection
    byPort.get(port)?.push(s);
  }
  return [...byPort].map(([port, segs]) => describe(port, segs, postfixPort)).sort((a, b) => a.synUs - b.synUs);
}

function describe(port: number, segs: readonly TcpSegment[], postfixPort: number): BackendConnection {
  const fromPostfix = (s: TcpSegment) => s.srcPort === postfixPort;
  const syn = segs[0]!.tUs;
  const banner = segs.find((s) => fromPostfix(s) && s.data.startsWith('220 '));
  const xIndex = segs.findIndex((s) => !fromPostfix(s) && s.data.startsWith('XCLIENT '));
  const x = xIndex < 0 ? undefined : segs[xIndex]!;
  const after = xIndex < 0 ? [] : segs.slice(xIndex + 1);
  const ack = after.find((s) => fromPostfix(s) && s.data === '' && !s.fin && !s.rst);
  const ehlo = after.find((s) => !fromPostfix(s) && s.data.startsWith('EHLO '));
  const reply = after.find((s) => fromPostfix(s) && s.data.length > 0);
  const since = (s: TcpSegment | undefined, from: number | undefined) => (s === undefined || from === undefined ? null : s.tUs - from);
  return {
    port, synUs: syn,
    bannerAfterUs: since(banner, syn),
    xclientAfterUs: since(x, syn),
    ackAfterXclientUs: since(ack, x?.tUs),
    ehloAfterXclientUs: since(ehlo, x?.tUs),
    replyAfterXclientUs: since(reply, x?.tUs),
    reply: reply ? reply.data.slice(0, 3) : null,
  };
}

/**
 * The backend connections of each client session, in order: a backend connection belongs to the
 * client connection (SYN to Dovecot's port) most recently opened before it. Sessions run one
 * after the other (swaks waits for each), so the grouping is exact; a session without a backend
 * connection (a wrong password) is an empty list.
 */
export function connectionsBySession(segments: readonly TcpSegment[], connections: readonly BackendConnection[], dovecotPort = DOVECOT_PORT): BackendConnection[][] {
  const starts = segments.filter((s) => s.syn && s.dstPort === dovecotPort).map((s) => s.tUs);
  const sessions: BackendConnection[][] = starts.map(() => []);
  for (const c of connections) {
    let index = -1;
    for (let i = 0; i < starts.length && starts[i]! <= c.synUs; i++) index = i;
    if (index >= 0) sessions[index]!.push(c);
  }
  return sessions;
}
