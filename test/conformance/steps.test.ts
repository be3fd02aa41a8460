/* steps - the request/response steps of a capture, the lab's segments read as one, and the run-queue fit */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fitRunQueue, RUN_QUEUE_WAIT_MIN_US } from '../../conformance/calibration/fit.ts';
import { segmentsOfTrace } from '../../conformance/calibration/lab-steps.ts';
import type { TcpSegment } from '../../conformance/calibration/pcap.ts';
import { readPcap } from '../../conformance/calibration/pcap.ts';
import { STEP_NAMES, stepGaps, type StepName } from '../../conformance/calibration/steps.ts';
import { CALIBRATION_DIR } from '../../conformance/cases.ts';
import { RECORDS_DIR } from '../../conformance/records-dir.ts';
import { loadScenario } from '../../scenarios/index.ts';
import { runScenario } from '../../scenarios/run.ts';

const ports = { dovecot: 1587, postfix: 10025 };

/** A segment on loopback: client port 40000 (to Dovecot) or 50000 (Dovecot to Postfix). */
function seg(tUs: number, from: 'client' | 'dovecot' | 'backend-in' | 'postfix', data: string, syn = false): TcpSegment {
  const [srcPort, dstPort] = { client: [40000, 1587], dovecot: [1587, 40000], 'backend-in': [50000, 10025], postfix: [10025, 50000] }[from];
  return { tUs, src: '127.0.0.1', srcPort: srcPort!, dst: '127.0.0.1', dstPort: dstPort!, syn, fin: false, rst: false, data };
}

/** One session: banner, EHLO, AUTH, one backend connection, 235, QUIT; `pipelined`: Dovecot's EHLO left before XCLIENT's reply. */
function session(pipelined: boolean): TcpSegment[] {
  return [
    seg(0, 'client', '', true), seg(100, 'dovecot', '220 ready'), seg(400, 'client', 'EHLO c'), seg(700, 'dovecot', '250-x'),
    seg(900, 'client', 'AUTH PLAIN x'), seg(1600, 'backend-in', '', true), seg(1900, 'postfix', '220 b'), seg(2000, 'backend-in', 'EHLO f'),
    seg(2040, 'postfix', '250-b'), seg(2070, 'backend-in', 'XCLIENT A=1'),
    ...(pipelined
      ? [seg(2085, 'backend-in', 'EHLO f'), seg(2300, 'postfix', '220 b'), seg(2360, 'postfix', '250-b')]
      : [seg(2100, 'postfix', '220 b'), seg(2120, 'backend-in', 'EHLO f'), seg(2160, 'postfix', '250-b')]),
    seg(2500, 'dovecot', '235 ok'), seg(2800, 'client', 'QUIT'),
  ];
}

describe('stepGaps', () => {
  it('reads every step of a session off the wire', () => {
    const gaps = stepGaps(session(false), ports);
    const expected: Partial<Record<StepName, number[]>> = {
      'client 220→EHLO': [300], 'front EHLO→250': [300], 'client 250→AUTH': [200], 'auth AUTH→SYN': [700], 'smtpd SYN→220': [],
      'dovecot 220→EHLO': [100], 'smtpd EHLO→250': [40, 40], 'dovecot 250→XCLIENT': [30], 'dovecot 250→235': [340], 'client 235→next': [300],
      'session AUTH→235': [1600],
    };
    expect(Object.fromEntries(STEP_NAMES.map((n) => [n, gaps.get(n)]))).toEqual(expected);
  });

  it('leaves out the first backend connection\'s SYN→220: a fresh smtpd\'s start-up, not a wait', () => {
    const later = session(false).map((x) => ({ ...x, tUs: x.tUs + 10_000 }));
    expect(stepGaps([...session(false), ...later], ports).get('smtpd SYN→220')).toEqual([300]);
  });

  it('counts the EHLO after XCLIENT only when smtpd waited for it (it left after the reply)', () => {
    expect(stepGaps(session(true), ports).get('smtpd EHLO→250')).toEqual([40]);
  });

  it('finds the steps in a recorded batch: one per session or connection', () => {
    const gaps = stepGaps(readPcap(readFileSync(join(RECORDS_DIR, CALIBRATION_DIR, 'default-b', 'capture.pcap'))));
    expect(gaps.get('client 250→AUTH')).toHaveLength(96); // the capture holds 96 of the batch's 100 sessions
    expect(gaps.get('smtpd EHLO→250')).toHaveLength(2 * 96);
    expect(gaps.get('smtpd SYN→220')).toHaveLength(95);
    expect(gaps.get('session AUTH→235')).toHaveLength(96);
  });
});

