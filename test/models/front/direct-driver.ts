/* direct-driver - drives one model through models/contract.ts by hand: inputs at chosen times, timers fired in order
 *
 * For client-side details that need no TCP: the test plays every peer, feeding `bytes`, `connected`,
 * `eof`... and reading the model's outputs. Timers the model sets fire when the test advances time.
 */
import { asciiBytes, bytesToLatin1, type ConnId, type Input, type Micros, type Model, type Output } from '../../../models/contract.ts';

export interface Recorded {
  readonly t: Micros;
  readonly output: Output;
}

export class DirectDriver {
  now: Micros = 0;
  readonly outputs: Recorded[] = [];
  private readonly timers = new Map<string, Micros>();

  constructor(readonly model: Model) {}

  input(input: Input): this {
    this.model.handle(this.now, input);
    this.drain();
    return this;
  }

  bytes(conn: ConnId, text: string): this {
    return this.input({ kind: 'bytes', conn, bytes: asciiBytes(text) });
  }

  /** Fires every timer due up to `until`, in time order, then sets the clock to `until`. */
  advanceTo(until: Micros): this {
    for (let guard = 0; guard < 100_000; guard++) {
      let next: [string, Micros] | null = null;
      for (const entry of this.timers) if (entry[1] <= until && (!next || entry[1] < next[1])) next = entry;
      if (!next) break;
      this.timers.delete(next[0]);
      this.now = Math.max(this.now, next[1]);
      this.model.handle(this.now, { kind: 'timeout', timer: next[0] });
      this.drain();
    }
    this.now = Math.max(this.now, until);
    return this;
  }

  advanceBy(us: Micros): this {
    return this.advanceTo(this.now + us);
  }

  /** The writes on one connection, one string per write(). */
  writes(conn: ConnId): string[] {
    return this.outputs.filter((o) => o.output.kind === 'write' && o.output.conn === conn).map((o) => bytesToLatin1((o.output as { bytes: Uint8Array }).bytes));
  }

  /** The timers the model has set and not cancelled that have not fired yet, by name. */
  pendingTimers(): string[] {
    return [...this.timers.keys()];
  }

  of<K extends Output['kind']>(kind: K): (Recorded & { output: Extract<Output, { kind: K }> })[] {
    return this.outputs.filter((o): o is Recorded & { output: Extract<Output, { kind: K }> } => o.output.kind === kind);
  }

  private drain(): void {
    for (let output = this.model.poll(); output; output = this.model.poll()) {
      this.outputs.push({ t: this.now, output });
      if (output.kind === 'timer') {
        if (output.at === null) this.timers.delete(output.timer);
        else this.timers.set(output.timer, output.at);
      }
    }
  }
}
