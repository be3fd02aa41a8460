/* real-stack-sessions - the bench's session on the real Postfix and Dovecot, and the ratio row built from it */
import { describe, expect, it } from 'vitest';
import { realStackSessions } from '../../bench/real-stack-sessions.ts';
import { realStackRatio, realStackRow, realStackText } from '../../cli/bench-real-stack.ts';
import { realStackSkipReason } from '../conformance/real-stack-env.ts';

describe.skipIf(realStackSkipReason !== null)('the bench session on the real stack', () => {
  it('queues every message through Dovecot and Postfix and reads the daemons\' CPU', async () => {
    const figures = await realStackSessions(3);
    expect(figures.wallMs).toHaveLength(3);
    for (const ms of figures.wallMs) expect(ms).toBeGreaterThan(0.5);
    // Dovecot's login and auth processes and Postfix's smtpd and cleanup run for every session.
    expect(figures.daemonCpuMsPerSession).toBeGreaterThan(0);
  }, 60_000);
});

describe('the ratio row', () => {
  const measured = { measured: true, versions: 'Postfix 3.7.11, Dovecot 2.3.19.1', labUsPerSession: 100, realWallMs: [9, 12, 30], realCpuMsPerSession: 5 } as const;

  it('divides the real session\'s median wall time and CPU by the lab\'s CPU per session', () => {
    expect(realStackText(measured)).toBe(
      "real stack (Postfix 3.7.11, Dovecot 2.3.19.1, 3 sessions one at a time): median 12.0 ms wall and 5.0 ms of the daemons' CPU per session, "
        + "against the lab's 100 µs of CPU: 120× (wall) and 50× (CPU)",
    );
    expect(realStackRow(measured)).toMatch(/^\| the lab's session against the real stack's .* \| ≥ 2,000× \| \(Postfix 3\.7\.11.*: 120× \(wall\) and 50× \(CPU\) \|$/);
  });

  it('says why when it measured nothing', async () => {
    expect(await realStackRatio(7000, 0)).toEqual({ measured: false, why: 'not measured by --quick' });
    expect(realStackRow({ measured: false, why: 'real stack not available: not root' })).toMatch(/\| ≥ 2,000× \| real stack not available: not root \|$/);
  });
});
