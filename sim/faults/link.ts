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
import type { CheckedFault, Direction, FaultName } from './catalogue.ts';

/** A fault with its per-connection parameters drawn. */
interface ActiveFault {
  readonly name: FaultName;
  readonly p: Readonly<Record<string, number>>;
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

export class Link {
  private readonly dirs: readonly [DirectionState, DirectionState] = [new DirectionState(), new DirectionState()];
  private readonly faults: readonly ActiveFault[];
  private totalBytes = 0;
  private readonly openedAtUs: number;

  constructor(
    private readonly conn: TcpConnection,
    private readonly host: NetHost,
    private readonly trace: TraceRecorder,
    private readonly decider: Decider,
    private readonly oneWayDelayUs: number,
    checked: readonly CheckedFault[],
  ) {
    this.openedAtUs = host.now;
    this.faults = checked.map((fault) => this.activate(fault));
    for (const fault of this.faults) {
      const at = fault.p.atUs;
      if (at === undefined) continue;
      if (fault.name === 'reset_peer') host.schedule(this.openedAtUs + at, { type: 'call', run: () => this.resetBoth(fault.name) });
      if (fault.name === 'timeout') host.schedule(this.openedAtUs + at, { type: 'call', run: () => this.blackhole() });
    }
  }

  /** One application write from `side`: slicer and coalesce may reshape it before TCP sees it. */
  write(side: 0 | 1, bytes: Uint8Array): void {
    let pieces: Uint8Array[] | null = null;
    for (const fault of this.faults) {
      if (fault.name === 'slicer' && fault.sides[side] && bytes.length >= 2) pieces = this.slice(fault, bytes);
    }
    for (const fault of this.faults) {
      if (fault.name === 'coalesce' && fault.sides[side]) {
        this.hold(side, fault, pieces ?? [bytes]);
        return;
      }
    }
    if (pieces === null) this.conn.tcpWrite(side, bytes);
    else for (const piece of pieces) this.conn.tcpWrite(side, piece);
  }

  /** Before a FIN: hand coalesced writes to TCP now. */
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

