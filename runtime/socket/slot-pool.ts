/* slot-pool - the slots of one daemon service: connections holding one, and the accept queue behind them
 *
 * A pool belongs to one node and one ListenerLimits object; every listener given that object
 * shares it (listener-limits.ts). Connections that find it full wait here, paused, as they would
 * in the kernel's accept queue, until a slot frees; the runtime decides what full means for the
 * node (its own outgoing connections count when `countsOutgoing`).
 */
import type net from 'node:net';
import { ACCEPT_QUEUE_MAX, type ListenerLimits } from './listener-limits.ts';

export class SlotPool<L> {
  /** Accepted connections that hold a slot. */
  open = 0;
  private readonly waiting: Array<{ readonly listener: L; readonly socket: net.Socket }> = [];

  constructor(readonly limits: ListenerLimits) {}

  /** Room for one more, with `outgoingOpen` connections the node opened itself. */
  hasRoom(outgoingOpen: number): boolean {
    return this.open + (this.limits.countsOutgoing ? outgoingOpen : 0) < this.limits.maxConnections;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** Park `socket` until a slot frees; false when the accept queue is full too. */
  enqueue(listener: L, socket: net.Socket): boolean {
    if (this.waiting.length >= ACCEPT_QUEUE_MAX) return false;
    socket.pause();
    const entry = { listener, socket };
    this.waiting.push(entry);
    // A peer that gives up while queued leaves the queue.
    socket.once('close', () => {
      const at = this.waiting.indexOf(entry);
      if (at >= 0) this.waiting.splice(at, 1);
    });
    return true;
  }

  /** The oldest queued connection still there, read again; undefined when none waits. */
  next(): { readonly listener: L; readonly socket: net.Socket } | undefined {
    for (let entry = this.waiting.shift(); entry; entry = this.waiting.shift()) {
      if (entry.socket.destroyed) continue;
      entry.socket.resume();
      return entry;
    }
    return undefined;
  }

  /** Drop every queued connection (the runtime is closing). */
  destroyQueued(): void {
    for (const { socket } of this.waiting.splice(0)) socket.destroy();
  }
}
