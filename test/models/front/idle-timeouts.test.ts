/* idle-timeouts - a client that vanishes before logging in is let go by every front, as by the real daemons; a relay only by the kernel
 *
 * The client hop black-holes from its first byte (fault `timeout`): the client gives up after its
 * own 30 s, its FIN never arrives, and only the front's own deadline can end the session.
 * Dovecot: CLIENT_LOGIN_TIMEOUT_MSECS (3 min), client_idle_disconnect_timeout(). nginx: the mail
 * `timeout` (60 s) on the client read, ngx_mail_smtp_auth_state(): "client timed out".
 */
import { describe, expect, it, vi } from 'vitest';
import type { LabCase } from '../../../properties/lab-case.ts';
import type { LinkFaults } from '../../../scenarios/run.ts';
import { busyPastBound, hangs, kernelEndsText, LIVENESS_BOUND_US, liveness } from '../../../properties/verdicts.ts';
import { loadScenario } from '../../../scenarios/index.ts';
import { runScenario } from '../../../scenarios/run.ts';
import { KEEPALIVE_GIVE_UP_US, RETRANSMIT_GIVE_UP_US } from '../../../sim/tcp/kernel-timers.ts';
import type { TraceEvent } from '../../../sim/trace.ts';
import { withoutKeepalive } from '../../sim/without-keepalive.ts';

/** liveness() reads only the report. */
const NO_CASE = undefined as unknown as LabCase;

const vanishingClient = { client: [{ name: 'timeout' as const, afterBytes: 0 }] };

function run(sets: string[]) {
  return runScenario(loadScenario({ scenario: 'mailu-2024.06', sets }), { seed: 1, faults: vanishingClient });
}

describe('a client that vanishes before logging in', () => {
  it('Dovecot 2.3 disconnects it after 3 minutes, as client_idle_disconnect_timeout() logs it', () => {
    const report = run([]);
    expect(report.heldAtEnd).toEqual([]);
    expect(report.front.log).toContainEqual(expect.stringMatching(/^submission-login: Info: Disconnected: Inactivity \(no auth attempts in 18\d secs\): user=<>, rip=/));
    expect(report.endedAtUs).toBeGreaterThanOrEqual(180_000_000);
  });

  it('nginx closes it after its mail `timeout` (60 s): "client timed out"', () => {
    const report = run(['front.model=nginx']);
    expect(report.heldAtEnd).toEqual([]);
    expect(report.front.log).toContainEqual('nginx: [info] client timed out (110: Connection timed out) while in auth state, client: 203.0.113.25, server: 192.168.203.2:587');
    expect(report.endedAtUs).toBeGreaterThanOrEqual(60_000_000);
    expect(report.endedAtUs).toBeLessThan(61_000_000);
  });

  it('nginx with listen ... so_keepalive=5:1:2: the kernel ends a client silent after the banner first, 7 s after it was last heard, before nginx\'s own timeout, and liveness takes it as the end it is', () => {
    // the client thinks 5 s before its EHLO and its link is cut at 1 s: nginx's banner was ACKed, nothing is in flight
    const scenario = loadScenario({ scenario: 'mailu-2024.06', sets: ['front.model=nginx', 'front.so_keepalive=5:1:2', 'client.think_time_us=5000000'] });
    const report = runScenario(scenario, { seed: 1, faults: { client: [{ name: 'timeout', atUs: 1_000_000 }] } });
    expect(report.kernelEnded).toMatchObject([{ node: 'front', timer: 'keepalive', realProgramWaits: null }]);
    const end = report.kernelEnded[0]!;
    expect(end.atUs - end.quietSinceUs).toBe(7_000_000);
    expect(report.front.log).not.toContainEqual(expect.stringMatching(/client timed out/));
    expect(liveness(NO_CASE, report)).toBeNull();
  });
});

