/* space - what `smtp-lab explore` enumerates besides the simulator's decisions: parameter bins and fault placements
 *
 * Timing parameters are cut into bins at the model's own thresholds and each bin is run at its
 * lower end and its middle (the last, unbounded bin at its lower end):
 *   postfix.xclient_lookup_ms  TCP_DELACK_MIN (40 ms: the delayed ACK that releases Nagle's EHLO)
 *                              and TCP_DELACK_MIN + DELACK_SLACK (44 ms: the latest it fires), up to
 *                              the slowest lookup the properties are stated for (the generators'
 *                              150 ms). Slower lookups meet other thresholds (Dovecot's 1 s
 *                              reconnect delay, its 30 s login_proxy_timeout, the client's reply
 *                              timeout) where a correct client is not served by any proxy: outside
 *                              the properties' domain, so not enumerated.
 *   tcp.profile                each of the four TCP modes of the real-stack runs.
 * A key the scenario gives (its definition or --set) is pinned to that value, as with `check`.
 * Fault placements, up to k faults: the slicer on one hop, which makes every write on that hop a
 * branching decision (split or not, and where: representatives.ts), so "which step" is enumerated
 * by the decisions themselves; for properties that allow destructive faults, reset_peer, timeout,
 * limit_data and half_close on one hop, placed at every segment boundary of the fault-free run
 * on that hop (afterBytes = the payload bytes before that segment: "which segment").
 * The client is the scenario's own (the client.* keys: swaks), not generated behaviour.
 */
import { TCP_PROFILES, type FaultSpec, type TcpProfileName } from '../../sim/index.ts';
import { DELACK_SLACK_US, TCP_DELACK_MIN_US } from '../../sim/tcp/profiles.ts';
import type { Scenario, ScenarioKey, ScenarioValues } from '../../scenarios/index.ts';
import { clientScriptOf } from '../../scenarios/client-script.ts';
import { hostsOf } from '../../scenarios/topology.ts';
import type { LinkFaults, RunReport } from '../../scenarios/run.ts';
import type { ClientBehaviour, LabCase } from '../lab-case.ts';
import { XCLIENT_LOOKUP_MAX_MS } from '../arbitraries/timing.ts';

export type Hop = keyof LinkFaults;
export const HOPS: readonly Hop[] = ['client', 'backend', 'auth'];

/** One enumerated dimension: a key and the values tried, with the thresholds they come from. */
export interface ParameterAxis {
  readonly key: ScenarioKey;
  readonly values: readonly (number | string)[];
  readonly why: string;
}

/** A fault at one place: the spec and, for the report, where it acts. */
export interface FaultPlacement {
  readonly hop: Hop;
  readonly fault: FaultSpec;
  readonly where: string;
}

/** Representatives of the bins between 0 and the last of `edges` (sorted): each bin's lower end and middle, and the last edge. */
export function binRepresentatives(edges: readonly number[]): number[] {
  const bounds = [0, ...edges];
  const values = bounds.flatMap((low, i) => (i + 1 < bounds.length ? [low, (low + (bounds[i + 1] as number)) / 2] : [low]));
  return [...new Set(values.map((value) => Math.round(value * 1000) / 1000))];
}

/** The axes; a key the scenario gives (its definition or --set) keeps that one value. */
export function parameterAxes(scenario: Scenario): ParameterAxis[] {
  const delackMs = TCP_DELACK_MIN_US / 1000;
  const latestDelackMs = (TCP_DELACK_MIN_US + DELACK_SLACK_US) / 1000;
  const axes: ParameterAxis[] = [
    {
      key: 'postfix.xclient_lookup_ms',
      values: binRepresentatives([delackMs, latestDelackMs, XCLIENT_LOOKUP_MAX_MS]),
      why: `bins cut at TCP_DELACK_MIN ${delackMs} ms and its latest firing ${latestDelackMs} ms, up to the generators' ${XCLIENT_LOOKUP_MAX_MS} ms`,
    },
    { key: 'tcp.profile', values: Object.keys(TCP_PROFILES) as TcpProfileName[], why: 'every TCP mode of the real-stack runs' },
  ];
  return axes.map((axis) => (scenario.given.has(axis.key) ? { key: axis.key, values: [scenario.get(axis.key)], why: 'pinned by the scenario (its definition or --set)' } : axis));
}

/** Every combination of the axes' values, first axis slowest. */
export function parameterPoints(axes: readonly ParameterAxis[]): Partial<ScenarioValues>[] {
  let points: Record<string, number | string>[] = [{}];
  for (const axis of axes) points = points.flatMap((point) => axis.values.map((value) => ({ ...point, [axis.key]: value })));
  return points as Partial<ScenarioValues>[];
}

