/* kit/session-timers - a front's per-session timers: a closed set of kinds, named "<client conn>/<kind>"
 *
 * A front serves many sessions with one Model, so each timer name carries the session's client
 * connection. The kinds are a closed union per front (quinn-proto's TimerKind); a name read back
 * with a kind outside the set is not one of this front's timers and is refused, not cast.
 */
import type { ConnId } from '../../contract.ts';

export class SessionTimerKinds<K extends string> {
  private readonly kinds: ReadonlySet<string>;

  constructor(readonly all: readonly K[]) {
    this.kinds = new Set(all);
  }

  name(conn: ConnId, kind: K): string {
    return `${conn}/${kind}`;
  }

  /** The session and kind of a timer name, or null for a name that is not of this form and set. */
  parse(name: string): { readonly conn: ConnId; readonly kind: K } | null {
    const slash = name.lastIndexOf('/');
    const kind = name.slice(slash + 1);
    return slash >= 0 && this.isKind(kind) ? { conn: name.slice(0, slash), kind } : null;
  }

  private isKind(kind: string): kind is K {
    return this.kinds.has(kind);
  }
}
