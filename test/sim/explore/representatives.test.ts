/* representatives - every decision the Decider names has values to explore, and the values are the ones documented */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DECISIONS, chanceRepresentatives, integerRepresentatives } from '../../../sim/explore/representatives.ts';

/** The names the Decider passes to its ChoiceSource (sim/decisions.ts), read from its source so a new one cannot hide. */
function decisionNames(): string[] {
  const source = readFileSync(new URL('../../../sim/decisions.ts', import.meta.url), 'utf8');
  return [...source.matchAll(/(?:this\.|this\.choices\.)(?:integer|chance)\(\s*[`'"]([^`'"$]+)/g)].map(([, name]) => name!.replace(/:$/, ''));
}

describe('representatives', () => {
  it('every decision of the Decider has a row', () => {
    const names = decisionNames();
    expect(names.length).toBeGreaterThanOrEqual(12);
    expect(names.filter((name) => !(name in DECISIONS) && !(name.split(':')[0]! in DECISIONS))).toEqual([]);
  });

  it('the pieces of a drawn delay are asked as a yes/no or an integer under names of their own, as their rows say', () => {
    // twoPiece asked 'wakeupLatencyUs:upperPiece' as a yes/no and as an integer: the explorer threw on the first
    // (smtp-lab explore on real-stack; test/cli/explore.test.ts runs it)
    for (const name of ['wakeupLatencyUs:inUpperPiece']) expect(() => chanceRepresentatives(name, 1, 2)).not.toThrow();
    for (const name of ['wakeupLatencyUs:upperPiece', 'wakeupLatencyUs:lowerPiece', 'runQueueWaitUs:piece', 'runQueueWaitUs:inPiece']) expect(() => integerRepresentatives(name, 0, 9)).not.toThrow();
  });

  it('delays at the ends of their range, the nominal one first', () => {
    expect(integerRepresentatives('delackSlackUs', 0, 3_999)).toEqual([0, 3_999]);
    expect(integerRepresentatives('schedulingDelayUs', 0, 60)).toEqual([0, 60]);
    expect(integerRepresentatives('pickFaultParam:latency.extraUs', 5, 5)).toEqual([5]);
  });

  it('symmetric and repetitive choices take one value; cut points their ends and middle', () => {
    expect(integerRepresentatives('pickEphemeralPort', 32_768, 60_999)).toEqual([32_768]);
    expect(integerRepresentatives('slicePieces', 2, 8)).toEqual([2]);
    expect(integerRepresentatives('splitPoint', 1, 9)).toEqual([1, 5, 9]);
    expect(integerRepresentatives('splitPoint', 1, 1)).toEqual([1]);
  });

  it('wake-up latency reaches min, median and max through its two pieces', () => {
    expect(chanceRepresentatives('wakeupLatencyUs:inUpperPiece', 1, 2)).toEqual([false, true]);
    expect([...integerRepresentatives('wakeupLatencyUs:lowerPiece', 10, 50), ...integerRepresentatives('wakeupLatencyUs:upperPiece', 50, 800)]).toEqual([10, 50, 800]);
  });

  it('the run-queue wait reaches its shortest, its longest and the quantiles next to them through its first and last pieces', () => {
    expect(integerRepresentatives('runQueueWaitUs:piece', 0, 19)).toEqual([0, 19]);
    expect([...integerRepresentatives('runQueueWaitUs:inPiece', 600, 900), ...integerRepresentatives('runQueueWaitUs:inPiece', 19_000, 32_000)]).toEqual([600, 900, 19_000, 32_000]);
  });

  it('the wall clock\'s phase at a whole second and half a second later: both halves of any second', () => {
    expect(integerRepresentatives('wallClockPhaseUs', 0, 999_999)).toEqual([0, 500_000]);
  });

  it('yes/no: the likelier value first, both unless the ratio forces one', () => {
    expect(chanceRepresentatives('shouldWakeePreempt', 700, 1000)).toEqual([true, false]);
    expect(chanceRepresentatives('shouldWakeePreempt', 300, 1000)).toEqual([false, true]);
    expect(chanceRepresentatives('shouldSplitWrite', 1, 2)).toEqual([false, true]);
    expect(chanceRepresentatives('sessionUnderLoad', 0, 1000)).toEqual([false]);
    expect(chanceRepresentatives('shouldSplitWrite', 4, 4)).toEqual([true]);
  });

  it('an unknown decision, or one asked the wrong way, is an error naming the file to change', () => {
    expect(() => integerRepresentatives('newDecision', 0, 1)).toThrow(/representatives\.ts/);
    expect(() => chanceRepresentatives('delackSlackUs', 1, 2)).toThrow(/integer decision/);
  });
});
