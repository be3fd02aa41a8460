/* tcp-keepalive-tunables - a socket's own TCP_KEEPIDLE / TCP_KEEPINTVL / TCP_KEEPCNT replace the sysctls
 *
 * torvalds/linux (read, not copied): keepalive_time_when(), keepalive_intvl_when() and
 * keepalive_probes() (include/net/tcp.h) read tp->keepalive_time/_intvl/_probes when the program set
 * them, else net.ipv4.tcp_keepalive_*; do_tcp_setsockopt() refuses a value below 1 or above
 * MAX_TCP_KEEPIDLE/MAX_TCP_KEEPINTVL (32767) or MAX_TCP_KEEPCNT (127) with EINVAL, leaving the sysctl.
 * Times as in tcp-kernel-timers.test.ts: the connector is established at 20 µs.
 */
import { describe, expect, it } from 'vitest';
import { KEEPALIVE_GIVE_UP_US, SYSCTL_KEEPALIVE, TCP_KEEPALIVE_INTVL_US, TCP_KEEPALIVE_TIME_US, keepAliveGiveUpUs, keepAliveTimes } from '../../sim/tcp/kernel-timers.ts';
import { TcpHarness } from './tcp-harness.ts';

const ESTABLISHED_US = 20;
const S = 1_000_000;

describe('keepAliveTimes: what setsockopt() leaves on the socket', () => {
  it('off, on with the sysctls, or each given tunable in place of its sysctl', () => {
    expect(keepAliveTimes(false)).toBeNull();
    expect(keepAliveTimes(true)).toBe(SYSCTL_KEEPALIVE);
    expect(keepAliveTimes({})).toEqual(SYSCTL_KEEPALIVE);
    expect(keepAliveTimes({ idleS: 30, intvlS: 10, cnt: 3 })).toEqual({ timeUs: 30 * S, intvlUs: 10 * S, probes: 3 });
    expect(keepAliveTimes({ intvlS: 10 })).toEqual({ timeUs: TCP_KEEPALIVE_TIME_US, intvlUs: 10 * S, probes: 9 });
  });

  it('a value Linux refuses with EINVAL leaves the sysctl: 0, above 32767 s, above 127 probes, fractions', () => {
    expect(keepAliveTimes({ idleS: 0, intvlS: 32768, cnt: 128 })).toEqual(SYSCTL_KEEPALIVE);
    expect(keepAliveTimes({ idleS: 1.5 })).toEqual(SYSCTL_KEEPALIVE);
    expect(keepAliveTimes({ idleS: 32767, intvlS: 1, cnt: 127 })).toEqual({ timeUs: 32767 * S, intvlUs: S, probes: 127 });
  });

  it('the give-up after idle + cnt × intvl; the sysctls give 7875 s', () => {
    expect(keepAliveGiveUpUs({ timeUs: 30 * S, intvlUs: 10 * S, probes: 3 })).toBe(60 * S);
    expect(KEEPALIVE_GIVE_UP_US).toBe(keepAliveGiveUpUs(SYSCTL_KEEPALIVE));
  });
});

describe('a silent peer on a socket with its own tunables', () => {
  it('the first probe after TCP_KEEPIDLE, TCP_KEEPCNT probes TCP_KEEPINTVL apart, then ETIMEDOUT', () => {
    const h = new TcpHarness();
    h.cli.setKeepAlive({ idleS: 30, intvlS: 10, cnt: 3 });
    h.establish();
    h.conn.link.blackhole();
    h.runUntil(3600 * S);
    const first = ESTABLISHED_US + 30 * S;
    expect(h.keepaliveProbes()).toEqual([first, first + 10 * S, first + 20 * S]);
    expect(h.timedOuts).toEqual([{ t: ESTABLISHED_US + 60 * S, side: 0, timer: 'keepalive', quietSinceUs: ESTABLISHED_US }]);
    expect(h.inputs.at(-1)?.input).toEqual({ kind: 'reset', conn: 'out', errno: 'ETIMEDOUT' });
  });

  it('only TCP_KEEPIDLE given: the sysctl interval and count after it', () => {
    const h = new TcpHarness();
    h.cli.setKeepAlive({ idleS: 60 });
    h.establish();
    h.conn.link.blackhole();
    h.runUntil(3600 * S);
    expect(h.keepaliveProbes()).toEqual(Array.from({ length: 9 }, (_, i) => ESTABLISHED_US + 60 * S + i * TCP_KEEPALIVE_INTVL_US));
    expect(h.timedOuts[0]?.t).toBe(ESTABLISHED_US + 60 * S + 9 * TCP_KEEPALIVE_INTVL_US);
  });

  it('setKeepAlive(false) after tunables: no keepalive at all', () => {
    const h = new TcpHarness();
    h.cli.setKeepAlive({ idleS: 5 });
    h.cli.setKeepAlive(false);
    h.establish();
    h.conn.link.blackhole();
    h.runUntil(3 * 3600 * S);
    expect(h.keepaliveProbes()).toEqual([]);
    expect(h.timedOuts).toEqual([]);
  });
});
