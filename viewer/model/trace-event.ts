/* trace-event - the trace records the viewer reads, and the reader that turns a file into them
 *
 * The schema is docs/architecture.md "Trace events": one JSON object per line with `t`
 * (virtual µs) and `kind`. The viewer reads files a user hands it, so every field is
 * checked where it is used and a line that is not a trace event is a clear error
 * naming the line, never a crash further down.
 */

/**
 * One trace record; fields beyond `t` and `kind` depend on the kind. The simulator's own
 * `TraceEvent` (sim/trace.ts) is assignable to this; `kind` stays a string here so a trace
 * from a newer simulator still draws (unknown kinds become plain notes).
 */
export interface TraceEvent {
  readonly t: number;
  readonly kind: string;
  readonly [field: string]: unknown;
}

export class TraceFormatError extends Error {
  override readonly name = 'TraceFormatError';
}

/** A string field of an event, or undefined when absent or not a string. */
export function textField(event: TraceEvent, field: string): string | undefined {
  const value = event[field];
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

/** A numeric field of an event, or undefined. */
export function numberField(event: TraceEvent, field: string): number | undefined {
  const value = event[field];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** Check one parsed value is a trace event; `where` names it in the error. */
export function asTraceEvent(value: unknown, where: string): TraceEvent {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TraceFormatError(`${where}: expected a JSON object with "t" and "kind"`);
  }
  const record = value as Record<string, unknown>;
  if (typeof record.t !== 'number' || !Number.isFinite(record.t) || record.t < 0) {
    throw new TraceFormatError(`${where}: "t" must be a non-negative number of virtual microseconds`);
  }
  if (typeof record.kind !== 'string' || record.kind === '') {
    throw new TraceFormatError(`${where}: "kind" must be a non-empty string`);
  }
  return record as TraceEvent;
}

/** Parse JSON Lines trace text; blank lines are skipped. */
export function parseTraceLines(text: string): TraceEvent[] {
  const events: TraceEvent[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new TraceFormatError(`line ${i + 1}: not JSON (${(error as Error).message})`);
    }
    events.push(asTraceEvent(value, `line ${i + 1}`));
  }
  return events;
}

/**
 * Read what `view FILE` accepts: a JSON Lines trace, or a JSON document (a repro/check
 * counterexample report) that carries its trace as an array of events or as JSON Lines text
 * under `trace` or `events`.
 */
export function parseTraceFile(text: string): TraceEvent[] {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('[') || (trimmed.startsWith('{') && !looksLikeJsonLines(trimmed))) {
    let document: unknown;
    try {
      document = JSON.parse(trimmed);
    } catch (error) {
      throw new TraceFormatError(`not a JSON document nor JSON Lines (${(error as Error).message})`);
    }
    return eventsOfDocument(document);
  }
  return parseTraceLines(text);
}

function looksLikeJsonLines(text: string): boolean {
  const firstLine = text.split('\n', 1)[0]!.trim();
  try {
    const value = JSON.parse(firstLine) as Record<string, unknown>;
    return typeof value === 'object' && value !== null && 't' in value && 'kind' in value;
  } catch {
    return false;
  }
}

function eventsOfDocument(document: unknown): TraceEvent[] {
  if (Array.isArray(document)) return document.map((value, i) => asTraceEvent(value, `event ${i}`));
  if (typeof document === 'object' && document !== null) {
    for (const key of ['trace', 'events'] as const) {
      const carried = (document as Record<string, unknown>)[key];
      if (typeof carried === 'string') return parseTraceLines(carried);
      if (Array.isArray(carried)) return carried.map((value, i) => asTraceEvent(value, `${key}[${i}]`));
      if (typeof carried === 'object' && carried !== null) return eventsOfDocument(carried);
    }
  }
  throw new TraceFormatError('a JSON document must be an array of trace events or carry them under "trace" or "events"');
}
