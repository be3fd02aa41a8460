/* hooks - what a fault may do to a link, and when the link asks it
 *
 * A catalogue entry carries its behaviour as hooks; link.ts calls them at fixed points of a
 * connection's life, in the order the listener lists its faults:
 *   open      the connection's SYN: time triggers (`atUs`) are scheduled here;
 *   reshape   an application write, before TCP: may cut it into several writes (slicer);
 *   hold      an application write: may keep it back and hand it to TCP later (coalesce);
 *   limit     a data segment: a byte budget that, once spent, truncates or drops it and then
 *             acts on the link (reset, FIN, black hole);
 *   departure a segment leaving: extra delay or a later departure (latency, bandwidth, slow_close).
 * A hook sees only LinkControl, never the TCP state: faults act on the wire, as a middlebox would.
 */
import type { Decider } from '../decisions.ts';
import type { Segment } from '../tcp/segment.ts';

/** The link as a fault's hooks may act on it. Sides are the sending side: 0 connector, 1 listener. */
export interface LinkControl {
  readonly now: number;
  readonly decider: Decider;
  /** Payload bytes that entered the link, both directions / one direction. */
  readonly totalBytes: number;
  directionBytes(side: 0 | 1): number;
  schedule(at: number, run: () => void): void;
  resetBoth(fault: string): void;
  finBoth(): void;
  halfClose(senderSide: 0 | 1): void;
  blackhole(): void;
  /** Keep writes of `side` back for holdUs, then hand them to TCP as one write. */
  hold(side: 0 | 1, holdUs: number, pieces: readonly Uint8Array[]): void;
  /** When the previous segment of `side` has finished leaving (bandwidth); set it to serialise. */
  busyUntil(side: 0 | 1): number;
  setBusyUntil(side: 0 | 1, at: number): void;
  /** A `fault` trace event. */
  note(fault: string, action: string, side: 0 | 1, detail: Record<string, unknown>): void;
}

/** A segment's departure as the departure hooks shape it. */
export interface Departure {
  departUs: number;
  extraUs: number;
}

/** A byte budget: `counted` bytes have passed, at most `limit` may. */
export interface ByteBudget {
  readonly limit: number;
  readonly counted: number;
}

export interface FaultHooks<P> {
  open?(link: LinkControl, p: P): void;
  /** New writes for `bytes`, or null to leave it whole. Of several reshaping faults the last one decides. */
  reshape?(link: LinkControl, p: P, bytes: Uint8Array): Uint8Array[] | null;
  /** The first holding fault of the side takes the write. */
  hold?(link: LinkControl, p: P, side: 0 | 1, pieces: readonly Uint8Array[]): void;
  limit?: {
    /** The budget this data segment is measured against, or null when the fault does not watch it. */
    budget(link: LinkControl, p: P, side: 0 | 1, onSide: boolean): ByteBudget | null;
    /** 'drop': the crossing segment is lost; 'truncate': what fits passes, then act. */
    readonly crossing: 'drop' | 'truncate';
    act(link: LinkControl, side: 0 | 1): void;
  };
  departure?(link: LinkControl, p: P, side: 0 | 1, seg: Segment, departure: Departure): void;
}
