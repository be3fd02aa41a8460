/* kernel-timers - when Linux gives up on a connection whose peer went silent: keepalive and retransmission
 *
 * Read in torvalds/linux (net/ipv4/tcp_timer.c, include/net/tcp.h; read, not copied):
 * - Keepalive (tcp_keepalive_timer), only on a socket with SO_KEEPALIVE: once nothing was heard
 *   for tcp_keepalive_time (keepalive_time_elapsed: since the later of the last data and the last
 *   ACK received) and nothing is in flight or queued ("alive without keepalive"), a probe goes out
 *   every tcp_keepalive_intvl; any ACK answering it resets the count (tcp_ack: icsk_probes_out = 0,
 *   rcv_tstamp). When the timer finds tcp_keepalive_probes probes unanswered it sends a reset
 *   (tcp_send_active_reset) and fails the socket with ETIMEDOUT (tcp_write_err). Sysctl defaults
 *   (include/net/tcp.h TCP_KEEPALIVE_TIME, _INTVL, _PROBES): 7200 s, 75 s, 9. A socket's own
 *   TCP_KEEPIDLE, TCP_KEEPINTVL and TCP_KEEPCNT (tp->keepalive_time, _intvl, _probes) replace them:
 *   keepalive_time_when(), keepalive_intvl_when(), keepalive_probes() read the socket's value when
 *   set, else the sysctl; an accepted socket copies its listener's (sk_clone_lock copies tcp_sock).
 * - Retransmission (tcp_retransmit_timer, tcp_write_timeout, retransmits_timed_out): unacknowledged
 *   data is sent again when the RTO expires, the RTO doubling each time up to TCP_RTO_MAX (120 s).
 *   Before each retransmission the timer asks whether the connection has timed out: once at least
 *   one retransmission went out, when the time since the head segment was first sent (retrans_stamp)
 *   reaches tcp_model_timeout(tcp_retries2, TCP_RTO_MIN), the time tcp_retries2 = 15 backed-off
 *   retransmissions from an RTO of TCP_RTO_MIN would take. Then ETIMEDOUT (tcp_write_err), no reset.
 */
import type { KeepAlive } from '../../models/contract.ts';
import { TCP_RTO_MIN_US } from './profiles.ts';

/** net.ipv4.tcp_keepalive_time: idle time before the first probe (TCP_KEEPALIVE_TIME, 2 h). */
export const TCP_KEEPALIVE_TIME_US = 7200_000_000;
/** net.ipv4.tcp_keepalive_intvl: between probes (TCP_KEEPALIVE_INTVL, 75 s). */
export const TCP_KEEPALIVE_INTVL_US = 75_000_000;
/** net.ipv4.tcp_keepalive_probes: unanswered probes before the socket fails (TCP_KEEPALIVE_PROBES). */
export const TCP_KEEPALIVE_PROBES = 9;
/**
 * MAX_TCP_KEEPIDLE, MAX_TCP_KEEPINTVL, MAX_TCP_KEEPCNT (include/net/tcp.h): setsockopt() refuses a
 * value below 1 or above these with EINVAL (tcp_sock_set_keepidle_locked(), do_tcp_setsockopt()).
 */
const MAX_TCP_KEEPIDLE_S = 32767;
const MAX_TCP_KEEPINTVL_S = 32767;
const MAX_TCP_KEEPCNT = 127;

/** What a socket's keepalive runs on: tcp_keepalive_time(), tcp_keepalive_intvl(), tcp_keepalive_probes(). */
export interface KeepAliveTimes {
  readonly timeUs: number;
  readonly intvlUs: number;
  readonly probes: number;
}

/** A socket that set none of TCP_KEEPIDLE/INTVL/CNT: the sysctls. */
export const SYSCTL_KEEPALIVE: KeepAliveTimes = { timeUs: TCP_KEEPALIVE_TIME_US, intvlUs: TCP_KEEPALIVE_INTVL_US, probes: TCP_KEEPALIVE_PROBES };

/** A tunable's value when Linux takes it: within [1, max]; else setsockopt() failed with EINVAL and the sysctl stays. */
function taken(value: number | undefined, max: number): value is number {
  return value !== undefined && Number.isInteger(value) && value >= 1 && value <= max;
}

