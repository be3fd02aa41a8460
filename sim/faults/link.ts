/* link - the wire between the two ends of one connection, with the listener's faults applied
 *
 * Owns, per direction (indexed by the sending side: 0 connector -> listener,
 * 1 listener -> connector): the one-way delay, in-order delivery (a segment never
 * overtakes the one before it), and the faults of catalogue.ts. Application
 * writes pass through here first (slicer, coalesce); every segment passes through
 * transmit() (latency, bandwidth, slow_close, byte and time triggers).
 */
import type { Decider } from '../decisions.ts';
import type { TraceRecorder } from '../trace.ts';
import type { NetHost } from '../sim-event.ts';
import type { TcpConnection } from '../tcp/connection.ts';
import { FIN, RST, type Segment } from '../tcp/segment.ts';
import { faultDefinition, type AnyFaultDefinition, type CheckedFault, type Direction } from './catalogue.ts';
import type { Departure, LinkControl } from './hooks.ts';

/** A fault with its per-connection parameters drawn. */
interface ActiveFault {
  readonly definition: AnyFaultDefinition;
  /** Drawn parameters; each hook reads them typed by its own entry (catalogue.ts defineFault). */
  readonly p: never;
  readonly sides: readonly [boolean, boolean];
}

class DirectionState {
  lastArrivalUs = 0;
  busyUntilUs = 0;
  bytes = 0;
  /** Nothing more is carried this way. */
  cut = false;
  held: Uint8Array[] = [];
  heldGen = 0;
}

export class Link implements LinkControl {
  private readonly dirs: readonly [DirectionState, DirectionState] = [new DirectionState(), new DirectionState()];
  private readonly faults: readonly ActiveFault[];
  totalBytes = 0;

  constructor(
    private readonly conn: TcpConnection,
    private readonly host: NetHost,
    private readonly trace: TraceRecorder,
    readonly decider: Decider,
    private readonly oneWayDelayUs: number,
    checked: readonly CheckedFault[],
  ) {
    this.faults = checked.map((fault) => this.activate(fault));
    for (const fault of this.faults) fault.definition.hooks.open?.(this, fault.p);
  }

  get now(): number {
    return this.host.now;
  }

  /** What the link carries from one event to the next, for `smtp-lab explore`'s state digest (sim/explore/state-digest.ts). */
  explorationState(): { readonly directions: readonly DirectionState[]; readonly totalBytes: number; readonly drawn: readonly unknown[] } {
    return { directions: this.dirs, totalBytes: this.totalBytes, drawn: this.faults.map((fault) => fault.p) };
  }

  directionBytes(side: 0 | 1): number {
    return this.dirs[side].bytes;
  }

  schedule(at: number, run: () => void): void {
    this.host.schedule(at, { type: 'call', run });
  }

  busyUntil(side: 0 | 1): number {
    return this.dirs[side].busyUntilUs;
  }

  setBusyUntil(side: 0 | 1, at: number): void {
    this.dirs[side].busyUntilUs = at;
  }

  /** One application write from `side`: reshaping and holding faults act before TCP sees it. */
  write(side: 0 | 1, bytes: Uint8Array): void {
    let pieces: Uint8Array[] | null = null;
    // A write shorter than two bytes has no point to cut at.
    for (const fault of this.faults) {
      const reshape = fault.definition.hooks.reshape;
      if (reshape && fault.sides[side] && bytes.length >= 2) pieces = reshape(this, fault.p, bytes);
    }
    for (const fault of this.faults) {
      const hold = fault.definition.hooks.hold;
      if (hold && fault.sides[side]) {
        hold(this, fault.p, side, pieces ?? [bytes]);
        return;
      }
    }
    if (pieces === null) this.conn.tcpWrite(side, bytes);
    else for (const piece of pieces) this.conn.tcpWrite(side, piece);
  }

  /** Before a FIN: hand held writes to TCP now. */
  flushHeld(side: 0 | 1): void {
    const dir = this.dirs[side];
    if (dir.held.length === 0) return;
    const held = dir.held;
    dir.held = [];
    dir.heldGen++;
    const merged = concat(held);
    this.note('coalesce', 'flush', side, { len: merged.length, writes: held.length });
    this.conn.tcpWrite(side, merged);
  }

  /** On abort: held writes are lost with the connection. */
  dropHeld(side: 0 | 1): void {
    const dir = this.dirs[side];
    dir.held = [];
    dir.heldGen++;
  }

  /** A segment leaves `side`. */
  transmit(side: 0 | 1, seg: Segment): void {
    const dir = this.dirs[side];
    if (dir.cut) {
      this.note('drop', 'drop', side, { seq: seg.seq, len: seg.len });
      return;
    }
    let out = seg;
    let after: (() => void) | null = null;
    if (seg.len > 0 && this.faults.length > 0) {
      const verdict = this.byteLimits(side, seg);
      if (verdict === null) return;
      out = verdict.seg;
      after = verdict.after;
    }
    if (seg.len > 0) {
      dir.bytes += out.len;
      this.totalBytes += out.len;
    }
    const departure: Departure = { departUs: this.host.now, extraUs: 0 };
    for (const fault of this.faults) {
      if (fault.sides[side]) fault.definition.hooks.departure?.(this, fault.p, side, out, departure);
    }
    const arrival = Math.max(departure.departUs + this.oneWayDelayUs + departure.extraUs, dir.lastArrivalUs);
    dir.lastArrivalUs = arrival;
    this.host.schedule(arrival, { type: 'arrive', conn: this.conn, side: side === 0 ? 1 : 0, seg: out });
    if (after) after();
  }

