/* wakeup - the drawn wake-up latency is owed only when the writer keeps running (sim/wakeup.ts) */
import { describe, expect, it } from 'vitest';
import type { Decider } from '../../sim/decisions.ts';
import { DueTimers, SCHED_SLICE_US } from '../../sim/due-timers.ts';
import { WakeupState } from '../../sim/wakeup.ts';

const writer = (preempt: boolean, latencyUs: number): Decider => ({ shouldWakeePreempt: () => preempt, wakeupLatencyUs: () => latencyUs }) as unknown as Decider;
const options = { preemptPerMille: 0, latencyMinUs: 10, latencyMedianUs: 50, latencyMaxUs: 5000 };

describe('WakeupState', () => {
  it('a preempting wakee owes nothing and freezes the writer (the caller freezes)', () => {
    const peer = new WakeupState(options, new DueTimers());
    expect(peer.wokenBy(writer(true, 999), 0)).toBe(true);
    expect(peer.takeLatencyUs()).toBe(0);
  });

  it('woken elsewhere: owes the latency if the writer keeps running, none if it blocks', () => {
    const running = new WakeupState(options, new DueTimers());
    expect(running.wokenBy(writer(false, 777), 0)).toBe(false);
    expect(running.sleeps(0)).toBe(false); // not woken twice before the writer's turn ends
    running.settleWake(writer(false, 777), true);
    expect(running.takeLatencyUs()).toBe(777);
    const blocked = new WakeupState(options, new DueTimers());
    blocked.wokenBy(writer(false, 777), 0);
    blocked.settleWake(writer(false, 777), false);
    expect(blocked.takeLatencyUs()).toBe(0);
    expect(blocked.sleeps(0)).toBe(true);
  });

  it('keeps running: a timer of its own due within one slice', () => {
    const due = new DueTimers();
    const w = new WakeupState(options, due);
    expect(due.workWithinSlice(100)).toBe(false);
    due.set('ehloGap', 105);
    expect(due.workWithinSlice(100)).toBe(true);
    expect(w.sleeps(100)).toBe(false);
    due.set('ehloGap', null);
    due.set('idle', 100 + SCHED_SLICE_US);
    expect(due.workWithinSlice(100)).toBe(false);
    expect(w.sleeps(100)).toBe(true);
  });
});
