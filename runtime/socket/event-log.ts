/* event-log - what a socket runtime records: the recent events, live listeners, waiting for an event
 *
 * The recording half of SocketRuntime, which extends it: every event goes into the ring (bounded,
 * event-ring.ts) and to each listener as it happens (serve streams them as JSON Lines).
 */
import type { EventRing } from './event-ring.ts';
import type { RuntimeEvent, RuntimeEventListener } from './events.ts';

export class RuntimeEventLog {
  private readonly listeners = new Set<RuntimeEventListener>();

  constructor(private readonly recorded: EventRing) {}

  /** Events recorded so far (at most `keepEvents` and `keepEventBytes`, newest last): a copy. */
  get events(): readonly RuntimeEvent[] {
    return this.recorded.toArray();
  }

  /** Log lines the models wrote, as "program: line", optionally for one node. */
  logLines(node?: string): string[] {
    return this.recorded
      .toArray()
      .filter((e): e is Extract<RuntimeEvent, { kind: 'log' }> => e.kind === 'log' && (node === undefined || e.node === node))
      .map((e) => `${e.program}: ${e.line}`);
  }

  onEvent(listener: RuntimeEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolve with the first event (already recorded or future) that matches; reject after timeoutMs. */
  waitFor(match: (event: RuntimeEvent) => boolean, timeoutMs: number): Promise<RuntimeEvent> {
    const seen = this.recorded.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`no matching runtime event within ${timeoutMs} ms`));
      }, timeoutMs);
      const off = this.onEvent((event) => {
        if (!match(event)) return;
        clearTimeout(timer);
        off();
        resolve(event);
      });
    });
  }

  protected record(event: RuntimeEvent): void {
    this.recorded.push(event);
    for (const listener of this.listeners) listener(event);
  }
}