/** Payload bytes written on `conn` up to `until`: what a black hole placed right after them lets through. */
function bytesThrough(trace: readonly TraceEvent[], conn: string, until: number): number {
  return trace.filter((e) => e.kind === 'write' && e.conn === conn && e.t <= until).reduce((sum, e) => sum + (e.len as number), 0);
}

/**
 * The lock-step front (Dovecot's relay), or `front` (a scenario's sets), with both hops black-holed
 * after the 235, or after the front's reply that starts with `after`. `idle`: the client thinks 1 s
 * before its next command and both hops go silent 0.5 s after that reply, when every byte the front
 * sent has been ACKed; otherwise they go silent at the client's next command, whose segment carried
 * the ACK of the front's last reply. `withoutKeepalive`: a Dovecot that never sets SO_KEEPALIVE.
 * The faults are returned with the report: they are the case liveness() judges.
 */
function silencedRelay(options: { idle: boolean; withoutKeepalive?: boolean; front?: { scenario: string; sets: string[] }; after?: string }) {
  const front = options.front ?? { scenario: 'lockstep', sets: [] };
  const scenario = loadScenario({ scenario: front.scenario, sets: [...front.sets, ...(options.idle ? ['client.think_time_us=1000000'] : [])] });
  const clean = runScenario(scenario, { seed: 1, trace: true });
  const loggedIn = clean.trace!.find((e) => e.kind === 'write' && e.conn === 'c1' && e.from !== 'client' && String(e.data).startsWith(options.after ?? '235 '))!.t;
  const openedAt = (conn: string) => clean.trace!.find((e) => e.kind === 'connect' && e.conn === conn)!.t;
  const silence = (conn: string) => (options.idle ? { atUs: loggedIn + 500_000 - openedAt(conn) } : { afterBytes: bytesThrough(clean.trace!, conn, loggedIn) });
  const faults = { client: [{ name: 'timeout' as const, ...silence('c1') }], backend: [{ name: 'timeout' as const, ...silence('c3') }] };
  if (options.withoutKeepalive) withoutKeepalive('front');
  try {
    return Object.assign(runScenario(scenario, { seed: 1, faults }), { faults });
  } finally {
    vi.restoreAllMocks();
  }
}