  /** The first byte budget a data segment crosses: null = dropped. */
  private byteLimits(side: 0 | 1, seg: Segment): { seg: Segment; after: (() => void) | null } | null {
    let out = seg;
    let after: (() => void) | null = null;
    for (const fault of this.faults) {
      const limit = fault.definition.hooks.limit;
      const budget = limit?.budget(this, fault.p, side, fault.sides[side]);
      if (!limit || !budget) continue;
      const allowance = budget.limit - budget.counted;
      if (allowance >= out.len) continue;
      if (limit.crossing === 'drop') {
        limit.act(this, side);
        this.note('drop', 'drop', side, { seq: seg.seq, len: seg.len });
        return null;
      }
      const cutLen = Math.max(allowance, 0);
      if (cutLen < out.len) {
        this.note(fault.definition.name, 'truncate', side, { len: out.len, passed: cutLen });
        out = { ...out, len: cutLen, data: out.data ? out.data.subarray(0, cutLen) : null, flags: out.flags & ~FIN };
      }
      after = () => limit.act(this, side);
      break;
    }
    if (out.len === 0 && !(out.flags & FIN)) {
      if (after) after();
      return null;
    }
    return { seg: out, after };
  }

  /** RST to both ends; the link then carries nothing. */
  resetBoth(name: string): void {
    if (this.dirs[0].cut && this.dirs[1].cut) return;
    this.note(name, 'reset', 0, {});
    for (const side of [0, 1] as const) this.injectAfter(side, { seq: 0, ack: 0, len: 0, flags: RST, data: null });
    this.dirs[0].cut = this.dirs[1].cut = true;
  }

  /** limit_data: both ends get a FIN; the link then carries nothing. */
  finBoth(): void {
    if (this.dirs[0].cut && this.dirs[1].cut) return;
    this.note('limit_data', 'fin-both', 0, {});
    for (const side of [0, 1] as const) this.injectAfter(side, { seq: 0, ack: 0, len: 0, flags: FIN, data: null });
    this.dirs[0].cut = this.dirs[1].cut = true;
  }

  /** half_close: the receiver of `senderSide`'s direction gets a FIN; that direction is cut. */
  halfClose(senderSide: 0 | 1): void {
    if (this.dirs[senderSide].cut) return;
    this.note('half_close', 'fin', senderSide, {});
    this.injectAfter(senderSide, { seq: 0, ack: 0, len: 0, flags: FIN, data: null });
    this.dirs[senderSide].cut = true;
  }

  blackhole(): void {
    if (this.dirs[0].cut && this.dirs[1].cut) return;
    this.note('timeout', 'blackhole', 0, {});
    this.dirs[0].cut = this.dirs[1].cut = true;
  }

  /** Deliver an injected segment along `senderSide`'s direction, behind what is already in flight. */
  private injectAfter(senderSide: 0 | 1, seg: Segment): void {
    const dir = this.dirs[senderSide];
    const arrival = Math.max(this.host.now + this.oneWayDelayUs, dir.lastArrivalUs);
    dir.lastArrivalUs = arrival;
    this.host.schedule(arrival, { type: 'arrive', conn: this.conn, side: senderSide === 0 ? 1 : 0, seg });
  }

  hold(side: 0 | 1, holdUs: number, pieces: readonly Uint8Array[]): void {
    const dir = this.dirs[side];
    const first = dir.held.length === 0;
    for (const piece of pieces) dir.held.push(piece);
    if (!first) return;
    const gen = ++dir.heldGen;
    this.note('coalesce', 'hold', side, { holdUs });
    this.schedule(this.host.now + holdUs, () => {
      if (dir.heldGen === gen && !this.conn.ends[side].dead) this.flushHeld(side);
    });
  }

  private activate(fault: CheckedFault): ActiveFault {
    const p: Record<string, number> = {};
    for (const [key, value] of Object.entries(fault.ints)) {
      p[key] = typeof value === 'number' ? value : this.decider.pickFaultParam(`${fault.name}.${key}`, value[0], value[1]);
    }
    // checkFaults validated the names and ranges against this entry's params, so p is its DrawnParams.
    return { definition: faultDefinition(fault.name), p: p as never, sides: directionSides(fault.direction) };
  }

  note(fault: string, action: string, side: 0 | 1, detail: Record<string, unknown>): void {
    if (!this.trace.enabled) return;
    this.trace.record({ t: this.host.now, kind: 'fault', conn: this.conn.id, fault, action, from: this.conn.ends[side].nodeName, ...detail });
  }
}

function directionSides(direction: Direction): readonly [boolean, boolean] {
  if (direction === 'toListener') return [true, false];
  if (direction === 'toConnector') return [false, true];
  return [true, true];
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0] as Uint8Array;
  let len = 0;
  for (const part of parts) len += part.length;
  const out = new Uint8Array(len);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
