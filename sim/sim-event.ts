/* sim-event - what sits in the simulator's event queue */
import type { ConnId, SocketAddress } from '../models/contract.ts';
import type { Segment } from './tcp/segment.ts';
import type { TcpConnection } from './tcp/connection.ts';

/** The kernel timers of one endpoint that can end its connection (tcp/kernel-timers.ts). */
export type KernelTimer = 'keepalive' | 'retransmit';

export type SimEvent =
  /** A segment reaches the endpoint on `side` of `conn`. */
  | { readonly type: 'arrive'; readonly conn: TcpConnection; readonly side: 0 | 1; readonly seg: Segment }
  /** The delayed-ACK timer of one endpoint (stale when `gen` no longer matches). */
  | { readonly type: 'delack'; readonly conn: TcpConnection; readonly side: 0 | 1; readonly gen: number }
  /**
   * A kernel timer of one endpoint, at most one pending per timer and endpoint: it re-arms itself,
   * and one that would do nothing when due is skipped without moving the clock (TcpConnection.kernelTimerDue).
   */
  | { readonly type: 'kernel'; readonly timer: KernelTimer; readonly conn: TcpConnection; readonly side: 0 | 1 }
  /** A model's named timer (stale when `gen` no longer matches its slot's: Simulation's TimerSlot). */
  | { readonly type: 'timer'; readonly node: number; readonly name: string; readonly gen: number; readonly slot: { gen: number; firedUs: number } }
  /** The RST answering a SYN to an address nobody listens on has come back. */
  | { readonly type: 'refused'; readonly node: number; readonly conn: ConnId; readonly local: SocketAddress }
  /** A rare scheduled link action (fault trigger at a time, coalesce flush). */
  | { readonly type: 'call'; readonly run: () => void };

/** What the TCP and link layers need from the simulator. */
export interface NetHost {
  readonly now: number;
  schedule(at: number, event: SimEvent): void;
}
