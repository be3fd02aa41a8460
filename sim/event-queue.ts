/* event-queue - binary min-heap of events keyed by (time, insertion sequence)
 *
 * Ties in time pop in insertion order, so two runs with the same seed process
 * simultaneous events identically. Keys live in parallel number arrays and the
 * payload in a third, so a push allocates nothing beyond array growth.
 */

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
    let i = this.items.length;
    const seq = this.nextSeq++;
    this.times.push(time);
    this.seqs.push(seq);
    this.items.push(item);
    // sift up
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(time, seq, parent)) break;
      this.move(parent, i);
      i = parent;
    }
    this.times[i] = time;
    this.seqs[i] = seq;
    this.items[i] = item;
  }

  /** Remove and return the earliest event (undefined when empty). */
  pop(): T | undefined {
    const n = this.items.length;
    if (n === 0) return undefined;
    const top = this.items[0] as T;
    const lastTime = this.times.pop() as number;
    const lastSeq = this.seqs.pop() as number;
    const lastItem = this.items.pop() as T;
    const size = n - 1;
    if (size === 0) return top;
    // sift down the former last element from the root
    let i = 0;
    while (true) {
      const left = 2 * i + 1;
      if (left >= size) break;
      const right = left + 1;
      const child = right < size && this.lessAt(right, left) ? right : left;
      if (!this.less(this.times[child] as number, this.seqs[child] as number, i, lastTime, lastSeq)) break;
      this.move(child, i);
      i = child;
    }
    this.times[i] = lastTime;
    this.seqs[i] = lastSeq;
    this.items[i] = lastItem;
    return top;
  }

  /** Is (time, seq) before the entry at index j (or before (jt, js) when given)? */
  private less(time: number, seq: number, j: number, jt?: number, js?: number): boolean {
    const otherTime = jt ?? (this.times[j] as number);
    const otherSeq = js ?? (this.seqs[j] as number);
    return time < otherTime || (time === otherTime && seq < otherSeq);
  }

  private lessAt(a: number, b: number): boolean {
    return this.less(this.times[a] as number, this.seqs[a] as number, b);
  }

  private move(from: number, to: number): void {
    this.times[to] = this.times[from] as number;
    this.seqs[to] = this.seqs[from] as number;
    this.items[to] = this.items[from] as T;
  }
}
