/* wall-clock-phase - a live wrong-password case runs the lab at the phase its capture shows (docs/conformance.md disagreement 2)
 *
 * Dovecot answers a failed AUTH 1.5 s after it when the failure falls in the second half of a
 * wall-clock second and 2.0 s otherwise (auth-request-handler.c, 2.3.19.1). The live run's
 * capture says where in its second the AUTH left (real-run.ts measure); the lab then starts its
 * run at the wall-clock phase that puts its own AUTH there (lab.ts), instead of drawing it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPcap } from '../../conformance/calibration/pcap.ts';
import { CALIBRATION_DIR, conformanceCases } from '../../conformance/cases.ts';
import type { SideOutcome } from '../../conformance/compare.ts';
import { runInLab } from '../../conformance/lab.ts';
import { measure } from '../../conformance/real-run.ts';
import { RECORDS_DIR } from '../../conformance/records-dir.ts';
import { Simulation } from '../../sim/simulation.ts';

const w1 = conformanceCases(RECORDS_DIR, { trials: 20, racyRepeat: 6 }).find((c) => c.name === 'W1-wrong-password')!;
const ports = { dovecot: 1587, postfix: 10025 };

function realWithAuthAt(authPhaseUs: number): SideOutcome {
  return { sessions: [], backendConnections: 0, smtpdLog: [], measured: { authPhaseUs } };
}

describe('W1: the wall-clock phase from the capture', () => {
  it('measure() reads where in its second the first AUTH left', () => {
    const pcap = readFileSync(join(RECORDS_DIR, CALIBRATION_DIR, 'default-b', 'capture.pcap'));
    const auth = readPcap(pcap).find((s) => s.dstPort === 1587 && s.data.startsWith('AUTH '))!;
    expect(measure(w1, pcap, ports).authPhaseUs).toBe(auth.tUs % 1_000_000);
    // a case whose time does not depend on the phase takes none
    expect(measure({ ...w1, realAuthTimeRangeMs: undefined }, pcap, ports).authPhaseUs).toBeUndefined();
  });

  it.each([[100_000, 2001], [400_000, 2001], [600_000, 1501], [900_000, 1501]])('AUTH %i µs into its second: the lab answers after %i ms, whatever the seed', async (phase, ms) => {
    for (const seed of [1, 2, 3, 4]) {
      const lab = await runInLab(w1, seed, realWithAuthAt(phase));
      expect(lab.sessions[0]!.authReply, `seed ${seed}`).toMatch(/^535 /);
      expect(lab.sessions[0]!.authToReplyMs, `seed ${seed}`).toBe(ms);
    }
  });

  it('a phase outside a second is refused with a clear error', () => {
    expect(() => new Simulation({ seed: 1, wallClockPhaseUs: 1_000_000 })).toThrow('wallClockPhaseUs must be an integer from 0 to 999999, got 1000000');
    expect(new Simulation({ seed: 1, wallClockPhaseUs: 999_999 }).wallClockPhaseUs()).toBe(999_999);
  });
});
