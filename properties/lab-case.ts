/* lab-case - one generated trace: client behaviour, network, component timing, faults, seed
 *
 * A LabCase is plain data, so fast-check shrinks it and a replay token can carry it. The same
 * case runs on any scenario: `overrides` are applied on top of the scenario's own keys, and
 * the keys that make the scenario what it is (front.model, smtpd_forbid_unauth_pipelining) are
 * never generated, so "the same traces" on two scenarios differ only there. The releases are
 * drawn only for a property that holds on every release (release-scope.ts).
 */
import type { SocketAddress } from '../models/contract.ts';
import { SWAKS_REPLY_TIMEOUT_US, type ClientGroup, type ClientScript } from '../models/client/index.ts';
import { FAULT_CATALOGUE, faultDefinition, type FaultName, type FaultSpec } from '../sim/index.ts';
import { resolveScenario, type Scenario, type ScenarioKey, type ScenarioValues } from '../scenarios/index.ts';
import { replyTimeoutUsOf } from '../scenarios/client-script.ts';
import { runScenario, type LinkFaults, type RunOptions, type RunReport } from '../scenarios/run.ts';
import { frontAddress } from '../scenarios/topology.ts';
import { atReleases, type ReleaseChoice } from './release-scope.ts';

/** What the generated client does; turned into a ClientScript against the scenario's front. */
export interface ClientBehaviour {
  readonly user: string;
  readonly password: string;
  readonly helo: string;
  readonly waitForGreeting: boolean;
  readonly thinkTimeUs: number;
  /** Groups after connect (EHLO, AUTH, transactions, QUIT), as the client writes them. */
  readonly groups: readonly ClientGroup[];
}

export interface LabCase {
  /** Network and component timing keys (tcp.*, postfix timing, auth.*). */
  readonly overrides: Readonly<Partial<ScenarioValues>>;
  readonly client: ClientBehaviour;
  readonly faults: LinkFaults;
  readonly seed: number;
  /** Releases drawn in place of the scenario's (a property that holds on every release: release-scope.ts). */
  readonly releases?: ReleaseChoice;
}

/**
 * The scenario with the case's keys applied, on the case's releases when it drew any
 * (client.* keys follow the generated behaviour).
 * Keys the scenario itself gives (its definition or the user's --set) stay pinned: a user who
 * checks with `--set tcp.profile=quickack` gets every trace on quickack.
 */
export function scenarioFor(scenario: Scenario, labCase: LabCase): Scenario {
  const base = labCase.releases === undefined ? scenario : atReleases(scenario, labCase.releases);
  const generated = Object.fromEntries(Object.entries(labCase.overrides).filter(([key]) => !base.given.has(key as ScenarioKey)));
  return resolveScenario({
    name: base.name,
    description: base.description,
    values: {
      ...base.values,
      ...generated,
      'client.user': labCase.client.user,
      'client.password': labCase.client.password,
      'client.helo': labCase.client.helo,
    },
  });
}

/** The client script of a case: swaks' socket options, the scenario's client.timeout_s (default swaks' 30 s), the generated groups. */
export function scriptOf(labCase: LabCase, connectTo: SocketAddress, replyTimeoutUs = SWAKS_REPLY_TIMEOUT_US): ClientScript {
  return {
    connectTo,
    noDelay: false,
    waitForGreeting: labCase.client.waitForGreeting,
    thinkTimeUs: labCase.client.thinkTimeUs,
    replyTimeoutUs,
    groups: labCase.client.groups,
  };
}

export function runCase(base: Scenario, labCase: LabCase, trace = false): RunReport {
  return runResolvedCase(scenarioFor(base, labCase), labCase, trace);
}

/** Run a case on the scenario it resolved to (scenarioFor), for callers that need that scenario too; `explorer`: one explored schedule. */
export function runResolvedCase(ran: Scenario, labCase: LabCase, trace = false, explorer?: RunOptions['explorer']): RunReport {
  return runScenario(ran, { seed: labCase.seed, trace, faults: labCase.faults, script: scriptOf(labCase, frontAddress(ran), replyTimeoutUsOf(ran)), ...(explorer ? { explorer } : {}) });
}

/** A fault that can make a correct session fail through no fault of the proxy (the catalogue's `destructive`). */
export function hasDestructiveFault(faults: LinkFaults): boolean {
  const all: readonly FaultSpec[] = [...(faults.client ?? []), ...(faults.backend ?? []), ...(faults.auth ?? [])];
  return all.some((fault) => fault.name in FAULT_CATALOGUE && faultDefinition(fault.name as FaultName).destructive);
}
