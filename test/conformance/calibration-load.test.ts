/* calibration-load - the two-state session load: what the captures show, how it is fitted, how the lab draws it
 *
 * calibration/fit.ts fitSessionLoad reads each session's sequence of backend connections
 * (answered first by Postfix or not) and fits busy / idle sessions by maximum likelihood;
 * sim/wakeup.ts draws one state per run (decision sessionUnderLoad).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { answeredFirst, fitScheduling, fitSessionLoad, readBatch } from '../../conformance/calibration/fit.ts';
import { CALIBRATION_DIR } from '../../conformance/cases.ts';
import { RECORDS_DIR } from '../../conformance/records-dir.ts';
import { loadScenario } from '../../scenarios/index.ts';
import { runScenario } from '../../scenarios/run.ts';

const dir = join(RECORDS_DIR, CALIBRATION_DIR);
const racyBatches = readdirSync(dir).filter((b) => /^(pp3|quickack)-/.test(b)).sort().map((b) => readBatch(join(dir, b)));

/** Sessions as Dovecot makes them: up to 4 connections, stopping at the first one answered first. */
function sessionsOf(wins: readonly boolean[]): boolean[][] {
  const sessions: boolean[][] = [];
  let current: boolean[] = [];
  for (const w of wins) {
    current.push(w);
    if (w || current.length === 4) {
      sessions.push(current);
      current = [];
    }
  }
  return sessions;
}

describe('session load in the recorded captures', () => {
  it.each(racyBatches.map((b) => [b.info.name, b] as const))('%s: Postfix ran first less often on reconnects than on first connections', (_name, b) => {
    const raced = b.sessions.map((s) => s.filter((c) => c.replyAfterXclientUs !== null).map(answeredFirst)).filter((s) => s.length > 0);
    const first = raced.filter((s) => s[0]).length / raced.length;
    const retries = raced.flatMap((s) => s.slice(1));
    const retry = retries.filter(Boolean).length / retries.length;
    expect(retry).toBeLessThan(first);
    const fit = fitScheduling([b]).values;
    expect(fit['sim.wakeup_busy_per_mille']).toBeGreaterThan(0);
    expect(fit['sim.wakeup_busy_preempt_per_mille']).toBeLessThan(fit['sim.wakeup_preempt_per_mille']);
  });

  it('groups every captured connection under a session, and no session goes on after a won race', () => {
    for (const b of racyBatches) {
      // quickack-c's capture lacks one session's packets (110 sessions run, 109 client SYNs and
      // 203 of Postfix's 205 connections captured); the others hold every session
      expect(b.sessions.length, b.info.name).toBeGreaterThanOrEqual(b.info.sessions - 1);
      expect(b.sessions.length, b.info.name).toBeLessThanOrEqual(b.info.sessions);
      expect(b.sessions.flat().length, b.info.name).toBe(b.connections.length);
      for (const s of b.sessions) expect(s.slice(0, -1).some(answeredFirst), b.info.name).toBe(false);
    }
  });
});

describe('fitSessionLoad', () => {
  it('is null without a session that raced twice (forbid=no makes one connection per session)', () => {
    expect(fitSessionLoad([[true], [false], [false]])).toBeNull();
  });

  it('finds two states in clustered sessions and none worth the name in independent ones', () => {
    // 60 % of sessions busy (Postfix never first), the rest idle (always first)
    const clustered = [...Array.from({ length: 60 }, () => [false, false, false, false]), ...Array.from({ length: 40 }, () => [true])];
    const fit = fitSessionLoad(clustered)!;
    expect(fit.busy).toBeGreaterThanOrEqual(590);
    expect(fit.busy).toBeLessThanOrEqual(610);
    expect(fit.busyPreempt).toBeLessThanOrEqual(10);
    expect(fit.idlePreempt).toBeGreaterThanOrEqual(990);
    // one rate of 50 %, drawn independently: both states (where there are two) near 50 %
    let x = 12345;
    const coin = () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) < 0.5;
    const independent = fitSessionLoad(sessionsOf(Array.from({ length: 2000 }, coin)))!;
    const mean = (independent.busy * independent.busyPreempt + (1000 - independent.busy) * independent.idlePreempt) / 1000;
    expect(Math.abs(mean - 500)).toBeLessThan(50);
    expect(independent.idlePreempt - independent.busyPreempt < 150 || independent.busy < 100 || independent.busy > 900).toBe(true);
  });
});

describe('the lab draws one load per session', () => {
  const sets = ['tcp.profile=quickack', 'sim.wakeup_preempt_per_mille=1000', 'sim.wakeup_busy_preempt_per_mille=0', 'sim.wakeup_latency_min_us=30'];
  const runs = (busy: number) => Array.from({ length: 40 }, (_, seed) => runScenario(loadScenario({ scenario: 'real-stack', sets: [...sets, `sim.wakeup_busy_per_mille=${busy}`] }), { seed: seed + 1, trace: true }));

  it('busy 0: every session like an idle one; busy 1000: every session like a busy one', () => {
    expect(runs(0).every((r) => r.backend.connections === 1)).toBe(true);
    expect(runs(1000).every((r) => r.backend.connections === 4 && r.client.authReply?.startsWith('454'))).toBe(true);
  });

  it('busy 500: some of each, and the state is a named decision drawn once per run', () => {
    const mixed = runs(500);
    const busy = mixed.filter((r) => r.backend.connections === 4).length;
    expect(busy).toBeGreaterThan(5);
    expect(busy).toBeLessThan(35);
    for (const r of mixed) {
      const draws = r.trace!.filter((e) => e.kind === 'decision' && (e as unknown as { name: string }).name === 'sessionUnderLoad');
      expect(draws).toHaveLength(1);
      expect((draws[0] as unknown as { value: boolean }).value).toBe(r.backend.connections === 4);
    }
  });
});
