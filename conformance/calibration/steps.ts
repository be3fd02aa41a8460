/* steps - the gaps of a capture's request/response steps: where each woken process spent its time
 *
 * Each step is one process woken by its peer's segment that then writes the next one: the gap
 * on the wire between the two is that process's own processing plus, under load, its wait in
 * the run queue before it ran (docs/conformance.md disagreement 12). A step counts only where
 * the writer of the first segment then waits for the answer (a blocking wake-up): on the
 * backend, smtpd's EHLO → 250 after XCLIENT counts only when the EHLO left after XCLIENT's reply
 * (smtpd had answered and slept, and the EHLO woke it); a pipelined EHLO was already unread when
 * smtpd looked. Read the same way from a real capture (pcap.ts) and from the lab's own segments
 * (lab-steps.ts), so both sides are measured by one ruler.
 *
 * Steps (who is woken, in the recorded stack):
 *   client 220 → EHLO, 250 → AUTH, 235 → its next command (QUIT: swaks --quit-after AUTH, client.quit_after)   swaks
 *   front  EHLO → 250 (the client's)                    Dovecot's submission-login
 *   backend SYN → 220                                   smtpd (the accept), not on the capture's first backend connection:
 *                                                       that is a fresh smtpd's start-up (a case starts after a reload), which
 *                                                       the lab takes as postfix.banner_delay_ms (real-run.ts), not a wait
 *   backend 220 → EHLO, 250 → XCLIENT                   Dovecot's login process (its proxy)
 *   backend EHLO → 250 (both EHLOs)                     smtpd
 *   backend last 250 → 235 to the client                Dovecot
 *   auth    AUTH → the first backend SYN                several: login → auth process → passdb → login → connect
 *   session AUTH→235                                    the whole chain, sessions logged in without a reconnect wait
 * The single wake-ups are what `fit.ts` fits the run-queue wait from, and their medians with
 * AUTH → SYN's what `step-timings.ts` fits the daemons' processing times from (AUTH → SYN spans
 * the auth processes: its median fits auth.latency_ms, the rest of it the lab's other models).
 * The session's AUTH → 235 sums them all: it is printed as a prediction, not fitted.
 */
import { DOVECOT_PORT, POSTFIX_PORT } from './observe.ts';
import type { TcpSegment } from './pcap.ts';

export const STEP_NAMES = [
  'client 220→EHLO', 'client 250→AUTH', 'front EHLO→250', 'auth AUTH→SYN', 'smtpd SYN→220', 'dovecot 220→EHLO',
  'smtpd EHLO→250', 'dovecot 250→XCLIENT', 'dovecot 250→235', 'client 235→next', 'session AUTH→235',
] as const;
export type StepName = (typeof STEP_NAMES)[number];

/** Steps with one woken process: the run-queue wait is fitted from these. */
export const SINGLE_WAKEUP_STEPS: readonly StepName[] = STEP_NAMES.filter((s) => s !== 'auth AUTH→SYN' && s !== 'session AUTH→235');

/** Dovecot's PROXY_CONNECT_RETRY_MSECS: a 235 later than this after AUTH came after a reconnect wait. */
const RECONNECT_WAIT_US = 1_000_000;

/** Gaps in µs of every step found in the segments, by step. */
export type StepGaps = ReadonlyMap<StepName, readonly number[]>;

interface Flow {
  /** Segments with data, in order. */
  readonly data: readonly TcpSegment[];
  readonly synUs: number;
  /** The side that listens (the server). */
  readonly serverPort: number;
}

/** Data segments per connection to `serverPort`, keyed by the client's port; a reused port starts anew. */
function flows(segments: readonly TcpSegment[], serverPort: number): Flow[] {
  const byPort = new Map<number, { data: TcpSegment[]; synUs: number }>();
  const all: { data: TcpSegment[]; synUs: number }[] = [];
  for (const s of segments) {
    if (s.syn && s.dstPort === serverPort) {
      const flow = { data: [], synUs: s.tUs };
      byPort.set(s.srcPort, flow);
      all.push(flow);
    }
    const port = s.dstPort === serverPort ? s.srcPort : s.srcPort === serverPort ? s.dstPort : null;
    if (port !== null && s.data.length > 0) byPort.get(port)?.data.push(s);
  }
  return all.map((f) => ({ ...f, serverPort }));
}

const fromServer = (f: Flow, s: TcpSegment) => s.srcPort === f.serverPort;

/** The gap from the first data segment matching `a` to the next one after it matching `b`. */
function gapAfter(f: Flow, a: (s: TcpSegment) => boolean, b: (s: TcpSegment) => boolean, from = 0): { gap: number } | null {
  const i = f.data.findIndex((s, k) => k >= from && a(s));
  if (i < 0) return null;
  const j = f.data.findIndex((s, k) => k > i && b(s));
  return j < 0 ? null : { gap: f.data[j]!.tUs - f.data[i]!.tUs };
}

