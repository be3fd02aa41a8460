/* limits - the caps that keep one broken or hostile peer from hurting a socket runtime
 *
 * Per connection and per process; how many connections a listener holds is the listener's own
 * (listener-limits.ts). Real daemons have the same kind of knobs (Postfix line_length_limit,
 * smtpd_timeout); here they protect the process that hosts the models, so they sit above the
 * daemons' own values and a model never sees unbounded input.
 */

export interface RuntimeLimits {
  /** Bytes a peer may send without a LF before the runtime resets the connection. */
  readonly maxLineBytes: number;
  /**
   * Bytes queued for a peer that does not read before the runtime resets the connection. Bytes a
   * connection's input caused are flow-controlled instead (back-pressure.ts): only output no input
   * led to (a model writing on its own, from a timer it set without any input) is held to this cap.
   */
  readonly maxPendingWriteBytes: number;
  /**
   * Milliseconds without traffic either way before the runtime resets the connection: a safety net
   * above every model's own timeout, which says whether a trickle of bytes keeps a client (Postfix's
   * smtpd_timeout is per read) or not (Dovecot's pre-login CLIENT_LOGIN_TIMEOUT is absolute).
   */
  readonly idleTimeoutMs: number;
  /** Milliseconds an outgoing connect may take before it fails with reason 'timeout'. */
  readonly connectTimeoutMs: number;
  /** Outputs one input may produce before the model is declared runaway (a bound, not a hang). */
  readonly maxOutputsPerInput: number;
}

export const DEFAULT_LIMITS: RuntimeLimits = {
  // Far above SMTP's 1000-octet line (RFC 5321 4.5.3.1.6) so long-line behaviour stays the models' business.
  maxLineBytes: 1024 * 1024,
  maxPendingWriteBytes: 4 * 1024 * 1024,
  // Postfix smtpd_timeout is 300 s; the runtime's own cap sits just above it.
  idleTimeoutMs: 330_000,
  // Dovecot login_proxy_timeout default (30 s).
  connectTimeoutMs: 30_000,
  maxOutputsPerInput: 100_000,
};
