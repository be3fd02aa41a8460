/* parallel - work spread over threads gives one thread's answer: fast-check's runs, property 4's tallies, explored cases
 *
 * The executor here answers tasks out of order (the last handed out first), as threads of
 * different speed do, so a combination that depended on the order of answers would show it.
 * The real thread pool is exercised by test/cli/scale.test.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../scenarios/index.ts';
import { propertyById } from '../../properties/suite.ts';
import { runLabProperty, runLabPropertyOn, type CheckOutcome } from '../../properties/check.ts';
import { combineTallies, generateCases, runDifferential, tallyCases } from '../../properties/differential.ts';
import { exploreScenario, exploreScenarioOn } from '../../properties/explore/explore-scenario.ts';
import { cutRanges, type Executor, type WorkTask } from '../../properties/parallel/executor.ts';
import { runTask } from '../../properties/parallel/run-task.ts';
import { combineRuns, searchPredicate, type RunsSummary } from '../../properties/parallel/run-ranges.ts';

/** Holds every task until `workers` are waiting, then answers them last first. */
function outOfOrder(workers: number): Executor & { readonly tasks: WorkTask[] } {
  const tasks: WorkTask[] = [];
  let held: (() => void)[] = [];
  const release = () => {
    const now = held.reverse();
    held = [];
    for (const answer of now) answer();
  };
  return {
    workers,
    inThisThread: false,
    tasks,
    run: (task) => new Promise((resolve) => {
      tasks.push(task);
      held.push(() => resolve(runTask(task) as never));
      if (held.length === workers) release();
      else setTimeout(release, 0);
    }),
  };
}

const comparable = (outcome: CheckOutcome) => {
  const { property, coverage, ...rest } = outcome;
  return { ...rest, property: property.id, runsClassified: coverage.runs, counts: [...coverage.counts] };
};

describe('fast-check runs in ranges', () => {
  // safety on real-stack first fails at run 20 (seed 1): ranges before, at and after it.
  const scenario = loadScenario({ scenario: 'real-stack' });
  const safety = propertyById('safety')!;
  const options = { scenario, seed: 1, numRuns: 60 };

  it('a failure after many runs: the same counterexample, path, shrink count, runs and coverage as one thread', async () => {
    const one = runLabProperty(safety, options);
    expect(one.runsToFailure).toBeGreaterThan(8);
    const executor = outOfOrder(3);
    const many = await runLabPropertyOn(executor, safety, options);
    expect(comparable(many)).toEqual(comparable(one));
    // Several ranges, but not all: none is handed out once the failure is known to be the first.
    expect(executor.tasks.length).toBeGreaterThan(3);
    expect(executor.tasks.length).toBeLessThan(cutRanges(0, options.numRuns, 3).length);
  });

  it('is what a single fc.check finds and shrinks', () => {
    const details = fc.check(searchPredicate(safety, scenario), { seed: 1, numRuns: 60 });
    const one = runLabProperty(safety, options);
    expect({ path: one.path, shrinks: one.shrinks, counterexample: one.counterexample }).toEqual({
      path: details.counterexamplePath, shrinks: details.numShrinks, counterexample: details.counterexample?.[0],
    });
  });

  it('a passing property: every run classified, the same statistics', async () => {
    const lockstep = { scenario: loadScenario({ scenario: 'lockstep' }), seed: 4, numRuns: 40 };
    const property = propertyById('fixed-sequencing')!;
    expect(comparable(await runLabPropertyOn(outOfOrder(2), property, lockstep))).toEqual(comparable(runLabProperty(property, lockstep)));
  });

  it('ranges cover the span once, in order, for any number of threads', () => {
    for (const workers of [1, 2, 3, 8]) {
      for (const count of [1, 7, 100, 1001]) {
        const ranges = cutRanges(5, count, workers);
        expect(ranges.map((r) => r.start)).toEqual(ranges.map((_, i) => 5 + ranges.slice(0, i).reduce((n, r) => n + r.count, 0)));
        expect(ranges.reduce((n, r) => n + r.count, 0)).toBe(count);
        expect(ranges.every((r) => r.count > 0)).toBe(true);
      }
    }
  });
});

describe('combining in order', () => {
  // Every run is classified here, so `classified` is the length of the range.
  const summary = (start: number, end: number, counts: [string, number][], failure: RunsSummary['failure']): RunsSummary => ({
    start, end, classified: end - start, counts, failure,
  });

  it('runs: the first failure ends the sum, even when a later share failed too', () => {
    const first = summary(0, 3, [['a', 3]], { path: '2', verdict: true });
    expect(combineRuns(first, summary(10, 12, [['b', 2]], { path: '11', verdict: true }))).toBe(first);
    expect(combineRuns(summary(0, 10, [['b', 10], ['a', 4]], null), summary(10, 12, [['c', 2], ['a', 1]], { path: '11', verdict: true }))).toEqual(
      summary(0, 12, [['b', 10], ['a', 5], ['c', 2]], { path: '11', verdict: true }));
    expect(() => combineRuns(summary(0, 10, [], null), summary(11, 12, [], null))).toThrow(/do not follow/);
  });

  it('tallies: counts added, reasons in the order first met', () => {
    const tally = (reasons: [string, number][]) => [{
      scenario: 's', traces: 5, failures: reasons.length, pipeliningFailures: 1, improperLogged: 2, reasons: new Map(reasons),
    }];
    const [sum] = combineTallies(tally([['x', 1]]), tally([['y', 2], ['x', 3]]));
    expect({ ...sum, reasons: [...sum!.reasons] }).toEqual({ scenario: 's', traces: 10, failures: 3, pipeliningFailures: 2, improperLogged: 4, reasons: [['x', 4], ['y', 2]] });
  });
});

describe('traces in slices', () => {
  it("property 4's tallies: counts and reasons in the order first met, as one thread", async () => {
    const scenarios = ['mailu-2024.06', 'real-stack'].map((scenario) => loadScenario({ scenario }));
    const one = runDifferential(scenarios, generateCases(3, 90), 3).tallies;
    const many = await tallyCases(outOfOrder(3), scenarios, 3, 0, 90);
    const plain = (tallies: typeof one) => tallies.map((t) => ({ ...t, reasons: [...t.reasons] }));
    expect(plain(many)).toEqual(plain(one));
    expect(one[0]!.failures).toBeGreaterThan(0);
  });

  it('trace i is the same whichever slice generates it', () => {
    expect([...generateCases(9, 7, 0), ...generateCases(9, 13, 7)]).toEqual(generateCases(9, 20));
  });
});

describe('explored cases', () => {
  const options = { scenario: loadScenario({ scenario: 'mailu-2024.06', sets: ['tcp.profile=quickack'] }), property: propertyById('bug-exists')!, deviations: 1, faults: 0, maxDecisions: 2_000 };

  it('the same counts and the same shortest schedule as one thread', async () => {
    const one = exploreScenario({ ...options, maxRuns: 20_000 });
    expect(await exploreScenarioOn(outOfOrder(3), { ...options, maxRuns: 20_000 })).toEqual(one);
    expect(one.judged).toBeGreaterThan(0);
  });

  it('a run budget that runs out inside a case: that case enumerated again under what was left', async () => {
    // Each case takes 73 runs here: the first fits in 100, the second is cut after 27.
    const one = exploreScenario({ ...options, maxRuns: 100 });
    expect(one).toMatchObject({ complete: false, casesRun: 2 });
    expect(await exploreScenarioOn(outOfOrder(2), { ...options, maxRuns: 100 })).toEqual(one);
  });
});
