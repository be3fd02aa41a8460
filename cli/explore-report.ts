/* explore-report - what `smtp-lab explore` says with every verdict: the bounds, what was enumerated, what was not
 *
 * The lists are the explorer's own (space.ts, representatives.ts), so the text cannot claim
 * more than was run. Shared by the text and JSON outputs.
 */
import type { ExploreOutcome, ExploreBoundsOptions } from '../properties/explore/explore-scenario.ts';
import { DECISIONS } from '../sim/explore/representatives.ts';

export interface ExploreSummary {
  readonly verdict: 'holds' | 'fails' | 'found' | 'not-found' | 'incomplete' | 'crashed';
  /** One sentence: the verdict with its counts and bounds. */
  readonly sentence: string;
  readonly bounds: readonly string[];
  readonly enumerated: readonly string[];
  readonly notEnumerated: readonly string[];
  readonly boundsReached: readonly string[];
}

export function summarise(outcome: ExploreOutcome, bounds: ExploreBoundsOptions): ExploreSummary {
  const b = `B = (≤ ${bounds.deviations} deviations, ≤ ${bounds.faults} fault placements, ≤ ${bounds.maxDecisions} decisions per run)`;
  const counts = `${outcome.schedules} schedules, ${outcome.states} states`;
  let verdict: ExploreSummary['verdict'];
  let sentence: string;
  if (outcome.crashed > 0) {
    verdict = 'crashed';
    sentence = `the lab crashed on ${outcome.crashed} of ${outcome.schedules} schedules of ${outcome.scenario} within bounds ${b} (the shortest is below): no verdict`;
  } else if (outcome.property.kind === 'exists') {
    verdict = outcome.judged > 0 ? 'found' : outcome.complete ? 'not-found' : 'incomplete';
    sentence = outcome.judged > 0
      ? `${outcome.scenario} fails in ${outcome.judged} of ${outcome.schedules} schedules within bounds ${b}`
      : `${outcome.scenario} fails in none of ${outcome.schedules} schedules within bounds ${b}${outcome.complete ? '' : ', and the run bound stopped the enumeration'}`;
  } else if (outcome.judged > 0) {
    verdict = 'fails';
    sentence = `${outcome.property.id} fails on ${outcome.scenario} in ${outcome.judged} of ${outcome.schedules} schedules within bounds ${b}`;
  } else if (outcome.complete) {
    verdict = 'holds';
    sentence = `${outcome.property.id} holds on ${outcome.scenario} for every schedule within bounds ${b} (${counts})`;
  } else {
    verdict = 'incomplete';
    sentence = `${outcome.property.id} held on the ${outcome.schedules} schedules run on ${outcome.scenario}, but --max-runs ${bounds.maxRuns} stopped the enumeration: not shown for every schedule within bounds ${b}`;
  }
  return {
    verdict,
    sentence,
    bounds: [
      `deviations: at most ${bounds.deviations} decisions per schedule take a value other than their default (each decision's values: sim/explore/representatives.ts)`,
      `fault placements: at most ${bounds.faults} per schedule, one per hop`,
      `decisions per run: at most ${bounds.maxDecisions} branching ones are enumerated, later ones take their default`,
      `runs: at most ${bounds.maxRuns}`,
    ],
    enumerated: [
      ...outcome.axes.map((axis) => `${axis.key} ∈ {${axis.values.join(', ')}}: ${axis.why}`),
      `fault placements: ${outcome.placements} places (${outcome.property.faults === 'any' ? 'slicer per hop; reset_peer, timeout, limit_data, half_close at every segment boundary of each hop' : 'slicer per hop: which write is split and where'}), sets of up to ${bounds.faults}`,
      `simulator decisions: ${Object.keys(DECISIONS).join(', ')}, each at its representative values`,
      'simultaneous events: every order of dependent events due at the same microsecond (same node or connection); independent ones commute and keep queue order',
      `cases: ${outcome.casesRun} of ${outcome.cases} (parameter points × fault placement sets)`,
    ],
    notEnumerated: [
      "client behaviour: only the scenario's own client (client.* keys); `smtp-lab check` generates others",
      'decision values between the representatives (a delay is tried at the ends of its range, a cut point at its ends and middle)',
      'postfix.banner_delay_ms, postfix.milter_ms, auth.latency_ms, auth.fault, client.think_time_us, tcp.client_profile, tcp.one_way_delay_us: at the scenario\'s values',
      `faults: latency, bandwidth, coalesce, slow_close, time-triggered (atUs) faults${outcome.property.faults === 'any' ? '' : ' and destructive ones (the property allows benign faults only)'}; two faults on one hop`,
    ],
    boundsReached: [
      `deviations: ${outcome.deviationBoundHit ? 'reached (decisions with untried values remain beyond the budget)' : 'not reached'}`,
      `decisions per run: ${outcome.decisionBoundHit ? 'reached (later decisions took their default)' : 'not reached'}`,
      `runs: ${outcome.complete ? 'not reached (every schedule within the other bounds ran)' : 'reached (the enumeration is unfinished)'}`,
    ],
  };
}
