/* profiles - the named TCP behaviours of the real-stack runs, in one table
 *
 * Each row is one TCP mode of the recorded real-stack runs (conformance/records/README.md):
 *   linux-default  kernel defaults, net.ipv4.tcp_pingpong_thresh=1
 *   pingpong3      tcp_pingpong_thresh=3 (upstream 4a41f453bede .. reverted by 4d8f24eeedc5)
 *   quickack       loopback route with `quickack 1` (RTAX_QUICKACK: tcp_in_quickack_mode is always true)
 *   nodelay        both ends set TCP_NODELAY (Nagle off)
 * Constants from the kernel: TCP_ATO_MIN and TCP_DELACK_MIN are HZ/25 = 40 ms,
 * TCP_DELACK_MAX HZ/5 = 200 ms, TCP_RTO_MIN 200 ms, TCP_MAX_QUICKACKS 16
 * (include/net/tcp.h). The loopback MSS is 65536 (lo MTU) - 40 (IP+TCP) - 12
 * (timestamps) = 65483.
 */
import { SimConfigError } from '../errors.ts';

export type TcpProfileName = 'linux-default' | 'pingpong3' | 'quickack' | 'nodelay';

export interface TcpProfile {
  readonly name: TcpProfileName;
  /** net.ipv4.tcp_pingpong_thresh: sends-within-ato needed to enter interactive (delayed-ACK) mode. */
  readonly pingpongThresh: number;
  /** Route metric RTAX_QUICKACK: ACK every segment at once. */
  readonly quickackRoute: boolean;
  /** TCP_NODELAY forced on both ends regardless of what the model asked. */
  readonly forceNoDelay: boolean;
}

export const TCP_PROFILES: Readonly<Record<TcpProfileName, TcpProfile>> = {
  'linux-default': { name: 'linux-default', pingpongThresh: 1, quickackRoute: false, forceNoDelay: false },
  pingpong3: { name: 'pingpong3', pingpongThresh: 3, quickackRoute: false, forceNoDelay: false },
  quickack: { name: 'quickack', pingpongThresh: 1, quickackRoute: true, forceNoDelay: false },
  nodelay: { name: 'nodelay', pingpongThresh: 1, quickackRoute: false, forceNoDelay: true },
};

/** Kernel timing constants (include/net/tcp.h), in µs. */
export const TCP_ATO_MIN_US = 40_000;
export const TCP_DELACK_MIN_US = 40_000;
export const TCP_DELACK_MAX_US = 200_000;
export const TCP_RTO_MIN_US = 200_000;
export const TCP_MAX_QUICKACKS = 16;
/** TCP_MSS_DEFAULT: initial icsk_ack.rcv_mss guess (tcp_initialize_rcv_mss). */
export const TCP_MSS_DEFAULT = 536;
export const LOOPBACK_MSS = 65483;
/**
 * One-way loopback step. The captures show ~8-12 µs between a segment and the
 * peer kernel's immediate answer (SYN -> SYN-ACK -> ACK; data -> quick ACK).
 */
export const LOOPBACK_ONE_WAY_US = 10;
/**
 * The delayed-ACK timer fired 40.6-43.4 ms after the segment in the recorded E1
 * run (4 attempts): TCP_DELACK_MIN plus jiffy rounding (Debian's HZ=250 is 4 ms)
 * and timer slack. Modelled as a seeded uniform extra in [0, 4000) µs.
 */
export const DELACK_SLACK_US = 4_000;

export function tcpProfile(name: string): TcpProfile {
  const profile = (TCP_PROFILES as Record<string, TcpProfile | undefined>)[name];
  if (!profile) throw new SimConfigError(`unknown TCP profile '${name}'; allowed: ${Object.keys(TCP_PROFILES).join(', ')}`);
  return profile;
}
