/* limits - the caps that keep one broken or hostile peer from hurting a socket runtime
 *
 * Real daemons have the same kind of knobs (Postfix smtpd_client_connection_count_limit,
 * line_length_limit, smtpd_timeout); here they protect the process that hosts the models.
 * The runtime enforces them itself, so a model never sees unbounded input.
 */

export interface RuntimeLimits {
  /** Accepted connections open at once over all listeners; more are reset on accept. */
  readonly maxConnections: number;
  /** Bytes a peer may send without a LF before the runtime resets the connection. */
  readonly maxLineBytes: number;
  /** Bytes queued for a peer that does not read before the runtime resets the connection. */
  readonly maxPendingWriteBytes: number;
  /** Milliseconds without traffic either way before the runtime resets the connection. */
  readonly idleTimeoutMs: number;
  /** Milliseconds an outgoing connect may take before it fails with reason 'timeout'. */
  readonly connectTimeoutMs: number;
  /** Outputs one input may produce before the model is declared runaway (a bound, not a hang). */
  readonly maxOutputsPerInput: number;
}

export const DEFAULT_LIMITS: RuntimeLimits = {
  maxConnections: 256,
  // Far above SMTP's 1000-octet line (RFC 5321 4.5.3.1.6) so long-line behaviour stays the models' business.
  maxLineBytes: 1024 * 1024,
  maxPendingWriteBytes: 4 * 1024 * 1024,
  // Postfix smtpd_timeout is 300 s; the runtime's own cap sits just above it.
  idleTimeoutMs: 330_000,
  // Dovecot login_proxy_timeout default (30 s).
  connectTimeoutMs: 30_000,
  maxOutputsPerInput: 100_000,
};
