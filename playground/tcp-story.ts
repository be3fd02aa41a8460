/* tcp-story - what happens at one step of a trace, in words: who wrote what, what TCP sent, what Nagle held back and why
 *
 * Read from the trace alone (docs/architecture.md "Trace events"), following the rules
 * sim/tcp/connection.ts models: a write is sent at once unless Nagle holds it (an earlier
 * small segment is still unacknowledged, tcp_nagle_check with Minshall's rule); held bytes go
 * out when the peer's ACK arrives; an ACK is sent at once (quick), on a timer (delayed, ~40 ms)
 * or on the next data segment (piggyback). A segment's bytes are placed in the sender's
 * stream by `seq` (the SYN takes sequence number 0, so byte k of the stream has seq k + 1).
 */
import { escapeBytes } from '../viewer/model/labels.ts';
import { formatDelta, formatMicros } from '../viewer/model/time-axis.ts';
import { numberField, textField, type TraceEvent } from '../viewer/model/trace-event.ts';

const ACK_WORDS: Readonly<Record<string, string>> = {
  quick: 'a quick ACK: the receiver acknowledges at once (quick-ACK mode at the start of a connection, or after a gap; tcp_in_quickack_mode)',
  delayed:
    "a delayed ACK: the receiver held the ACK hoping to carry it on its own reply, and its delayed-ACK timer (~40 ms, tcp_delack_timer) fired first; a sender whose Nagle was waiting for this ACK may now send",
  piggyback: 'the ACK rides on a data segment the receiver sends now, so no separate ACK is needed',
};

interface StreamWrite {
  readonly index: number;
  readonly t: number;
  readonly start: number;
  readonly end: number;
}

/** One line (or a few) about the event at `index`. */
export function explainEvent(events: readonly TraceEvent[], index: number): string {
  const event = events[index]!;
  const from = textField(event, 'from') ?? textField(event, 'node') ?? '?';
  const to = textField(event, 'to') ?? '?';
  const len = numberField(event, 'len') ?? 0;
  switch (event.kind) {
    case 'write':
      return explainWrite(events, index, from, to, len);
    case 'segment':
      return explainSegment(events, index, from, to, len);
    case 'deliver':
      return `${len} bytes reach ${to}'s receive buffer; ${to} reads them when it next looks (a busy process finds them there later, unread)`;
    case 'ack':
      return `${from} sends ACK ${textField(event, 'ack') ?? ''}: ${ACK_WORDS[textField(event, 'why') ?? ''] ?? 'a pure ACK'}`;
    case 'log':
      return /improper command pipelining/.test(textField(event, 'line') ?? '')
        ? "Postfix found bytes it had not asked for yet: the next command was already in its buffer when it looked (smtpd_flag_ill_pipelining). With smtpd_forbid_unauth_pipelining = yes it answers 554 and hangs up"
        : `${textField(event, 'program') ?? from} logs this line, as the real daemon would`;
    default:
      return '';
  }
}

function explainWrite(events: readonly TraceEvent[], index: number, from: string, to: string, len: number): string {
  const event = events[index]!;
  const head = `${from} writes ${len} bytes to ${to} in one send(): ${escapeBytes(textField(event, 'data') ?? '').slice(0, 80)}`;
  const sentAt = events.findIndex((other, i) => i > index && other.kind === 'segment' && sameWay(other, event) && (numberField(other, 'len') ?? 0) > 0);
  const segment = sentAt < 0 ? undefined : events[sentAt]!;
  if (!segment || segment.t === event.t) return `${head}. TCP sends it at once.`;
  return `${head}. Nagle holds it back: ${unackedBefore(events, index, event)}. It leaves ${duration(segment.t - event.t)} later, at ${formatMicros(segment.t)}.`;
}

function explainSegment(events: readonly TraceEvent[], index: number, from: string, to: string, len: number): string {
  const event = events[index]!;
  const flags = textField(event, 'flags') ?? '';
  if (len === 0) {
    if (flags.includes('S')) return `${from} ${flags.includes('A') ? 'answers the connection (SYN-ACK)' : 'opens a connection (SYN)'}`;
    if (flags.includes('F')) return `${from} closes its side (FIN)`;
    return `${from} sends an empty segment (flags ${flags})`;
  }
  const head = `${from} sends a segment of ${len} bytes to ${to} (seq ${textField(event, 'seq') ?? '?'})`;
  const write = writeOf(events, index);
  if (!write || write.t === event.t) return `${head}, as soon as they were written.`;
  const ack = releasingAck(events, index, event);
  return `${head}. Nagle held these bytes for ${duration(event.t - write.t)} (written at ${formatMicros(write.t)}) while earlier data was unacknowledged${
    ack ? `; ${textField(ack, 'from')}'s ACK ${textField(ack, 'ack') ?? ''} (${textField(ack, 'why') ?? 'pure'}, sent at ${formatMicros(ack.t)}) released them` : ''
  }.`;
}

/** A span of virtual time in words ("41.5 ms"; formatDelta writes it as a step on the axis, "+41.5 ms"). */
const duration = (us: number): string => formatDelta(us).replace(/^\+/, '');

const sameWay = (a: TraceEvent, b: TraceEvent): boolean => textField(a, 'conn') === textField(b, 'conn') && textField(a, 'from') === textField(b, 'from');

/** The sender's writes on this connection with their place in its byte stream. */
function streamWrites(events: readonly TraceEvent[], like: TraceEvent, before: number): StreamWrite[] {
  const writes: StreamWrite[] = [];
  let offset = 0;
  for (let i = 0; i < before; i++) {
    const other = events[i]!;
    if (other.kind !== 'write' || !sameWay(other, like)) continue;
    const len = numberField(other, 'len') ?? 0;
    writes.push({ index: i, t: other.t, start: offset, end: offset + len });
    offset += len;
  }
  return writes;
}

/** The write whose bytes a data segment starts with. */
function writeOf(events: readonly TraceEvent[], index: number): StreamWrite | undefined {
  const segment = events[index]!;
  const first = (numberField(segment, 'seq') ?? 1) - 1;
  return streamWrites(events, segment, index).find((write) => write.start <= first && first < write.end);
}

/** The ACK from the peer that arrived last before a held segment left. */
function releasingAck(events: readonly TraceEvent[], index: number, segment: TraceEvent): TraceEvent | undefined {
  const conn = textField(segment, 'conn');
  const to = textField(segment, 'to');
  for (let i = index - 1; i >= 0; i--) {
    const other = events[i]!;
    if (textField(other, 'conn') !== conn) continue;
    if (other.kind === 'ack' && textField(other, 'from') === to) return other;
    if (other.kind === 'segment' && textField(other, 'from') === textField(segment, 'from') && (numberField(other, 'len') ?? 0) > 0) return undefined;
  }
  return undefined;
}

/** The in-flight bytes a held write waits behind, in words. */
function unackedBefore(events: readonly TraceEvent[], index: number, write: TraceEvent): string {
  for (let i = index - 1; i >= 0; i--) {
    const other = events[i]!;
    if (other.kind === 'segment' && sameWay(other, write) && (numberField(other, 'len') ?? 0) > 0) {
      return `the ${numberField(other, 'len')} bytes sent at ${formatMicros(other.t)} (seq ${textField(other, 'seq')}) are not acknowledged yet, and a segment smaller than the MSS waits for that ACK (tcp_nagle_check, Minshall's rule)`;
    }
  }
  return 'earlier data is not acknowledged yet';
}