describe('both peers of a relaying Dovecot session silenced after the 235', () => {
  it('Dovecot has no deadline of its own there (login_proxy_detach()); its SO_KEEPALIVE ends an idle relay 7875 s after the peer was last heard, and liveness holds with that bound', () => {
    const report = silencedRelay({ idle: true });
    expect(report.client.authReply).toMatch(/^235 /);
    expect(report.postfix.log).toContainEqual(expect.stringMatching(/^postfix\/smtpd: timeout after /));
    expect(report.heldAtEnd).toEqual([]);
    expect(report.kernelEnded).toHaveLength(1);
    const end = report.kernelEnded[0]!;
    expect(end).toMatchObject({ node: 'front', timer: 'keepalive' });
    expect(end.atUs - end.quietSinceUs).toBe(KEEPALIVE_GIVE_UP_US);
    // the daemons' last work before it: Postfix's smtpd_timeout, 300 s after the client's last command
    expect(end.lastTimerFiredUs).toBeGreaterThan(300_000_000);
    expect(end.lastTimerFiredUs).toBeLessThan(LIVENESS_BOUND_US);
    // login_proxy_free_errstr() with the failed read of the side the kernel ended
    const side = end.label === 'c1' ? 'client: read\\(size=\\d+\\)' : 'server: read\\(size=\\d+\\)';
    expect(report.front.log.at(-1)).toMatch(new RegExp(`Disconnected by ${side} failed: Connection timed out \\(\\d+s idle, in=\\d+, out=\\d+\\)`));
    expect(liveness(NO_CASE, report)).toBeNull();
    expect(busyPastBound(report)).toBeNull();
    expect(busyPastBound({ ...report, endedAtUs: end.atUs + 331_000_000 })).toEqual({ atUs: end.atUs + 331_000_000, boundUs: end.atUs + 330_000_000 });
    // a daemon's own timer more than the bound after the start, or after an earlier kernel end, is busy past it
    expect(busyPastBound({ ...report, kernelEnded: [{ ...end, lastTimerFiredUs: 331_000_000 }] })).toEqual({ atUs: 331_000_000, boundUs: 330_000_000 });
    expect(busyPastBound({ ...report, kernelEnded: [{ ...end, atUs: 1_000_000_000 }, { ...end, lastTimerFiredUs: 1_331_000_000 }] })).toEqual({ atUs: 1_331_000_000, boundUs: 1_330_000_000 });
    expect(end.realProgramWaits).toMatch(/^Dovecot relays a proxied session with no timeout of its own/);
    expect(kernelEndsText(report)).toMatch(/^front's c\d by keepalive at \d+\.\d s, 7875\.0 s after its peer was last heard$/);
  });

  it('with the ACK of its last reply lost at the cut, the retransmission timeout ends it first, ~925 s after that reply was sent', () => {
    const report = silencedRelay({ idle: false });
    expect(report.heldAtEnd).toEqual([]);
    expect(report.kernelEnded).toMatchObject([{ node: 'front', label: 'c1', timer: 'retransmit' }]);
    const end = report.kernelEnded[0]!;
    expect(end.atUs - end.quietSinceUs).toBeGreaterThanOrEqual(RETRANSMIT_GIVE_UP_US);
    expect(end.atUs - end.quietSinceUs).toBeLessThan(RETRANSMIT_GIVE_UP_US + 1_000_000);
    expect(report.front.log.at(-1)).toMatch(/Disconnected by client: read\(size=\d+\) failed: Connection timed out \(925s idle/);
    expect(liveness(NO_CASE, report)).toBeNull();
  });

  it('without SO_KEEPALIVE the idle relay is held for ever, and liveness fails: nothing excuses it any more', () => {
    const report = silencedRelay({ idle: true, withoutKeepalive: true });
    expect(report.kernelEnded).toEqual([]);
    expect(report.heldAtEnd.map((held) => [held.node, held.label, held.realProgramWaits])).toEqual([['front', 'c1', null], ['front', 'c3', null]]);
    expect(hangs(report)).toHaveLength(2);
    expect(liveness(NO_CASE, report)).toMatch(/^deadlock: nothing was left to happen at [\d.]+ s but front still holds c1.*; front still holds c3/);
  });
});

describe('both peers of a relaying nginx session silenced after the 235: proxy_timeout (ngx_mail_proxy_handler())', () => {
  const TIMED_OUT = 'nginx: [info] client timed out (110: Connection timed out) while proxying, client: 203.0.113.25, server: 192.168.203.2:587, login: "alice@example.test", upstream: 192.168.203.4:10025';
  const nginx = (sets: string[] = []) => ({ scenario: 'mailu-2024.06', sets: ['front.model=nginx', ...sets] });
  const caseOf = (faults: LinkFaults) => ({ faults }) as LabCase;

  it('a proxy_timeout of 10s ends the idle relay 10 s after the client was last heard, with its line, and liveness holds', () => {
    const report = silencedRelay({ idle: true, front: nginx(['front.proxy_timeout=10s']) });
    expect(report.client.authReply).toMatch(/^235 /);
    expect(report.front.log.at(-1)).toBe(TIMED_OUT);
    expect(report.heldAtEnd).toEqual([]);
    expect(report.kernelEnded).toEqual([]);
    const [end] = report.idleDeadlineEnded;
    expect(end).toMatchObject({ node: 'front', setting: 'proxy_timeout' });
    expect(end!.atUs - end!.quietSinceUs).toBe(10_000_000);
    expect(liveness(caseOf(report.faults), report)).toBeNull();
    // within the bound it needs no excuse: an end is an end, whatever the faults
    expect(liveness(caseOf({ client: report.faults.client }), report)).toBeNull();
  });

  it("nginx's default 24 h holds it a day, as the real one does: liveness takes that end as an end where black holes cut both hops, and fails it anywhere else", () => {
    const report = silencedRelay({ idle: true, front: nginx() });
    expect(report.front.log.at(-1)).toBe(TIMED_OUT);
    const [end] = report.idleDeadlineEnded;
    expect(end!.atUs - end!.quietSinceUs).toBe(86_400_000_000);
    expect(report.endedAtUs).toBeGreaterThan(86_400_000_000);
    expect(liveness(caseOf(report.faults), report)).toBeNull();
    expect(busyPastBound(report)).not.toBeNull();
    expect(busyPastBound(report, [end!])).toBeNull();
    // the chain busy past the bound before the relay fell quiet is still caught
    expect(busyPastBound(report, [{ ...end!, quietSinceUs: 331_000_000 }])).toEqual({ atUs: 331_000_000, boundUs: 330_000_000 });
    // a peer's end could reach nginx over an unbroken hop: the real nginx closes the relay then, so a day-long relay is a hang
    const resets = [{ name: 'reset_peer' as const, afterBytes: 0 }];
    for (const faults of [{ client: report.faults.client }, { backend: report.faults.backend }, { client: resets, backend: resets }]) {
      expect(liveness(caseOf(faults), report)).toMatch(/^front ended a relay by its proxy_timeout at 864\d\d\.\d s, 86400\.0 s after the client was last heard, although no black hole on both of its hops/);
    }
  });

  it('a daemon timer that fires past the bound while the relay is quiet is busy past it: Postfix with smtpd_timeout=3600 behind the day-long relay', () => {
    const report = silencedRelay({ idle: true, front: nginx(['postfix.smtpd_timeout=3600']) });
    expect(report.postfix.log).toContainEqual(expect.stringMatching(/^postfix\/smtpd: timeout after EHLO from /));
    const [end] = report.idleDeadlineEnded;
    expect(end!.atUs - end!.quietSinceUs).toBe(86_400_000_000);
    expect(end!.lastTimerFiredUs).toBeGreaterThan(3_600_000_000);
    expect(liveness(caseOf(report.faults), report)).toMatch(/^the chain was still busy at 3602\.\d{3} s \(bound 330 s\); the client had left at 33\.\d{3} s$/);
    // the same chain with Postfix's default 300 s: its timeout fired within the bound, and the day-long end is news
    const timely = silencedRelay({ idle: true, front: nginx() });
    expect(timely.idleDeadlineEnded[0]!.lastTimerFiredUs).toBeLessThan(LIVENESS_BOUND_US);
    expect(liveness(caseOf(timely.faults), timely)).toBeNull();
  });

  it("the relay's own proxy_timeout, set again from the client's last event when it comes due, is one deadline, not work past the bound", () => {
    // silenced after MAIL FROM's reply: the timer set at the relay's start fires a day later, finds the client's last event later, and is set again
    const report = silencedRelay({ idle: true, front: nginx(), after: '250 2.1.0 ' });
    const [end] = report.idleDeadlineEnded;
    expect(end!.atUs - end!.quietSinceUs).toBe(86_400_000_000);
    expect(end!.lastTimerFiredUs).toBeLessThan(LIVENESS_BOUND_US);
    expect(liveness(caseOf(report.faults), report)).toBeNull();
  });

  it("with the ACK of its last reply lost, the retransmission timeout ends it first: before nginx's own deadline, as on the real host", () => {
    const report = silencedRelay({ idle: false, front: nginx() });
    expect(report.kernelEnded).toMatchObject([{ node: 'front', label: 'c1', timer: 'retransmit' }]);
    expect(report.kernelEnded[0]!.realProgramWaits).toMatch(/^nginx relays with no deadline but proxy_timeout \(86400000 ms from the client's last event/);
    expect(report.idleDeadlineEnded).toEqual([]);
    expect(liveness(caseOf(report.faults), report)).toBeNull();
  });
});
