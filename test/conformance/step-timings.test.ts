/* step-timings - the daemons' processing times fitted per batch from its capture's step medians (calibration/step-timings.ts) */
import { describe, expect, it } from 'vitest';
import { fittedSteps } from '../../conformance/calibration/step-compare.ts';
import { pooledStepTimings, STEP_TIMING_KEYS, type StepTimingValues } from '../../conformance/calibration/step-timings.ts';
import type { StepName } from '../../conformance/calibration/steps.ts';
import { conformanceCases, type ConformanceCase } from '../../conformance/cases.ts';
import { compareCase } from '../../conformance/compare.ts';
import { runInLab } from '../../conformance/lab.ts';
import { RECORDS_DIR } from '../../conformance/records-dir.ts';
import { recordedOutcome } from '../../conformance/recorded.ts';
import { median } from '../../conformance/stats.ts';

const SEED = 1;
const racyBatches = conformanceCases(RECORDS_DIR, { trials: 20, racyRepeat: 6 }).filter((c) => c.source === 'calibration' && c.racy);
const quickackD = racyBatches.find((c) => c.name === 'C-quickack-d')!;
const real = recordedOutcome(RECORDS_DIR, quickackD)!;
const realMedian = (step: StepName) => median(real.steps!.get(step) ?? [])!;

async function problemsWith(c: ConformanceCase, values: Partial<StepTimingValues>): Promise<readonly string[]> {
  const changed = { ...c, labValues: { ...c.labValues, ...values } };
  return compareCase(c, real, await runInLab(changed, SEED, real)).problems;
}

describe('the processing times fitted from each batch\'s step medians', () => {
  it('C-quickack-d: Dovecot 263 µs per client command, 89 µs from the banner to EHLO, 13 µs from the EHLO reply to XCLIENT; smtpd 429 µs to a reused banner, 27 µs per EHLO; the passdb 29 µs', () => {
    const v = quickackD.labValues!;
    expect([v['front.command_reply_delay_us'], v['front.banner_reaction_us'], v['front.ehlo_reaction_us'], v['postfix.banner_reuse_delay_us'], v['postfix.ehlo_delay_us'], v['auth.latency_ms']])
      .toEqual([263, 89, 13, 429, 27, 0.029]);
  });

  it('gives every fitted step\'s real median in every racy batch (within ×1.5)', async () => {
    for (const c of racyBatches) {
      const r = recordedOutcome(RECORDS_DIR, c)!;
      const lab = await runInLab(c, SEED, r);
      expect(fittedSteps(r.steps!, lab.steps!).filter((f) => f.problem !== null), c.name).toEqual([]);
    }
  });

  // each step twice and half as long as the real one, by moving its key by the real median (or half of it)
  it.each(Object.entries(STEP_TIMING_KEYS))('%s off by 2× (its step %s): the comparison fails', async (key, step) => {
    const fitted = quickackD.labValues![key as keyof StepTimingValues] as number;
    const longer = await problemsWith(quickackD, { [key]: fitted + Math.round(realMedian(step)) });
    expect(longer.find((p) => p.startsWith(`${step} (median)`)), longer.join('; ')).toMatch(new RegExp(`^${step} \\(median\\): real \\d+ µs, lab \\d+ µs; without the waited steps real \\d+ µs, lab \\d+ µs \\(allowed: within ×1.5, one or the other; the lab's part of it and ${key} are fitted`));
    const halved = fitted - Math.round(realMedian(step) / 2);
    if (halved >= 0) expect((await problemsWith(quickackD, { [key]: halved })).some((p) => p.startsWith(`${step} (median)`))).toBe(true);
  });

  it('auth.latency_ms off by 2× (AUTH→SYN twice the real one): the comparison fails', async () => {
    const problems = await problemsWith(quickackD, { 'auth.latency_ms': quickackD.labValues!['auth.latency_ms']! + realMedian('auth AUTH→SYN') / 1000 });
    expect(problems.some((p) => p.startsWith('auth AUTH→SYN (median)'))).toBe(true);
  });

  it('a calibration file takes each processing time\'s median over the batches\' fits', () => {
    expect(pooledStepTimings([{ 'postfix.ehlo_delay_us': 20, 'auth.latency_ms': 0.0134 }, { 'postfix.ehlo_delay_us': 31 }, { 'postfix.ehlo_delay_us': 25, 'auth.latency_ms': 0.02 }]))
      .toEqual({ 'postfix.ehlo_delay_us': 25, 'auth.latency_ms': 0.017 });
  });
});
