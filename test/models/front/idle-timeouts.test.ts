/* idle-timeouts - a client that vanishes before logging in is let go by every front, as by the real daemons; a relay is not
 *
 * The client hop black-holes from its first byte (fault `timeout`): the client gives up after its
 * own 30 s, its FIN never arrives, and only the front's own deadline can end the session.
 * Dovecot: CLIENT_LOGIN_TIMEOUT_MSECS (3 min), client_idle_disconnect_timeout(). nginx: the mail
 * `timeout` (60 s) on the client read, ngx_mail_smtp_auth_state(): "client timed out".
 */
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../../scenarios/index.ts';
import { runScenario } from '../../../scenarios/run.ts';
import { hangs } from '../../../properties/verdicts.ts';
import type { TraceEvent } from '../../../sim/trace.ts';

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
    expect(report.front.log).toContainEqual('nginx: [info] client timed out (110: Connection timed out) while in auth state');
    expect(report.endedAtUs).toBeGreaterThanOrEqual(60_000_000);
    expect(report.endedAtUs).toBeLessThan(61_000_000);
  });
});

describe('both peers of a relaying Dovecot session silenced after the 235', () => {
  /** Payload bytes written on `conn` up to `until`: what a black hole placed right after them lets through. */
  function bytesThrough(trace: readonly TraceEvent[], conn: string, until: number): number {
    return trace.filter((e) => e.kind === 'write' && e.conn === conn && e.t <= until).reduce((sum, e) => sum + (e.len as number), 0);
  }

  it('holds both connections with no deadline, as login_proxy_detach() leaves them; the hang is excused with its reason, Postfix times out its side', () => {
    const scenario = loadScenario({ scenario: 'lockstep', sets: [] });
    const clean = runScenario(scenario, { seed: 1, trace: true });
    const loggedIn = clean.trace!.find((e) => e.kind === 'write' && e.conn === 'c1' && String(e.data).startsWith('235 '))!.t;
    const faults = {
      client: [{ name: 'timeout' as const, afterBytes: bytesThrough(clean.trace!, 'c1', loggedIn) }],
      backend: [{ name: 'timeout' as const, afterBytes: bytesThrough(clean.trace!, 'c3', loggedIn) }],
    };
    const report = runScenario(scenario, { seed: 1, faults });
    expect(report.client.authReply).toMatch(/^235 /);
    expect(report.heldAtEnd.map((held) => [held.node, held.label])).toEqual([['front', 'c1'], ['front', 'c3']]);
    for (const held of report.heldAtEnd) expect(held.realProgramWaits).toMatch(/^Dovecot relays a proxied session with no timeout of its own/);
    expect(hangs(report)).toEqual([]);
    expect(report.postfix.log).toContainEqual(expect.stringMatching(/^postfix\/smtpd: timeout after /));
  });
});
