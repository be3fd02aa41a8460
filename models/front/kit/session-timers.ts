/* kit/session-timers - a front's per-session timers: a closed set of kinds, named "<client conn>/<kind>"
 *
 * A front serves many sessions with one Model, so each timer name carries the session's client
 * connection. The kinds are a closed union per front (quinn-proto's TimerKind); a name read back
 * with a kind outside the set is not one of this front's timers and is refused, not cast.
 */
import type { ConnId } from '../../contract.ts';

/**
 * Names parse() keeps its answer for. A timer fires under the very name its session built once
 * (a string whose hash V8 keeps), so a kept answer costs one lookup instead of two slices and two
 * hashed lookups of fresh strings per firing; emptied when full, so a long-lived front's memory stays bounded.
 */
const PARSED_NAMES_KEPT = 4096;

export class SessionTimerKinds<K extends string> {
  private readonly kinds: ReadonlySet<string>;
  private readonly parsed = new Map<string, { readonly conn: ConnId; readonly kind: K } | null>();

  constructor(readonly all: readonly K[]) {
    this.kinds = new Set(all);
  }

  name(conn: ConnId, kind: K): string {
    return `${conn}/${kind}`;
  }

  /** The session and kind of a timer name, or null for a name that is not of this form and set. */
  parse(name: string): { readonly conn: ConnId; readonly kind: K } | null {
    let timer = this.parsed.get(name);
    if (timer === undefined) {
      const slash = name.lastIndexOf('/');
      const kind = name.slice(slash + 1);
      timer = slash >= 0 && this.isKind(kind) ? { conn: name.slice(0, slash), kind } : null;
      if (this.parsed.size >= PARSED_NAMES_KEPT) this.parsed.clear();
      this.parsed.set(name, timer);
    }
    return timer;
  }

  private isKind(kind: string): kind is K {
    return this.kinds.has(kind);
  }
}