const PORTS = { dovecot: DOVECOT_PORT, postfix: POSTFIX_PORT };

export function stepGaps(segments: readonly TcpSegment[], ports: { dovecot: number; postfix: number } = PORTS): StepGaps {
  return gapsOf(segments, ports, true);
}

/** The same per client session, in order: a session's segments run from its SYN to the next session's. */
export function sessionStepGaps(segments: readonly TcpSegment[], ports: { dovecot: number; postfix: number } = PORTS): StepGaps[] {
  const starts = segments.filter((s) => s.syn && s.dstPort === ports.dovecot).map((s) => s.tUs);
  return starts.map((t, i) => gapsOf(segments.filter((s) => s.tUs >= t && s.tUs < (starts[i + 1] ?? Infinity)), ports, i === 0));
}

/** `freshFirst`: the segments' first backend connection is a fresh smtpd's (the capture's first). */
function gapsOf(segments: readonly TcpSegment[], ports: { dovecot: number; postfix: number }, freshFirst: boolean): StepGaps {
  const gaps = new Map<StepName, number[]>(STEP_NAMES.map((n) => [n, []]));
  const add = (name: StepName, found: { gap: number } | null) => {
    if (found) gaps.get(name)!.push(found.gap);
  };
  const backends = flows(segments, ports.postfix);
  for (const f of flows(segments, ports.dovecot)) {
    const server = (prefix: string) => (s: TcpSegment) => fromServer(f, s) && s.data.startsWith(prefix);
    const client = (prefix: string) => (s: TcpSegment) => !fromServer(f, s) && s.data.startsWith(prefix);
    add('client 220→EHLO', gapAfter(f, server('220'), client('EHLO')));
    add('front EHLO→250', gapAfter(f, client('EHLO'), server('250')));
    add('client 250→AUTH', gapAfter(f, server('250'), client('AUTH')));
    add('client 235→next', gapAfter(f, server('235'), (s) => !fromServer(f, s)));
    const auth = f.data.find(client('AUTH'));
    const reply = f.data.find((s) => fromServer(f, s) && auth !== undefined && s.tUs > auth.tUs);
    const firstBackend = auth && backends.find((b) => b.synUs > auth.tUs && (reply === undefined || b.synUs < reply.tUs));
    if (auth && firstBackend) gaps.get('auth AUTH→SYN')!.push(firstBackend.synUs - auth.tUs);
    const lastBackend = reply && [...backends].reverse().find((b) => b.synUs < reply.tUs && auth !== undefined && b.synUs > auth.tUs);
    const last250 = lastBackend && [...lastBackend.data].reverse().find((s) => fromServer(lastBackend, s) && s.data.startsWith('250') && s.tUs < reply.tUs);
    if (reply?.data.startsWith('235') && last250) gaps.get('dovecot 250→235')!.push(reply.tUs - last250.tUs);
    if (auth && reply?.data.startsWith('235') && reply.tUs - auth.tUs < RECONNECT_WAIT_US) gaps.get('session AUTH→235')!.push(reply.tUs - auth.tUs);
  }
  backends.forEach((b, i) => backendSteps(b, gaps, freshFirst && i === 0));
  return gaps;
}

function backendSteps(f: Flow, gaps: Map<StepName, number[]>, freshSmtpd: boolean): void {
  const server = (prefix: string) => (s: TcpSegment) => fromServer(f, s) && s.data.startsWith(prefix);
  const client = (prefix: string) => (s: TcpSegment) => !fromServer(f, s) && s.data.startsWith(prefix);
  const banner = f.data.find(server('220'));
  if (banner && !freshSmtpd) gaps.get('smtpd SYN→220')!.push(banner.tUs - f.synUs);
  const ehlo = gapAfter(f, server('220'), client('EHLO'));
  if (ehlo) gaps.get('dovecot 220→EHLO')!.push(ehlo.gap);
  const first250 = gapAfter(f, client('EHLO'), server('250'));
  if (first250) gaps.get('smtpd EHLO→250')!.push(first250.gap);
  const xclient = gapAfter(f, server('250'), client('XCLIENT'));
  if (xclient) gaps.get('dovecot 250→XCLIENT')!.push(xclient.gap);
  // after XCLIENT: its reply, then the second EHLO; a blocking wake-up only if the EHLO left after the reply
  const x = f.data.findIndex(client('XCLIENT'));
  if (x < 0) return;
  const replyAt = f.data.findIndex((s, k) => k > x && fromServer(f, s));
  const ehloAt = f.data.findIndex((s, k) => k > x && client('EHLO')(s));
  if (replyAt < 0 || ehloAt < replyAt || !f.data[replyAt]!.data.startsWith('220')) return;
  const second250 = gapAfter(f, client('EHLO'), server('250'), ehloAt);
  if (second250) gaps.get('smtpd EHLO→250')!.push(second250.gap);
}