  /** On abort: coalesced writes are lost with the connection. */
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
      const verdict = this.byteTriggers(side, seg);
      if (verdict === null) return;
      out = verdict.seg;
      after = verdict.after;
    }
    if (seg.len > 0) {
      dir.bytes += out.len;
      this.totalBytes += out.len;
    }
    const now = this.host.now;
    let departUs = now;
    let extraUs = 0;
    for (const fault of this.faults) {
      if (!fault.sides[side]) continue;
      if (fault.name === 'latency') {
        extraUs += (fault.p.extraUs as number) + this.decider.jitterUs(fault.p.jitterUs as number);
      } else if (fault.name === 'bandwidth') {
        const start = Math.max(now, dir.busyUntilUs);
        dir.busyUntilUs = start + Math.ceil((out.len * 1_000_000) / (fault.p.bytesPerSec as number)); // payload only; headers are free
        departUs = dir.busyUntilUs;
      } else if (fault.name === 'slow_close' && out.flags & FIN) {
        extraUs += fault.p.delayUs as number;
        this.note('slow_close', 'delay-fin', side, { delayUs: fault.p.delayUs });
      }
    }
    const arrival = Math.max(departUs + this.oneWayDelayUs + extraUs, dir.lastArrivalUs);
    dir.lastArrivalUs = arrival;
    this.host.schedule(arrival, { type: 'arrive', conn: this.conn, side: side === 0 ? 1 : 0, seg: out });
    if (after) after();
  }

  /** reset_peer / timeout / limit_data / half_close on a data segment: null = dropped. */
  private byteTriggers(side: 0 | 1, seg: Segment): { seg: Segment; after: (() => void) | null } | null {
    let out = seg;
    let after: (() => void) | null = null;
    for (const fault of this.faults) {
      let limit: number | undefined;
      let counted: number;
      if (fault.name === 'half_close') {
        if (!fault.sides[side]) continue;
        limit = fault.p.afterBytes;
        counted = this.dirs[side].bytes;
      } else if (fault.name === 'reset_peer' || fault.name === 'timeout') {
        limit = fault.p.afterBytes;
        counted = this.totalBytes;
      } else if (fault.name === 'limit_data') {
        limit = fault.p.bytes;
        counted = this.totalBytes;
      } else {
        continue;
      }
      if (limit === undefined) continue;
      const allowance = limit - counted;
      if (allowance >= out.len) continue;
      if (fault.name === 'timeout') {
        this.blackhole();
        this.note('drop', 'drop', side, { seq: seg.seq, len: seg.len });
        return null;
      }
      const cutLen = Math.max(allowance, 0);
      if (cutLen < out.len) {
        this.note(fault.name, 'truncate', side, { len: out.len, passed: cutLen });
        out = { ...out, len: cutLen, data: out.data ? out.data.subarray(0, cutLen) : null, flags: out.flags & ~FIN };
      }
      const name = fault.name;
      after = () => {
        if (name === 'reset_peer') this.resetBoth(name);
        else if (name === 'limit_data') this.finBoth();
        else this.halfClose(side);
      };
      break;
    }
    if (out.len === 0 && !(out.flags & FIN)) {
      if (after) after();
      return null;
    }
    return { seg: out, after };
  }

  /** RST to both ends; the link then carries nothing. */
  private resetBoth(name: FaultName): void {
    if (this.dirs[0].cut && this.dirs[1].cut) return;
    this.note(name, 'reset', 0, {});
    for (const side of [0, 1] as const) this.injectAfter(side, { seq: 0, ack: 0, len: 0, flags: RST, data: null });
    this.dirs[0].cut = this.dirs[1].cut = true;
  }

  /** limit_data: both ends get a FIN; the link then carries nothing. */
  private finBoth(): void {
    if (this.dirs[0].cut && this.dirs[1].cut) return;
    this.note('limit_data', 'fin-both', 0, {});
    for (const side of [0, 1] as const) this.injectAfter(side, { seq: 0, ack: 0, len: 0, flags: FIN, data: null });
    this.dirs[0].cut = this.dirs[1].cut = true;
  }

  /** half_close: the receiver of `senderSide`'s direction gets a FIN; that direction is cut. */
  private halfClose(senderSide: 0 | 1): void {
    if (this.dirs[senderSide].cut) return;
    this.note('half_close', 'fin', senderSide, {});
    this.injectAfter(senderSide, { seq: 0, ack: 0, len: 0, flags: FIN, data: null });
    this.dirs[senderSide].cut = true;
  }

  private blackhole(): void {
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

  private slice(fault: ActiveFault, bytes: Uint8Array): Uint8Array[] | null {
    if (!this.decider.shouldSplitWrite(fault.p.numerator as number, fault.p.denominator as number)) return null;
    const pieceCount = this.decider.slicePieces(Math.min(fault.p.maxPieces as number, bytes.length));
    const cuts: number[] = [];
    // bounded by pieceCount - 1 draws; a repeated cut point is dropped (one piece fewer)
    for (let i = 1; i < pieceCount; i++) {
      const at = this.decider.splitPoint(bytes.length);
      if (!cuts.includes(at)) cuts.push(at);
    }
    cuts.sort((a, b) => a - b);
    const pieces: Uint8Array[] = [];
    let start = 0;
    for (const cut of cuts) {
      pieces.push(bytes.subarray(start, cut));
      start = cut;
    }
    pieces.push(bytes.subarray(start));
    this.note('slicer', 'split', 0, { len: bytes.length, pieces: pieces.map((p) => p.length) });
    return pieces;
  }

  private hold(side: 0 | 1, fault: ActiveFault, pieces: readonly Uint8Array[]): void {
    const dir = this.dirs[side];
    const first = dir.held.length === 0;
    for (const piece of pieces) dir.held.push(piece);
    if (!first) return;
    const gen = ++dir.heldGen;
    const holdUs = fault.p.holdUs as number;
    this.note('coalesce', 'hold', side, { holdUs });
    this.host.schedule(this.host.now + holdUs, {
      type: 'call',
      run: () => {
        if (dir.heldGen === gen && !this.conn.ends[side].dead) this.flushHeld(side);
      },
    });
  }

  private activate(fault: CheckedFault): ActiveFault {
    const p: Record<string, number> = {};
    for (const [key, value] of Object.entries(fault.ints)) {
      p[key] = typeof value === 'number' ? value : this.decider.pickFaultParam(`${fault.name}.${key}`, value[0], value[1]);
    }
    return { name: fault.name, p, sides: directionSides(fault.direction) };
  }

  private note(fault: string, action: string, side: 0 | 1, detail: Record<string, unknown>): void {
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
