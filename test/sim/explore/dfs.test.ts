/* dfs - the explorer on toys whose answer is known: every interleaving once, the deviation bound, pruning that loses nothing */
import { describe, expect, it } from 'vitest';
import { exploreSchedules, type ExploreBounds } from '../../../sim/explore/dfs.ts';
import type { ChoiceSequence } from '../../../sim/explore/choice-sequence.ts';

const UNBOUNDED: ExploreBounds = { deviations: Infinity, maxDecisions: 1_000, maxRuns: 100_000 };

function binomial(n: number, k: number): number {
  let result = 1;
  for (let i = 1; i <= k; i++) result = (result * (n - k + i)) / i;
  return result;
}

/** Two processes of a and b steps; while both can run, the choice says which goes next (0: A, the default). */
function interleave(a: number, b: number, choices: ChoiceSequence): string {
  let order = '';
  let i = 0;
  let j = 0;
  while (i < a || j < b) {
    const runB = i === a || (j < b && choices.integer('simultaneousEvents', 0, 1) === 1);
    order += runB ? 'B' : 'A';
    if (runB) j++;
    else i++;
  }
  return order;
}

/** Interleavings of a As and b Bs with at most d choices of B while A could still run (brute force). */
function boundedCount(a: number, b: number, d: number): number {
  if (a === 0 || b === 0) return 1;
  return boundedCount(a - 1, b, d) + (d > 0 ? boundedCount(a, b - 1, d - 1) : 0);
}

describe('exploreSchedules on two processes', () => {
  it.each([[1, 1], [2, 3], [4, 4], [3, 6]])('%i and %i steps: all C(a+b, a) interleavings, each exactly once', (a, b) => {
    const seen: string[] = [];
    const counts = exploreSchedules((choices) => interleave(a, b, choices), UNBOUNDED, (schedule) => seen.push(schedule.result));
    expect(seen).toHaveLength(binomial(a + b, a));
    expect(new Set(seen).size).toBe(seen.length);
    expect(counts).toMatchObject({ schedules: seen.length, pruned: 0, complete: true, deviationBoundHit: false });
  });

  it.each([0, 1, 2, 3])('with %i deviations: exactly the interleavings that leave the default that often', (d) => {
    const seen: string[] = [];
    const counts = exploreSchedules((choices) => interleave(4, 3, choices), { ...UNBOUNDED, deviations: d }, (schedule) => seen.push(schedule.result));
    expect(seen).toHaveLength(boundedCount(4, 3, d));
    expect(new Set(seen).size).toBe(seen.length);
    expect(counts.deviationBoundHit).toBe(d < 3);
  });

  it('a run bound stops the enumeration and says so', () => {
    const counts = exploreSchedules((choices) => interleave(4, 4, choices), { ...UNBOUNDED, maxRuns: 10 }, () => {});
    expect(counts).toMatchObject({ schedules: 10, complete: false });
  });

  it('the same bounds give the same schedules in the same order', () => {
    const run = () => {
      const seen: string[] = [];
      exploreSchedules((choices) => interleave(3, 3, choices), { ...UNBOUNDED, deviations: 2 }, (schedule) => seen.push(schedule.choices.join('')));
      return seen;
    };
    expect(run()).toEqual(run());
  });
});

/**
 * A saturating counter: A adds 1 up to 3, B subtracts 1 down to 0, from 1. Many interleavings
 * meet in the same state (i, j, x), so pruning cuts runs short; a run "fails" when x reached 3
 * and ended at 0. The answer without pruning is the reference.
 */
function counter(a: number, b: number, choices: ChoiceSequence, keyed: boolean): { final: number; failed: boolean } {
  let i = 0;
  let j = 0;
  let x = 1;
  let reachedTop = false;
  choices.stateKey = keyed ? () => `${i},${j},${x},${reachedTop}` : null;
  while (i < a || j < b) {
    const runB = i === a || (j < b && choices.integer('simultaneousEvents', 0, 1) === 1);
    if (runB) {
      j++;
      x = Math.max(x - 1, 0);
    } else {
      i++;
      x = Math.min(x + 1, 3);
    }
    reachedTop ||= x === 3;
  }
  return { final: x, failed: reachedTop && x === 0 };
}

describe('state-hash pruning', () => {
  it('finds the same outcomes, the failing one included, with far fewer complete runs', () => {
    const outcomes = (keyed: boolean) => {
      const found = new Set<string>();
      const counts = exploreSchedules((choices) => counter(5, 5, choices, keyed), UNBOUNDED, (schedule) => found.add(JSON.stringify(schedule.result)));
      return { found, counts };
    };
    const reference = outcomes(false);
    const pruned = outcomes(true);
    expect(reference.counts.schedules).toBe(binomial(10, 5));
    expect([...pruned.found].sort()).toEqual([...reference.found].sort());
    expect(pruned.found.has(JSON.stringify({ final: 0, failed: true }))).toBe(true);
    expect(pruned.counts.pruned).toBeGreaterThan(0);
    expect(pruned.counts.schedules).toBeLessThan(reference.counts.schedules / 2);
  });

  it('counts each distinct state at a branching decision, and each end state, once', () => {
    // Branching states: both can still run (i < 3, j < 3); end states: both done. x and the flag follow from the path: brute force.
    const states = new Set<string>();
    const walk = (i: number, j: number, x: number, top: boolean): void => {
      if ((i < 3 && j < 3) || (i === 3 && j === 3)) states.add(`${i},${j},${x},${top}`);
      if (i < 3) walk(i + 1, j, Math.min(x + 1, 3), top || Math.min(x + 1, 3) === 3);
      if (j < 3) walk(i, j + 1, Math.max(x - 1, 0), top);
    };
    walk(0, 0, 1, false);
    const counts = exploreSchedules((choices) => counter(3, 3, choices, true), UNBOUNDED, () => {});
    expect(counts.states).toBe(states.size);
  });
});
