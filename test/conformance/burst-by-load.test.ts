/* burst-by-load - the run-queue burst's share of sessions fitted per load state of the race (calibration/burst-by-load.ts) */
import { describe, expect, it } from 'vitest';
import { fitBurstByLoad, type SessionEvidence } from '../../conformance/calibration/burst-by-load.ts';
import { fitSessionLoad } from '../../conformance/calibration/fit.ts';

/** `count` sessions with `raced` connections (false: the race lost) and 20 steps, `waits` of them waited. */
const sessions = (count: number, raced: readonly boolean[], waits: number): SessionEvidence[] =>
  Array.from({ length: count }, () => ({ raced, waited: [...Array(waits).fill(true), ...Array(20 - waits).fill(false)] }));

/** Every race lost: Dovecot's four connections, then 454 (the other state: won at once). */
const LOST = [false, false, false, false];

function fitOf(evidence: readonly SessionEvidence[]) {
  const load = fitSessionLoad(evidence.map((s) => s.raced))!;
  const bursts = fitSessionLoad(evidence.map((s) => s.waited.map((w) => !w)))!;
  return { load, bursts, byLoad: fitBurstByLoad(evidence, load, bursts) };
}

describe('fitBurstByLoad', () => {
  it('waits in the sessions that lost their races: the busy sessions are the ones in a burst', () => {
    // 30 sessions won at once without a wait; 20 lost every race, 10 of them waited in 8 of 20 steps
    const fit = fitOf([...sessions(30, [true], 0), ...sessions(10, LOST, 8), ...sessions(10, LOST, 0)]);
    expect(fit.load.busy).toBe(400);
    expect(fit.bursts.busy).toBe(200);
    expect(fit.byLoad).toEqual({ busy: 500, idle: 0 });
  });

  it('waits in the sessions that won at once: the idle ones', () => {
    const fit = fitOf([...sessions(15, [true], 8), ...sessions(15, [true], 0), ...sessions(20, LOST, 0)]);
    expect(fit.byLoad).toEqual({ busy: 0, idle: 500 });
  });

  it('waits spread over both alike: the same share in each', () => {
    const fit = fitOf([...sessions(10, [true], 8), ...sessions(20, [true], 0), ...sessions(10, LOST, 8), ...sessions(20, LOST, 0)]);
    expect(fit.byLoad.busy).toBe(fit.byLoad.idle);
    expect(fit.byLoad.busy).toBeGreaterThan(300);
    expect(fit.byLoad.busy).toBeLessThan(370);
  });

  it('a load state without sessions takes the other one\'s share', () => {
    const load = { busy: 0, busyPreempt: 0, idlePreempt: 500 };
    const bursts = { busy: 500, busyPreempt: 600, idlePreempt: 1000 };
    expect(fitBurstByLoad([...sessions(5, [true, false], 8), ...sessions(5, [true, false], 0)], load, bursts)).toEqual({ busy: 500, idle: 500 });
  });
});
