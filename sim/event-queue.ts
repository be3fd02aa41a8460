/* event-queue - binary min-heap of events keyed by (time, insertion sequence)
 *
 * Ties in time pop in insertion order, so two runs with the same seed process
 * simultaneous events identically. Keys live in parallel number arrays and the
 * payload in a third, so a push allocates nothing beyond array growth.
 */

export interface PendingEvent<T> {
  readonly time: number;
  readonly item: T;
}

export class EventQueue<T> {
  private readonly times: number[] = [];
  private readonly seqs: number[] = [];
  private readonly items: T[] = [];
  private nextSeq = 0;

  get size(): number {
    return this.items.length;
  }

  /** Time of the earliest event; Infinity when empty. */
  peekTime(): number {
    return this.items.length === 0 ? Infinity : (this.times[0] as number);
  }

  push(time: number, item: T): void {
    const times = this.times;
    const seqs = this.seqs;
    const items = this.items;
    let i = items.length;
    const seq = this.nextSeq++;
    times.push(time);
    seqs.push(seq);
    items.push(item);
    // sift up (comparisons inline: this runs for every event)
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const parentTime = times[parent] as number;
      if (!(time < parentTime || (time === parentTime && seq < (seqs[parent] as number)))) break;
      times[i] = parentTime;
      seqs[i] = seqs[parent] as number;
      items[i] = items[parent] as T;
      i = parent;
    }
    times[i] = time;
    seqs[i] = seq;
    items[i] = item;
  }

  /** Every queued event in the order they would pop (a copy; for state digests, not the run loop). */
  pending(): PendingEvent<T>[] {
    const order = this.items.map((_, i) => i);
    order.sort((a, b) => (this.times[a] as number) - (this.times[b] as number) || (this.seqs[a] as number) - (this.seqs[b] as number));
    return order.map((i) => ({ time: this.times[i] as number, item: this.items[i] as T }));
  }

  /** Remove and return the earliest event (undefined when empty). */
  pop(): T | undefined {
    const times = this.times;
    const seqs = this.seqs;
    const items = this.items;
    const n = items.length;
    if (n === 0) return undefined;
    const top = items[0] as T;
    const lastTime = times.pop() as number;
    const lastSeq = seqs.pop() as number;
    const lastItem = items.pop() as T;
    const size = n - 1;
    if (size === 0) return top;
    // sift down the former last element from the root
    let i = 0;
    while (true) {
      const left = 2 * i + 1;
      if (left >= size) break;
      const right = left + 1;
      let child = left;
      if (right < size) {
        const rightTime = times[right] as number;
        const leftTime = times[left] as number;
        if (rightTime < leftTime || (rightTime === leftTime && (seqs[right] as number) < (seqs[left] as number))) child = right;
      }
      const childTime = times[child] as number;
      if (!(childTime < lastTime || (childTime === lastTime && (seqs[child] as number) < lastSeq))) break;
      times[i] = childTime;
      seqs[i] = seqs[child] as number;
      items[i] = items[child] as T;
      i = child;
    }
    times[i] = lastTime;
    seqs[i] = lastSeq;
    items[i] = lastItem;
    return top;
  }
}
