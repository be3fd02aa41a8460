/* real-stack-sessions - the bench's sessions on the real Postfix and Dovecot, the lab's counterparts, and the ratio rows built from them */
import { describe, expect, it } from 'vitest';
import { realStackSessions } from '../../bench/real-stack-sessions.ts';
import { LAB_PATH, realStackRatio, realStackRow, realStackText } from '../../cli/bench-real-stack.ts';
import { loadScenario } from '../../scenarios/index.ts';
import { runScenario } from '../../scenarios/run.ts';
import { realStackSkipReason } from '../conformance/real-stack-env.ts';

describe.skipIf(realStackSkipReason !== null)('the bench sessions on the real stack', () => {
  it('delivered: queues every message through Dovecot and Postfix and reads the daemons\' CPU', async () => {
    const figures = await realStackSessions(3, 'delivered');
    expect(figures.wallMs).toHaveLength(3);
    for (const ms of figures.wallMs) expect(ms).toBeGreaterThan(0.5);
    // Dovecot's login and auth processes and Postfix's smtpd and cleanup run for every session.
    expect(figures.daemonCpuMsPerSession).toBeGreaterThan(0);
  }, 60_000);

  it('refused: every session gets Dovecot\'s 454 after its reconnects, which take the real stack seconds', async () => {
    const figures = await realStackSessions(1, 'refused');
    expect(figures.wallMs).toHaveLength(1);
    // login_proxy_max_reconnects (3) attempts after the first, with Dovecot's waits between them.
    expect(figures.wallMs[0]).toBeGreaterThan(1000);
  }, 120_000);
});

describe('the lab\'s side of each path', () => {
  // The ratio is only a like-for-like figure if the lab's session ends as the real one must.
  it.each([['delivered', /^235 /], ['refused', /^454 4\.7\.0 /]] as const)('%s: the lab\'s session ends as the real one must', (path, reply) => {
    const scenario = loadScenario({ scenario: LAB_PATH[path].scenario, sets: [...LAB_PATH[path].sets] });
    for (let seed = 0; seed < 20; seed++) expect(runScenario(scenario, { seed }).client.authReply, `seed ${seed}`).toMatch(reply);
  });
});

describe('the ratio rows', () => {
  const measured = { path: 'delivered', measured: true, versions: 'Postfix 3.7.11, Dovecot 2.3.19.1', labUsPerSession: 100, realWallMs: [9, 12, 30], realCpuMsPerSession: 5 } as const;

  it('divides the real session\'s median wall time and CPU by the lab\'s CPU per session', () => {
    expect(realStackText(measured)).toBe(
      "real stack, delivered (Postfix 3.7.11, Dovecot 2.3.19.1, 3 sessions one at a time): median 12.0 ms wall and 5.0 ms of the daemons' CPU per session, "
        + "against the lab's 100 µs of CPU: 120× (wall) and 50× (CPU)",
    );
    expect(realStackRow(measured)).toMatch(/^\| the lab's session against the real stack's, delivered \(AUTH.*\) \| ≥ 2,000× \| \(Postfix 3\.7\.11.*: 120× \(wall\) and 50× \(CPU\) \|$/);
  });

  it('holds the goal against the delivered session only: the refused one is shown beside it', () => {
    expect(realStackRow({ ...measured, path: 'refused', realWallMs: [4000] })).toMatch(/^\| the lab's session against the real stack's, refused \(the bug: .*\) \| {2}\| \(Postfix.*: 40,000× \(wall\) and 50× \(CPU\) \|$/);
  });

  it('says why when it measured nothing', async () => {
    expect(await realStackRatio('refused', 7000, 0)).toEqual({ path: 'refused', measured: false, why: 'not measured by --quick' });
    expect(realStackRow({ path: 'delivered', measured: false, why: 'real stack not available: not root' })).toMatch(/\| ≥ 2,000× \| real stack not available: not root \|$/);
  });
});
