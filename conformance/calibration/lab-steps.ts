/* lab-steps - the lab's own segments read like a capture, so steps.ts measures both sides alike
 *
 * A traced lab run records every segment it sends (sim/tcp: kind 'segment', with the connection
 * label, the sending and receiving node, flags and payload) and every connection's addresses
 * (kind 'connect'). On loopback a segment is captured when it is sent, which is when the lab
 * records it. A case's sessions are separate simulations that each start at 0; they are laid
 * one after the other on one time line, as the real sessions followed each other.
 */
import type { RunReport } from '../../scenarios/run.ts';
import type { TraceEvent } from '../../sim/trace.ts';
import type { TcpSegment } from './pcap.ts';
import { stepGaps, type StepGaps } from './steps.ts';

/** Between two sessions on the common time line: longer than any step. */
const SESSION_GAP_US = 1_000_000;

interface Endpoints {
  readonly connector: string;
  readonly local: { readonly host: string; readonly port: number };
  readonly remote: { readonly host: string; readonly port: number };
}

/** The segments of one traced run, as a capture on loopback would show them, `offsetUs` later. */
export function segmentsOfTrace(events: readonly TraceEvent[], offsetUs = 0): TcpSegment[] {
  const conns = new Map<string, Endpoints>();
  const segments: TcpSegment[] = [];
  for (const e of events) {
    if (e.kind === 'connect') conns.set(e.conn as string, { connector: e.node as string, local: e.local as Endpoints['local'], remote: e.remote as Endpoints['remote'] });
    if (e.kind !== 'segment') continue;
    const ends = conns.get(e.conn as string);
    if (!ends) throw new Error(`trace: segment on connection ${String(e.conn)} before its connect event`);
    const [src, dst] = e.from === ends.connector ? [ends.local, ends.remote] : [ends.remote, ends.local];
    const flags = e.flags as string;
    segments.push({
      tUs: e.t + offsetUs, src: src.host, srcPort: src.port, dst: dst.host, dstPort: dst.port,
      syn: flags.includes('S'), fin: flags.includes('F'), rst: flags.includes('R'), data: e.data as string,
    });
  }
  return segments;
}

/** The step gaps of a case's traced lab runs (lab.ts labRuns with `trace`), read as from a capture. */
export function stepGapsOfRuns(runs: readonly RunReport[], ports: { dovecot: number; postfix: number }): StepGaps {
  const segments: TcpSegment[] = [];
  let offsetUs = 0;
  for (const run of runs) {
    if (!run.trace) throw new Error('stepGapsOfRuns: a lab run without its trace has no segments to read steps from');
    segments.push(...segmentsOfTrace(run.trace, offsetUs));
    offsetUs += run.endedAtUs + SESSION_GAP_US;
  }
  return stepGaps(segments, ports);
}
