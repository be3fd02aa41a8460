/* event-ring - the runtime's most recent events, bounded by count and by bytes
 *
 * A ring over a fixed array: recording is O(1) whatever the load (dropping the oldest entry is
 * a moved index, not an array shift), and the byte budget keeps a burst of large `recv`/`write`
 * events (a 100 MB message relayed in 64 KiB chunks) from holding the whole message in memory.
 */
import type { RuntimeEvent } from './events.ts';

/** Fixed cost of one event record (object, times, names), on top of the text it carries. */
const EVENT_OVERHEAD_BYTES = 160;

/** What one event costs in memory, roughly: its fixed part and its text (two bytes per UTF-16 unit). */
export function eventBytes(event: RuntimeEvent): number {
  let text = 0;
  if ('data' in event) text += event.data.length;
  if ('line' in event) text += event.line.length;
  if ('message' in event) text += event.message.length;
  return EVENT_OVERHEAD_BYTES + 2 * text;
}

export class EventRing {
  private readonly slots: Array<RuntimeEvent | undefined>;
  private readonly sizes: Float64Array;
  private head = 0;
  private count = 0;
  private bytes = 0;

  constructor(
    readonly maxEvents: number,
    readonly maxBytes: number,
  ) {
    if (!Number.isInteger(maxEvents) || maxEvents < 1) throw new RangeError(`event ring: maxEvents must be a positive integer, got ${maxEvents}`);
    this.slots = new Array<RuntimeEvent | undefined>(maxEvents);
    this.sizes = new Float64Array(maxEvents);
  }

  get length(): number {
    return this.count;
  }

  /** Bytes the kept events take, by eventBytes(). */
  get heldBytes(): number {
    return this.bytes;
  }

  push(event: RuntimeEvent): void {
    if (this.count === this.maxEvents) this.dropOldest();
    const at = (this.head + this.count) % this.maxEvents;
    const size = eventBytes(event);
    this.slots[at] = event;
    this.sizes[at] = size;
    this.count++;
    this.bytes += size;
    // The newest event stays even when it alone is over the budget: the latest is what a reader wants.
    while (this.bytes > this.maxBytes && this.count > 1) this.dropOldest();
  }

  /** The kept events, oldest first (a copy: O(n), for readers, not for the recording path). */
  toArray(): RuntimeEvent[] {
    const out: RuntimeEvent[] = [];
    for (let i = 0; i < this.count; i++) out.push(this.slots[(this.head + i) % this.maxEvents]!);
    return out;
  }

  find(match: (event: RuntimeEvent) => boolean): RuntimeEvent | undefined {
    for (let i = 0; i < this.count; i++) {
      const event = this.slots[(this.head + i) % this.maxEvents]!;
      if (match(event)) return event;
    }
    return undefined;
  }

  private dropOldest(): void {
    this.bytes -= this.sizes[this.head]!;
    this.slots[this.head] = undefined;
    this.head = (this.head + 1) % this.maxEvents;
    this.count--;
  }
}
