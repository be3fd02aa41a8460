/* listener-limits - how many clients one listener holds, and what it does with one more
 *
 * Real daemons cap their clients per service, not per machine, and each does something different
 * at the cap. A listener's limits name the setting they stand for (recorded with every `limit`
 * event), so a reader can check the number against the daemon's documentation. Connections the
 * node opened itself (a front's requests to the auth service and the backend) are accepted on
 * other listeners and never count here, unless the daemon counts them too (`countsOutgoing`).
 */

export type WhenFull =
  /** Accept and close at once (nginx ngx_event_accept(): "worker_connections are not enough"). */
  | 'close'
  /**
   * Leave the connection in the kernel's accept queue until a slot frees: a master process at its
   * process limit stops accepting (Postfix master, Dovecot master). The peer's connect succeeds
   * and it waits for the greeting.
   */
  | 'wait'
  /** Wait, and ask the model to drop a connection to make room (Model.makeRoom: Dovecot's client_destroy_oldest()). */
  | 'make-room';

export interface ListenerLimits {
  /** The daemon's setting(s) the cap stands for, and its value's source. */
  readonly setting: string;
  /** Connections open at once on this listener (plus outgoing ones when `countsOutgoing`). */
  readonly maxConnections: number;
  readonly whenFull: WhenFull;
  /** The node's own outgoing connections take slots too (nginx: worker_connections counts upstream connections). */
  readonly countsOutgoing?: boolean;
  /** The line the daemon logs when a client finds it full (recorded as the node's `log` event), if it logs one. */
  readonly logWhenFull?: { readonly program: string; readonly line: string };
}

/**
 * Connections waiting in one listener's accept queue at most; beyond, the newcomer is reset (Linux
 * drops the SYN once the queue holds net.core.somaxconn, 4096 since 5.4; a peer sees a failed
 * connect either way).
 */
export const ACCEPT_QUEUE_MAX = 4096;

/** A listener nobody gave limits: the lab's own services (the auth service model); a safety cap only. */
export const LAB_LISTENER_LIMITS: ListenerLimits = {
  setting: 'smtp-lab safety cap for its own services',
  maxConnections: 10_000,
  whenFull: 'wait',
};
