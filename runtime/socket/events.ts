/* events - what the socket runtime records, in the simulator's trace vocabulary
 *
 * Same kinds and field names as sim/trace.ts (docs/architecture.md) where the two overlap
 * (`accept`, `connect`, `refused`, `write`, `fin`, `rst`, `log`, `fact`), plus the runtime's
 * own `listen`, `limit` and `error`. `t` is wall-clock microseconds since the runtime started.
 */
import type { ConnId, Fact, Micros, SocketAddress } from '../../models/contract.ts';
import type { RuntimeLimits } from './limits.ts';

export type RuntimeEvent =
  | { readonly t: Micros; readonly kind: 'listen'; readonly node: string; readonly host: string; readonly port: number; readonly tls: boolean }
  | { readonly t: Micros; readonly kind: 'accept'; readonly node: string; readonly conn: ConnId; readonly local: SocketAddress; readonly remote: SocketAddress }
  | { readonly t: Micros; readonly kind: 'connect'; readonly node: string; readonly conn: ConnId; readonly to: SocketAddress; readonly noDelay: boolean }
  | { readonly t: Micros; readonly kind: 'connected'; readonly node: string; readonly conn: ConnId }
  | { readonly t: Micros; readonly kind: 'refused'; readonly node: string; readonly conn: ConnId; readonly reason: 'refused' | 'timeout' }
  | { readonly t: Micros; readonly kind: 'write'; readonly node: string; readonly conn: ConnId; readonly len: number; readonly data: string }
  | { readonly t: Micros; readonly kind: 'recv'; readonly node: string; readonly conn: ConnId; readonly len: number; readonly data: string }
  | { readonly t: Micros; readonly kind: 'fin'; readonly node: string; readonly conn: ConnId; readonly from: 'local' | 'peer' }
  | { readonly t: Micros; readonly kind: 'rst'; readonly node: string; readonly conn: ConnId; readonly from: 'local' | 'peer' }
  | { readonly t: Micros; readonly kind: 'log'; readonly node: string; readonly program: string; readonly line: string; readonly conn?: ConnId }
  | { readonly t: Micros; readonly kind: 'fact'; readonly node: string; readonly fact: Fact; readonly conn?: ConnId }
  | { readonly t: Micros; readonly kind: 'limit'; readonly node: string; readonly conn?: ConnId; readonly what: keyof RuntimeLimits }
  /** A listener was full when a client arrived; `setting` is the daemon's cap it stands for (listener-limits.ts). */
  | { readonly t: Micros; readonly kind: 'limit'; readonly node: string; readonly what: 'maxConnections'; readonly setting: string }
  | { readonly t: Micros; readonly kind: 'error'; readonly node: string; readonly conn?: ConnId; readonly message: string };

export type RuntimeEventListener = (event: RuntimeEvent) => void;
