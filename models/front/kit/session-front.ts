/* kit/session-front - what every front is as a Model: many client sessions, the connections each opened, one output queue
 *
 * A front accepts clients on its listeners; each client becomes a session, and the connections a
 * session opens (to the auth service, to the backend) are bound to it, so an input on any
 * connection finds its session. Ending a session forgets all of them at once. The front's own
 * logic (what a session does with an input) stays in the front's file.
 */
import { OutputQueue, type ConnId, type Output } from '../../contract.ts';

export abstract class SessionFront<S extends { readonly conn: ConnId }> {
  protected readonly out = new OutputQueue();
  /** Sessions by their client connection. */
  protected readonly sessions = new Map<ConnId, S>();
  /** Sessions by a connection they opened. */
  protected readonly outgoing = new Map<ConnId, S>();

  constructor(readonly name: string) {}

  poll(): Output | undefined {
    return this.out.poll();
  }

  /** `conn`, opened by `session`, reports to it from now on. */
  protected bindOutgoing(conn: ConnId, session: S): void {
    this.outgoing.set(conn, session);
  }

  /** The session is over: its client connection and every connection it opened lead nowhere now. */
  protected forget(session: S): void {
    this.sessions.delete(session.conn);
    for (const [conn, owner] of this.outgoing) if (owner === session) this.outgoing.delete(conn);
  }
}
