/* decisive - the moment the bug happens: Postfix finds bytes it has not asked for yet
 *
 * Postfix's smtpd_flag_ill_pipelining() (postfix src/smtpd/smtpd.c, ~5813) logs
 * "improper command pipelining after <where> from <namaddr>: <unread bytes>" when input
 * is already waiting; the models also record it as an `improperPipelining` fact. The
 * bytes were put there by the last segment delivered to that node on that connection
 * before the check: with Dovecot that is the EHLO written right after XCLIENT
 * (dovecot src/submission-login/submission-proxy.c, proxy_handle_ehlo_reply).
 */
import { textField, type TraceEvent } from './trace-event.ts';

const IMPROPER_PIPELINING = /improper command pipelining after (\S+)/;

export interface DecisiveMoment {
  /** The first log line or fact that reports the unread bytes. */
  readonly eventIndex: number;
  /** Every report of this moment (Postfix's log line and the model's fact). */
  readonly reportEvents: number[];
  readonly node: string;
  readonly conn: string | null;
  /** What Postfix was doing when it looked ("XCLIENT"). */
  readonly where: string;
  /** The event that delivered the early bytes (a `deliver`, else the `write`), when the trace has it. */
  readonly earlyEvent: number | null;
  /** The application write that carried them, when the trace has it. */
  readonly earlyWrite: number | null;
}

/** Every improper-pipelining report in the trace, log line and fact deduplicated per connection and time. */
export function findDecisiveMoments(events: readonly TraceEvent[]): DecisiveMoment[] {
  const moments: DecisiveMoment[] = [];
  const momentByKey = new Map<string, DecisiveMoment>();
  events.forEach((event, index) => {
    const where = reportedWhere(event);
    if (where === null) return;
    const node = textField(event, 'node') ?? 'postfix';
    const conn = textField(event, 'conn') ?? null;
    // Postfix reports improper pipelining once per session (smtpd_flag_ill_pipelining sets a
    // session flag), so a log line and a fact on one connection are one moment; without a
    // connection they must share the instant.
    const key = conn === null ? `${node}|@${event.t}` : `${node}|${conn}`;
    const atInstant = momentByKey.get(`${node}|@${event.t}`);
    const same = momentByKey.get(key) ?? (atInstant && (atInstant.conn === null || conn === null) ? atInstant : undefined);
    if (same) {
      same.reportEvents.push(index);
      return;
    }
    // A model may name the connection its own way (outgoing ones); then any connection to the node will do.
    const earlyEvent = earlyBytesEvent(events, index, node, conn) ?? earlyBytesEvent(events, index, node, null);
    const earlyWrite = earlyEvent === null ? null : carryingWrite(events, earlyEvent);
    const moment = { eventIndex: index, reportEvents: [index], node, conn, where, earlyEvent, earlyWrite };
    moments.push(moment);
    momentByKey.set(key, moment);
    momentByKey.set(`${node}|@${event.t}`, moment);
  });
  return moments;
}

function reportedWhere(event: TraceEvent): string | null {
  if (event.kind === 'log') {
    const match = IMPROPER_PIPELINING.exec(textField(event, 'line') ?? '');
    return match ? match[1]! : null;
  }
  if (event.kind === 'fact') {
    const fact = event.fact as { kind?: unknown; where?: unknown } | undefined;
    if (fact && fact.kind === 'improperPipelining') return typeof fact.where === 'string' ? fact.where : '?';
  }
  return null;
}

function earlyBytesEvent(events: readonly TraceEvent[], before: number, node: string, conn: string | null): number | null {
  let fallbackWrite: number | null = null;
  for (let i = before - 1; i >= 0; i--) {
    const event = events[i]!;
    if (textField(event, 'to') !== node) continue;
    if (conn !== null && textField(event, 'conn') !== conn) continue;
    if (event.kind === 'deliver' && (event.len === undefined || Number(event.len) > 0)) return i;
    if (event.kind === 'write' && fallbackWrite === null) fallbackWrite = i;
  }
  return fallbackWrite;
}

/** The latest write on the same connection towards the same node at or before the delivery (deliveries name only `to`). */
function carryingWrite(events: readonly TraceEvent[], delivered: number): number | null {
  const delivery = events[delivered]!;
  if (delivery.kind === 'write') return delivered;
  for (let i = delivered - 1; i >= 0; i--) {
    const event = events[i]!;
    const sameWay = ['conn', 'to'].every((field) => textField(event, field) === textField(delivery, field));
    if (event.kind === 'write' && sameWay) return i;
  }
  return null;
}
