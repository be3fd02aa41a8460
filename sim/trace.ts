/* trace - the run's record: one plain event per line, JSON Lines, byte-for-byte stable
 *
 * Every event carries `t` (virtual µs) and `kind` first; the other keys are
 * written in a fixed order by the code that records them, so the same seed
 * gives the same bytes. Data bytes appear as latin1 text (every byte survives).
 * Kinds (docs/architecture.md): run, connect, accept, refused, write, segment,
 * deliver, ack, timer, fire, decision, fault, fin, rst, log, fact.
 * When tracing is off the recorder is disabled and callers skip building events.
 */
import type { Fact, Micros } from '../models/contract.ts';

export type TraceKind =
  | 'run' | 'connect' | 'accept' | 'refused' | 'write' | 'segment' | 'deliver' | 'ack'
  | 'timer' | 'fire' | 'decision' | 'fault' | 'fin' | 'rst' | 'log' | 'fact';

export interface TraceEvent {
  readonly t: Micros;
  readonly kind: TraceKind;
  readonly [key: string]: unknown;
}

export class TraceRecorder {
  readonly events: TraceEvent[] = [];

  constructor(readonly enabled: boolean) {}

  record(event: TraceEvent): void {
    if (this.enabled) this.events.push(event);
  }

  toJsonLines(): string {
    let out = '';
    for (const event of this.events) out += JSON.stringify(event) + '\n';
    return out;
  }
}

/** A log output as collected per node (always kept, tracing on or off). */
export interface LogRecord {
  readonly t: Micros;
  readonly node: string;
  readonly program: string;
  readonly line: string;
  readonly conn?: string;
}

/** A fact output as collected per node (always kept, tracing on or off). */
export interface FactRecord {
  readonly t: Micros;
  readonly node: string;
  readonly fact: Fact;
  readonly conn?: string;
}