/** The scenario's own client (client.* keys) as a lab case's behaviour. */
export function scenarioClient(scenario: Scenario): ClientBehaviour {
  const script = clientScriptOf(scenario, hostsOf(scenario).front);
  return {
    user: scenario.get('client.user'),
    password: scenario.get('client.password'),
    helo: scenario.get('client.helo'),
    waitForGreeting: script.waitForGreeting,
    thinkTimeUs: script.thinkTimeUs,
    groups: script.groups,
  };
}

/** A lab case of the scenario's client with these keys and faults; explored runs take no seed. */
export function exploredCase(scenario: Scenario, overrides: Partial<ScenarioValues>, faults: LinkFaults): LabCase {
  return { overrides, client: scenarioClient(scenario), faults, seed: 0 };
}

/** The slicer that makes every write on its hop a split-or-not decision. */
const EVERY_WRITE_A_DECISION: FaultSpec = { name: 'slicer', numerator: 1, denominator: 2, maxPieces: 2 };

/** Destructive byte-triggered faults, each placed at a segment boundary. */
const BYTE_FAULTS: readonly ((afterBytes: number) => FaultSpec)[] = [
  (afterBytes) => ({ name: 'reset_peer', afterBytes }),
  (afterBytes) => ({ name: 'timeout', afterBytes }),
  (bytes) => ({ name: 'limit_data', bytes }),
  (afterBytes) => ({ name: 'half_close', afterBytes, direction: 'toListener' }),
  (afterBytes) => ({ name: 'half_close', afterBytes, direction: 'toConnector' }),
];

/**
 * The places one fault can go. `baseline` is the fault-free run with its trace: the payload
 * bytes each hop's connections had carried before each data segment.
 */
export function faultPlacements(destructive: boolean, baseline: RunReport): FaultPlacement[] {
  const slicers = HOPS.map((hop): FaultPlacement => ({ hop, fault: EVERY_WRITE_A_DECISION, where: `slicer on the ${hop} hop: each write split or not` }));
  if (!destructive) return slicers;
  return [
    ...slicers,
    ...HOPS.flatMap((hop) => segmentBoundaries(baseline, hop).flatMap((afterBytes) => BYTE_FAULTS.map((make): FaultPlacement => ({ hop, fault: make(afterBytes), where: `${hop} hop, segment starting at payload byte ${afterBytes}` })))),
  ];
}

/** The two nodes of each hop, as the trace names them (scenarios/run.ts). */
const HOP_NODES: Readonly<Record<Hop, readonly [string, string]>> = { client: ['client', 'front'], backend: ['front', 'postfix'], auth: ['front', 'auth'] };

/** Payload bytes carried on `hop` (both directions, its first connection) before each data segment of the traced run. */
function segmentBoundaries(baseline: RunReport, hop: Hop): number[] {
  const [a, b] = HOP_NODES[hop];
  const onHop = (baseline.trace ?? []).flatMap((event) =>
    event.kind === 'segment' && (event.len as number) > 0 && ((event.from === a && event.to === b) || (event.from === b && event.to === a)) ? [event] : []);
  const firstConn = onHop[0]?.conn;
  let carried = 0;
  const boundaries: number[] = [];
  for (const segment of onHop) {
    if (segment.conn !== firstConn) continue;
    boundaries.push(carried);
    carried += segment.len as number;
  }
  return boundaries;
}

/** Sets of up to k placements, no two on the same hop (a hop's faults apply to every connection on it), in a fixed order. */
export function placementSets(placements: readonly FaultPlacement[], k: number): FaultPlacement[][] {
  let sets: FaultPlacement[][] = [[]];
  const all: FaultPlacement[][] = [[]];
  for (let size = 1; size <= k; size++) {
    sets = sets.flatMap((set) => {
      const last = set.length === 0 ? -1 : placements.indexOf(set[set.length - 1] as FaultPlacement);
      return placements.slice(last + 1).filter((p) => !set.some((q) => q.hop === p.hop)).map((p) => [...set, p]);
    });
    all.push(...sets);
  }
  return all;
}

export function linkFaultsOf(set: readonly FaultPlacement[]): LinkFaults {
  const faults: Record<Hop, FaultSpec[]> = { client: [], backend: [], auth: [] };
  for (const placement of set) faults[placement.hop].push(placement.fault);
  return faults;
}
