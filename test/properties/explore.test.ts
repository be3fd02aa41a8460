/* explore - the scenario explorer: the three verdicts on small bounds, determinism, and the replay of its shortest schedule */
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../scenarios/index.ts';
import { propertyById } from '../../properties/suite.ts';
import { scenarioFor } from '../../properties/lab-case.ts';
import { exploreScenario, replaySchedule, type ExploreOutcome } from '../../properties/explore/explore-scenario.ts';
import { binRepresentatives, parameterAxes, placementSets, type FaultPlacement } from '../../properties/explore/space.ts';

/** One TCP mode pinned and one deviation: seven cases of a few dozen schedules each, a second or two. */
function explore(scenario: string, property: string, sets: string[]): ExploreOutcome {
  return exploreScenario({
    scenario: loadScenario({ scenario, sets }), property: propertyById(property)!, deviations: 1, faults: 0, maxDecisions: 2_000, maxRuns: 20_000,
  });
}

describe('exploreScenario', () => {
  it('lockstep: fixed sequencing holds for every schedule within the bounds', () => {
    const outcome = explore('lockstep', 'fixed-sequencing', ['tcp.profile=quickack']);
    expect(outcome).toMatchObject({ ok: true, judged: 0, complete: true, cases: 7 });
    expect(outcome.schedules).toBeGreaterThan(7);
    expect(outcome.pruned).toBeGreaterThan(0);
  });

  it('mailu-2024.06: the bug shows in some schedules; exploring twice gives the same counts and the same shortest schedule, which replays', () => {
    const first = explore('mailu-2024.06', 'bug-exists', ['tcp.profile=quickack']);
    const second = explore('mailu-2024.06', 'bug-exists', ['tcp.profile=quickack']);
    expect(first.ok).toBe(true);
    expect(first.judged).toBeGreaterThan(0);
    expect(first.judged).toBeLessThan(first.schedules);
    const counts = (o: ExploreOutcome) => [o.schedules, o.pruned, o.states, o.judged];
    expect(counts(second)).toEqual(counts(first));
    expect(second.shortest).toEqual(first.shortest);
    const shortest = first.shortest!;
    const scenario = loadScenario({ scenario: 'mailu-2024.06', sets: ['tcp.profile=quickack'] });
    const report = replaySchedule(scenario, shortest.labCase, shortest.choices, 2_000);
    expect(propertyById('bug-exists')!.verdict(shortest.labCase, report, scenarioFor(scenario, shortest.labCase))).toBe(shortest.verdict);
  });

  it('a run bound that stops the enumeration is not a pass', () => {
    const outcome = exploreScenario({
      scenario: loadScenario({ scenario: 'lockstep', sets: ['tcp.profile=quickack'] }), property: propertyById('fixed-sequencing')!,
      deviations: 1, faults: 0, maxDecisions: 2_000, maxRuns: 5,
    });
    expect(outcome).toMatchObject({ ok: false, complete: false, judged: 0 });
  });
});

describe('the explored space', () => {
  it('bins: each lower end and middle, then the last edge', () => {
    expect(binRepresentatives([40, 44, 150])).toEqual([0, 20, 40, 42, 44, 97, 150]);
  });

  it('a key the scenario gives keeps its value', () => {
    const values = (sets: string[]) => parameterAxes(loadScenario({ scenario: 'lockstep', sets })).map((axis) => [axis.key, axis.values.length]);
    expect(values([])).toEqual([['postfix.xclient_lookup_ms', 7], ['tcp.profile', 4]]);
    expect(values(['tcp.profile=nodelay'])).toEqual([['postfix.xclient_lookup_ms', 7], ['tcp.profile', 1]]);
  });

  it('placement sets: up to k, one per hop, each set once', () => {
    const at = (hop: FaultPlacement['hop'], where: string): FaultPlacement => ({ hop, fault: { name: 'slicer' }, where });
    const places = [at('client', 'a'), at('client', 'b'), at('backend', 'c'), at('auth', 'd')];
    const sets = placementSets(places, 2).map((set) => set.map((p) => p.where).join(''));
    expect(sets).toEqual(['', 'a', 'b', 'c', 'd', 'ac', 'ad', 'bc', 'bd', 'cd']);
  });
});
