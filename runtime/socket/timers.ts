/* timers - named model timers on the wall clock, served by one node timer
 *
 * Models set and cancel timers by name (`timer` outputs, contract.ts); setting a name again
 * replaces the earlier deadline. All deadlines live in one map and a single setTimeout is
 * armed for the earliest, so thousands of idle sessions cost one pending host timer. Due
 * timers fire in deadline order (ties in the order they were set), as in the simulator.
 */
import type { Micros } from '../../models/contract.ts';
import type { WallClock } from './clock.ts';

interface Deadline {
  readonly owner: string;
  readonly timer: string;
  readonly at: Micros;
  readonly order: number;
}

export type TimerFire = (owner: string, timer: string) => void;

export class TimerWheel {
  private readonly deadlines = new Map<string, Deadline>();
  private armed: { cancel(): void } | undefined;
  private armedAt: Micros = Infinity;
  private setCount = 0;
  private stopped = false;

  constructor(
    private readonly clock: WallClock,
    private readonly fire: TimerFire,
  ) {}

  /** Deadlines set and not yet fired or cancelled. */
  get pending(): number {
    return this.deadlines.size;
  }

  set(owner: string, timer: string, at: Micros | null): void {
    const key = `${owner}\u0000${timer}`;
    if (at === null) this.deadlines.delete(key);
    else this.deadlines.set(key, { owner, timer, at, order: this.setCount++ });
    this.rearm();
  }

  /** Cancel every timer and never arm again (runtime shutdown). */
  stop(): void {
    this.stopped = true;
    this.deadlines.clear();
    this.armed?.cancel();
    this.armed = undefined;
  }

  private rearm(): void {
    if (this.stopped) return;
    let earliest = Infinity;
    for (const d of this.deadlines.values()) earliest = Math.min(earliest, d.at);
    if (earliest === this.armedAt) return;
    this.armed?.cancel();
    this.armed = undefined;
    this.armedAt = earliest;
    if (earliest === Infinity) return;
    const delayUs = earliest - this.clock.now();
    // Host timers have millisecond resolution; models ask for microsecond gaps (Dovecot's
    // XCLIENT→EHLO is 3-32 µs), so a deadline under 1 ms away is polled on the next turn of the
    // event loop instead of being rounded up to a whole millisecond.
    if (delayUs < 1000) {
      const handle = setImmediate(() => this.expire());
      this.armed = { cancel: () => clearImmediate(handle) };
    } else {
      const handle = setTimeout(() => this.expire(), Math.floor(delayUs / 1000));
      this.armed = { cancel: () => clearTimeout(handle) };
    }
  }

  private expire(): void {
    this.armed = undefined;
    this.armedAt = Infinity;
    const now = this.clock.now();
    const due = [...this.deadlines.entries()]
      .filter(([, d]) => d.at <= now)
      .sort(([, a], [, b]) => a.at - b.at || a.order - b.order);
    for (const [key, d] of due) {
      // A timer fired earlier in this batch may have re-set or cancelled this one.
      if (this.deadlines.get(key) !== d) continue;
      this.deadlines.delete(key);
      this.fire(d.owner, d.timer);
    }
    this.rearm();
  }
}
