/* jsonl - a trace as JSON Lines text: one event per line, newline-terminated, the bytes `smtp-lab run --trace` writes */
import type { TraceEvent } from '../model/trace-event.ts';

export function traceJsonLines(events: readonly TraceEvent[]): string {
  return events.map((event) => JSON.stringify(event)).join('\n') + '\n';
}