describe('the lab read as a capture', () => {
  it('gives the lab run\'s own times step by step', () => {
    const run = runScenario(loadScenario({ scenario: 'real-stack', sets: ['tcp.profile=quickack', 'sim.wakeup_preempt_per_mille=1000'] }), { seed: 3, trace: true });
    const segments = segmentsOfTrace(run.trace ?? []);
    const sent = (conn: string, prefix: string) => run.trace!.find((e) => e.kind === 'segment' && e.conn === conn && String(e.data).startsWith(prefix))!.t;
    const gaps = stepGaps(segments, ports);
    expect(gaps.get('session AUTH→235')).toEqual([sent('c1', '235') - sent('c1', 'AUTH')]);
    expect(gaps.get('auth AUTH→SYN')).toHaveLength(1);
    expect(segments.filter((s) => s.syn && s.dstPort === 10025)).toHaveLength(run.backend.connections);
  });
});

describe('fitRunQueue', () => {
  it('a step waited when it took more than RUN_QUEUE_WAIT_MIN_US over the step\'s median', () => {
    const gaps = new Map<StepName, number[]>([
      ['smtpd SYN→220', [200, 210, 220, 230, 240, 250, 260, 270, 280, 220 + RUN_QUEUE_WAIT_MIN_US]],
      ['dovecot 250→XCLIENT', [30, 30, 30, 30 + RUN_QUEUE_WAIT_MIN_US + 1000]],
    ]);
    // medians 240 and 30: the last SYN→220 is 480 µs over (not a wait), the last 250→XCLIENT 1500 µs over;
    // one step per session: nothing tells bursts apart, so the pooled chance
    const sessions = [...gaps].flatMap(([name, list]) => list.map((gap) => new Map([[name, [gap]]])));
    expect(fitRunQueue([{ steps: gaps, sessionSteps: sessions }])).toEqual({
      'sim.run_queue_wait_per_mille': 71, 'sim.run_queue_wait_quantiles_us': Array(21).fill(1500).join(','),
      'sim.run_queue_idle_burst_per_mille': 0, 'sim.run_queue_busy_burst_per_mille': 0, 'sim.run_queue_burst_wait_per_mille': 0,
    });
  });

  it('waits that cluster by session are a burst: its share of sessions and its own chance', () => {
    // 10 sessions of 10 steps at 100 µs; two of them wait 2 ms in 5 of their steps
    const session = (waits: number) => new Map<StepName, number[]>([['smtpd EHLO→250', [...Array(10 - waits).fill(100), ...Array(waits).fill(2100)]]]);
    const sessions = [...Array(8)].map(() => session(0)).concat([session(5), session(5)]);
    const steps = new Map<StepName, number[]>([['smtpd EHLO→250', sessions.flatMap((s) => s.get('smtpd EHLO→250')!)]]);
    expect(fitRunQueue([{ steps, sessionSteps: sessions }])).toMatchObject({ 'sim.run_queue_wait_per_mille': 0, 'sim.run_queue_idle_burst_per_mille': 200, 'sim.run_queue_busy_burst_per_mille': 200, 'sim.run_queue_burst_wait_per_mille': 500 });
  });

  it('the waits\' quantiles: every 5th percentile of the excess of the waited steps, shortest to longest', () => {
    // one step, median 100 µs; 20 waits of 1, 2, ..., 20 ms on top
    const gaps = new Map<StepName, number[]>([['smtpd EHLO→250', [...Array(41).fill(100), ...Array.from({ length: 20 }, (_, i) => 100 + 1000 * (i + 1))]]]);
    const quantiles = fitRunQueue([{ steps: gaps, sessionSteps: [] }])['sim.run_queue_wait_quantiles_us'].split(',').map(Number);
    expect(quantiles).toHaveLength(21);
    expect([quantiles[0], quantiles[10], quantiles[20]]).toEqual([1000, 11_000, 20_000]);
    expect(quantiles).toEqual([...quantiles].sort((a, b) => a - b));
  });

  it('no step: no wait', () => {
    expect(fitRunQueue([{ steps: new Map(), sessionSteps: [] }])['sim.run_queue_wait_per_mille']).toBe(0);
  });
});
