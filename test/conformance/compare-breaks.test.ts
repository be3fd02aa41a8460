/* compare-breaks - the comparison of racy cases fails a lab that is broken where the race lives
 *
 * Judged against the recorded calibration batches (records/calibration, ≥ 148 backend
 * connections each), with the scheduling their own captures show (calibration/fit.ts):
 *   - the calibrated lab loses the race at a rate inside the real batch's interval;
 *   - with quick-ACK switched off in sim/tcp (every ACK that is not piggybacked waits for the
 *     delayed-ACK timer), the EHLO always waits for Postfix's answer: no race is lost;
 *   - with Dovecot never pipelining (its EHLO only after the XCLIENT reply, as lock-step),
 *     there is nothing to find: no race is lost.
 * Each break must make the lost-race and outcome tests fail; the seed is the suite's (1).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { conformanceCases, type ConformanceCase } from '../../conformance/cases.ts';
import { compareCase } from '../../conformance/compare.ts';
import { runInLab } from '../../conformance/lab.ts';
import { RECORDS_DIR } from '../../conformance/records-dir.ts';
import { recordedOutcome } from '../../conformance/recorded.ts';
import { wilson } from '../../conformance/stats.ts';
import { SEQUENCING } from '../../models/front/submission-proxy.ts';
import { TcpConnection } from '../../sim/tcp/connection.ts';

const racyBatches = conformanceCases(RECORDS_DIR, { trials: 20, racyRepeat: 6 }).filter((c) => c.source === 'calibration' && c.racy);
const SEED = 1;

async function verdictOf(c: ConformanceCase) {
  return compareCase(c, recordedOutcome(RECORDS_DIR, c)!, await runInLab(c, SEED));
}

function lossRate(side: { backendConnections: number; smtpdLog: readonly string[] }): number {
  return side.smtpdLog.filter((l) => l.includes('improper command pipelining')).length / side.backendConnections;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('racy calibration batches', () => {
  it('each racy mode has a batch of at least 100 backend connections', () => {
    for (const mode of ['quickack', 'pp3']) {
      const sizes = racyBatches.filter((c) => c.setting.tcpMode === mode).map((c) => recordedOutcome(RECORDS_DIR, c)!.backendConnections);
      expect(Math.max(0, ...sizes), mode).toBeGreaterThanOrEqual(100);
    }
  });

  it.each(racyBatches.map((c) => [c.name, c] as const))('%s: the calibrated lab loses the race at a rate inside the real 95 %% interval', async (_name, c) => {
    const real = recordedOutcome(RECORDS_DIR, c)!;
    const lab = await runInLab(c, SEED);
    const lost = real.smtpdLog.filter((l) => l.includes('improper command pipelining')).length;
    const [low, high] = wilson(lost, real.backendConnections);
    expect(lossRate(lab), `seed ${SEED}`).toBeGreaterThanOrEqual(low);
    expect(lossRate(lab), `seed ${SEED}`).toBeLessThanOrEqual(high);
    expect(compareCase(c, real, lab).problems.filter((p) => /lost races|accounting/.test(p)), `seed ${SEED}`).toEqual([]);
  });

  it.each(racyBatches.map((c) => [c.name, c] as const))('%s: quick-ACK switched off in sim/tcp fails the comparison', async (_name, c) => {
    // __tcp_ack_snd_check without its quick branch: only an ACK the caller demands now leaves at once.
    vi.spyOn(TcpConnection.prototype as unknown as { ackSendCheck: (end: unknown, now: boolean) => void }, 'ackSendCheck').mockImplementation(function (
      this: { profile: { pingpongThresh: number }; sendPureAck(end: unknown, why: string): void; sendDelayedAck(end: unknown, interactive: boolean): void },
      end: unknown, now: boolean,
    ) {
      const e = end as { ackScheduled: boolean; dead: boolean; pingpong: number };
      if (!e.ackScheduled || e.dead) return;
      if (now) this.sendPureAck(end, 'quick');
      else this.sendDelayedAck(end, e.pingpong >= this.profile.pingpongThresh);
    });
    const verdict = await verdictOf(c);
    expect(verdict.match).toBe(false);
    expect(verdict.problems[0], `seed ${SEED}`).toMatch(/^lost races per backend connection: real \d+\/\d+ = \d+ % \[\d+–\d+ %\], lab 0\/\d+ = 0 %/);
  });

  it.each(racyBatches.map((c) => [c.name, c] as const))('%s: Dovecot never pipelining fails the comparison', async (_name, c) => {
    // The front registry holds this very policy object (models/front/registry.ts), so it is
    // switched in place: replacing the table's entry would leave the running model untouched.
    const policy = SEQUENCING['dovecot-2.3'] as { pipelineEhloAfterXclient: boolean };
    policy.pipelineEhloAfterXclient = false;
    try {
      const verdict = await verdictOf(c);
      expect(verdict.match).toBe(false);
      expect(verdict.problems[0], `seed ${SEED}`).toMatch(/^lost races per backend connection: .* lab 0\/\d+ = 0 %/);
    } finally {
      policy.pipelineEhloAfterXclient = true;
    }
  });
});
