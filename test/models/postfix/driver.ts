/* driver - a tiny test driver: scheduled inputs plus the model's own timers, in time order */
import { asciiBytes, bytesToLatin1, type Input, type Micros, type Model } from '../../../models/contract.js';

export interface Recorded {
  readonly writes: { t: Micros; conn: string; data: string }[];
  readonly logs: { t: Micros; program: string; line: string }[];
  readonly facts: { t: Micros; fact: unknown }[];
  readonly closed: Map<string, Micros>;
}

export type Scheduled = { readonly t: Micros; readonly input: Input };

export const accept = (conn: string, port = 50000, host = '127.0.0.1'): Input => ({
  kind: 'accepted', conn, local: { host: '127.0.0.1', port: 10025 }, remote: { host, port },
});
export const bytes = (conn: string, text: string): Input => ({ kind: 'bytes', conn, bytes: asciiBytes(text) });

/** Feed `inputs` (sorted by time) and fire timers due before each; then run timers out (bounded). */
export function drive(model: Model, inputs: readonly Scheduled[], maxSteps = 100_000): Recorded {
  const timers = new Map<string, Micros>();
  const rec: Recorded = { writes: [], logs: [], facts: [], closed: new Map() };
  let now = 0;
  const drain = () => {
    for (let out = model.poll(); out; out = model.poll()) {
      if (out.kind === 'timer') {
        if (out.at === null) timers.delete(out.timer);
        else timers.set(out.timer, out.at);
      } else if (out.kind === 'write') rec.writes.push({ t: now, conn: out.conn, data: bytesToLatin1(out.bytes) });
      else if (out.kind === 'log') rec.logs.push({ t: now, program: out.program, line: out.line });
      else if (out.kind === 'fact') rec.facts.push({ t: now, fact: out.fact });
      else if (out.kind === 'close' || out.kind === 'abort') rec.closed.set(out.conn, now);
    }
  };
  const fireTimersBefore = (limit: Micros) => {
    for (let steps = 0; steps < maxSteps; steps++) {
      let next: [string, Micros] | undefined;
      for (const entry of timers) if (!next || entry[1] < next[1]) next = entry;
      if (!next || next[1] > limit) return;
      timers.delete(next[0]);
      now = Math.max(now, next[1]);
      model.handle(now, { kind: 'timeout', timer: next[0] });
      drain();
    }
    throw new Error('driver: step bound hit (model keeps setting timers)');
  };
  for (const { t, input } of inputs) {
    fireTimersBefore(t - 1);
    now = Math.max(now, t);
    model.handle(now, input);
    drain();
  }
  fireTimersBefore(Number.MAX_SAFE_INTEGER);
  return rec;
}
