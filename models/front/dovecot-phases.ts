/* front/dovecot-phases - a submission-login client's phases as a table: where each may go, what each does with input
 *
 * h11's habit: the transitions are data, and a move the table does not list is a bug in the
 * model, not a state to muddle on in. The phases follow the client's life in Dovecot 2.3:
 * greeting sent after the login process is ready, commands (lib-smtp), a SASL exchange, the
 * passdb request, the auth process's delayed failure, the login proxy's handshake with the
 * backend, the detach (login_proxy_detach) and the relay.
 */

export type Phase = 'greeting' | 'command' | 'auth-continue' | 'auth-lookup' | 'auth-failed' | 'proxying' | 'detaching' | 'relay' | 'closed';

interface PhaseRow {
  /** Phases this one may move to (closing is always possible until closed). */
  readonly next: readonly Phase[];
  /** Client lines are read as SMTP commands or SASL responses. */
  readonly readsClientLines: boolean;
  /** Client and backend bytes belong to the relay (queued while detaching, passed on once relaying). */
  readonly relaysBytes: boolean;
}

export const PHASES: Readonly<Record<Phase, PhaseRow>> = {
  greeting: { next: ['command', 'closed'], readsClientLines: false, relaysBytes: false },
  command: { next: ['command', 'auth-continue', 'auth-lookup', 'auth-failed', 'closed'], readsClientLines: true, relaysBytes: false },
  'auth-continue': { next: ['command', 'auth-continue', 'auth-lookup', 'auth-failed', 'closed'], readsClientLines: true, relaysBytes: false },
  'auth-lookup': { next: ['auth-failed', 'proxying', 'closed'], readsClientLines: false, relaysBytes: false },
  'auth-failed': { next: ['command', 'closed'], readsClientLines: false, relaysBytes: false },
  // 454 after the last failed attempt: the client may try again.
  proxying: { next: ['command', 'detaching', 'closed'], readsClientLines: false, relaysBytes: false },
  detaching: { next: ['relay', 'closed'], readsClientLines: false, relaysBytes: true },
  relay: { next: ['closed'], readsClientLines: false, relaysBytes: true },
  closed: { next: [], readsClientLines: false, relaysBytes: false },
};

/** The phase after `from` moves to `to`; a move the table does not list throws (a model bug). */
export function transition(from: Phase, to: Phase): Phase {
  if (!PHASES[from].next.includes(to)) throw new Error(`dovecot session: ${from} -> ${to} is not a transition of dovecot-phases.ts`);
  return to;
}