/**
 * The times a program's SO_KEEPALIVE request gives its socket, or null when keepalive is off. Each
 * tunable Linux accepts replaces its sysctl; one it refuses (EINVAL) leaves the sysctl, as nginx
 * ("setsockopt(TCP_KEEPIDLE, N) ... failed, ignored", ngx_configure_listening_sockets()) and HAProxy
 * (setsockopt()'s result unchecked, session.c, proto_tcp.c) carry on without it.
 */
export function keepAliveTimes(keepAlive: KeepAlive): KeepAliveTimes | null {
  if (keepAlive === false) return null;
  if (keepAlive === true) return SYSCTL_KEEPALIVE;
  return {
    timeUs: taken(keepAlive.idleS, MAX_TCP_KEEPIDLE_S) ? keepAlive.idleS * 1_000_000 : TCP_KEEPALIVE_TIME_US,
    intvlUs: taken(keepAlive.intvlS, MAX_TCP_KEEPINTVL_S) ? keepAlive.intvlS * 1_000_000 : TCP_KEEPALIVE_INTVL_US,
    probes: taken(keepAlive.cnt, MAX_TCP_KEEPCNT) ? keepAlive.cnt : TCP_KEEPALIVE_PROBES,
  };
}

/** Idle time after which keepalive fails a socket whose probes go unanswered: the last probe's interval is waited out too. */
export function keepAliveGiveUpUs(times: KeepAliveTimes): number {
  return times.timeUs + times.probes * times.intvlUs;
}

/** net.ipv4.tcp_retries2 (TCP_RETR2). */
export const TCP_RETRIES2 = 15;
/** TCP_RTO_MAX: the backed-off RTO's ceiling, 120 s. */
export const TCP_RTO_MAX_US = 120_000_000;

/**
 * tcp_model_timeout(sk, boundary, rto_base): how long `boundary` retransmissions take from an RTO of
 * `rtoBaseUs`, doubling up to TCP_RTO_MAX: exponential up to linear_backoff_thresh = ilog2(TCP_RTO_MAX
 * / rto_base) retransmissions, then TCP_RTO_MAX each. For tcp_retries2 = 15 and TCP_RTO_MIN (200 ms):
 * the threshold is ilog2(600) = 9, so (2^10 - 1) × 0.2 s + (15 - 9) × 120 s = 924.6 s.
 */
export function modelTimeoutUs(boundary: number, rtoBaseUs: number): number {
  const linearBackoffThresh = Math.floor(Math.log2(TCP_RTO_MAX_US / rtoBaseUs));
  if (boundary <= linearBackoffThresh) return ((2 << boundary) - 1) * rtoBaseUs;
  return ((2 << linearBackoffThresh) - 1) * rtoBaseUs + (boundary - linearBackoffThresh) * TCP_RTO_MAX_US;
}

/** What retransmits_timed_out() compares with for an established socket (timeout 0: the modelled one). */
export const RETRANSMIT_GIVE_UP_US = modelTimeoutUs(TCP_RETRIES2, TCP_RTO_MIN_US);

/**
 * When the retransmission timer fails the socket: it first fires at `firstFireUs` (the RTO after the
 * timer was last armed), then after the RTO doubled each time up to TCP_RTO_MAX; at a firing after
 * at least one retransmission (icsk_retransmits > 0), it gives up once `RETRANSMIT_GIVE_UP_US` have
 * passed since the head segment was sent (`headSentUs`, retrans_stamp). Bounded: the RTO reaches
 * TCP_RTO_MAX within ilog2(TCP_RTO_MAX / rto) + 1 firings, and then each firing adds 120 s.
 */
export function retransmitGiveUpAtUs(firstFireUs: number, rtoUs: number, headSentUs: number): number {
  let fireUs = firstFireUs;
  let rto = rtoUs;
  let retransmits = 0;
  for (;;) {
    if (retransmits > 0 && fireUs - headSentUs >= RETRANSMIT_GIVE_UP_US) return fireUs;
    retransmits++;
    rto = Math.min(rto * 2, TCP_RTO_MAX_US);
    fireUs += rto;
  }
}

/** keepAliveGiveUpUs() with the sysctls: 7875 s. */
export const KEEPALIVE_GIVE_UP_US = keepAliveGiveUpUs(SYSCTL_KEEPALIVE);
