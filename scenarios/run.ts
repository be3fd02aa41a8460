/* run - one simulated session of a scenario: build the chain in the simulator, run it, report
 *
 * The report is what `smtp-lab run --json` prints and what every property reads; it is
 * computed from what the models said (client result, log lines, facts), never from the
 * scenario's expectations.
 */
import type { FaultSpec, HeldConnection, IdleDeadlineEnd, KernelEnd } from '../sim/index.ts';
import type { RunExplorer } from '../sim/explore/run-explorer.ts';
import { Simulation, type LinkOptions } from '../sim/index.ts';
import type { FactRecord, LogRecord, TraceEvent } from '../sim/trace.ts';
import { SmtpClient, type ClientResult, type ClientScript } from '../models/client/index.ts';
import { clientScriptOf } from './client-script.ts';
import { chainPlanOf } from './chain-plan.ts';
import { buildChain, type ChainPlan, type ListenerRole } from './chain.ts';
import { frontModel } from '../models/front/index.ts';
import { oncePerScenario } from './once-per-scenario.ts';
import type { Scenario } from './scenario.ts';
import { hostsOf } from './topology.ts';
import { runQueueOf, wakeupOf } from './wakeup.ts';

/** Link faults per hop, from the listener's point of view (sim/faults/catalogue.ts). */
export interface LinkFaults {
  readonly client?: readonly FaultSpec[];
  readonly backend?: readonly FaultSpec[];
  readonly auth?: readonly FaultSpec[];
}

export interface RunOptions {
  readonly seed: number;
  /** The client's script; default: swaks with the scenario's client.* keys. */
  readonly script?: ClientScript;
  readonly faults?: LinkFaults;
  /** Record the full trace (for diagrams and replay); off for speed. */
  readonly trace?: boolean;
  /** Event bound of the run; hitting it is a liveness failure (LivenessError). */
  readonly maxSteps?: number;
  /** `smtp-lab explore`: every decision from this schedule instead of the seed. */
  readonly explorer?: RunExplorer;
  /** The wall clock's phase at the run's start, µs into its second; default: drawn (Simulation.wallClockPhaseUs). */
  readonly wallClockPhaseUs?: number;
}

export interface RunReport {
  readonly scenario: string;
  readonly seed: number;
  readonly client: {
    readonly replies: readonly string[];
    readonly authReply: string | null;
    readonly authToReplyMs: number | null;
    readonly authenticated: boolean;
    readonly closedBy: ClientResult['closedBy'];
    readonly quitAnswered: boolean;
    readonly error: string | null;
    readonly done: boolean;
    readonly acceptedMessages: ClientResult['acceptedMessages'];
  };
  readonly backend: { readonly connections: number };
  readonly postfix: { readonly log: readonly string[] };
  readonly front: { readonly log: readonly string[] };
  readonly queue: readonly { readonly id: string; readonly from: string; readonly to: readonly string[]; readonly size: number; readonly saslUser: string | null }[];
  /** Messages Postfix accepted with 250 and discarded on an smtpd access table's DISCARD: not queued. */
  readonly discarded: readonly { readonly id: string }[];
  /** Postfix found unread input where smtpd checks for it (the race was lost). */
  readonly improperPipelining: readonly string[];
  readonly facts: readonly FactRecord[];
  /** Virtual time when the last event ran. */
  readonly endedAtUs: number;
  /** Virtual time when the client's session ended, or null if it never did. */
  readonly clientEndedAtUs: number | null;
  /** Connections some component still held when no event was left: each one is a hang. */
  readonly heldAtEnd: readonly HeldConnection[];
  /** Connections the kernel failed with ETIMEDOUT (keepalive, retransmission) because a peer went silent, in order. */
  readonly kernelEnded: readonly KernelEnd[];
  /** Sessions a program's own idle deadline ended (nginx's proxy_timeout), in order, with the model timers' last fire before each. */
  readonly idleDeadlineEnded: readonly IdleDeadlineEnd[];
  readonly trace?: readonly TraceEvent[];
}

/**
 * How the client's session ended: its QUIT answered, the server closed or reset the connection,
 * the client gave up waiting (client.timeout_s), the connect failed, or the client closed without
 * QUIT (its script ended, or a reply was too long: `client.error` says which).
 */
export type SessionEnd = 'quit' | 'server-closed' | 'reset' | 'client-timeout' | 'connect-failed' | 'client-closed' | 'not-ended';

export function sessionEndOf(client: RunReport['client']): SessionEnd {
  switch (client.closedBy) {
    case null:
      return 'not-ended';
    case 'client':
      return client.quitAnswered ? 'quit' : 'client-closed';
    case 'server':
      return 'server-closed';
    case 'reset':
      return 'reset';
    case 'timeout':
      return 'client-timeout';
    case 'connectFailed':
      return 'connect-failed';
  }
}

export const DEFAULT_MAX_STEPS = 200_000;

/** The report without its trace: what JSON outputs print (the trace goes to its own file). */
export function withoutTrace(report: RunReport): Omit<RunReport, 'trace'> {
  const { trace: _trace, ...rest } = report;
  return rest;
}

function linkOf(profile: LinkOptions['profile'], oneWayDelayUs: number, faults: readonly FaultSpec[] | undefined): LinkOptions {
  return { profile, oneWayDelayUs, ...(faults && faults.length > 0 ? { faults } : {}) };
}

const logText = (record: LogRecord) => `${record.program}: ${record.line}`;

/** smtpd's "connect from" line (logText's "postfix/smtpd: connect from ..."), read off the record: no joined text to search. */
const isSmtpdConnect = (record: LogRecord) => record.program === 'postfix/smtpd' && record.line.startsWith('connect from ');

/** The wake-up options of Postfix and the front (none when the scenario's keys leave the model out), once per scenario. */
const wakeupOfScenario = oncePerScenario((scenario) => wakeupOf(scenario).wakeup ?? null);
/** The run-queue wait every node of the run takes (sim/run-queue.ts), once per scenario. */
const runQueueOfScenario = oncePerScenario((scenario) => runQueueOf(scenario).runQueue ?? null);

/** Each listener's link: its TCP profile and one-way delay from the scenario, the faults of its hop. */
function linksOf(scenario: Scenario, faults: LinkFaults | undefined): Readonly<Record<ListenerRole, LinkOptions>> {
  const delay = scenario.get('tcp.one_way_delay_us');
  const backendLink = linkOf(scenario.get('tcp.profile'), delay, faults?.backend);
  return {
    'postfix-submission': backendLink,
    'postfix-smtp': backendLink,
    auth: linkOf('linux-default', delay, faults?.auth),
    front: linkOf(scenario.get('tcp.client_profile'), delay, faults?.client),
    'front-tls': linkOf(scenario.get('tcp.client_profile'), delay, faults?.client),
  };
}

/** The links of a run without faults (most runs), once per scenario. */
const faultlessLinksOf = oncePerScenario((scenario) => linksOf(scenario, undefined));

/** The default script (swaks with the scenario's client.* keys), built once per scenario. */
const defaultScriptOf = oncePerScenario((scenario) => clientScriptOf(scenario, hostsOf(scenario).front));

/**
 * The plan with the front's wall clock at the run's phase (decision wallClockPhaseUs), for a front
 * whose behaviour depends on it; other fronts draw nothing.
 */
function atWallClockPhase(plan: ChainPlan, sim: Simulation): ChainPlan {
  const row = frontModel(plan.front.kind);
  if (!row.withWallClockPhase) return plan;
  const phaseUs = sim.wallClockPhaseUs();
  return { ...plan, front: { ...plan.front, config: (peers) => row.withWallClockPhase!(plan.front.config(peers), phaseUs) } };
}

export function runScenario(scenario: Scenario, options: RunOptions): RunReport {
  const hosts = hostsOf(scenario);
  const schedulingJitterUs = scenario.get('sim.scheduling_jitter_us');
  const wakeup = wakeupOfScenario(scenario);
  const runQueue = runQueueOfScenario(scenario);
  const explorer = options.explorer;
  const sim = new Simulation({
    seed: options.seed, trace: options.trace ?? false,
    ...(explorer ? { choices: explorer, explorer } : {}),
    ...(options.wallClockPhaseUs === undefined ? {} : { wallClockPhaseUs: options.wallClockPhaseUs }),
  });

  const links = options.faults === undefined ? faultlessLinksOf(scenario) : linksOf(scenario, options.faults);
  const chain = buildChain(atWallClockPhase(chainPlanOf(scenario), sim), (node) => {
    // Postfix and the front are the processes the wake-up model was calibrated on; the auth
    // service (gunicorn) has no measured scheduling of its own (docs/conformance.md).
    const scheduled = node.role !== 'auth';
    // Fields written out rather than spread: this runs for every node of every run.
    sim.addNode(node.model, {
      host: node.host,
      schedulingJitterUs: scheduled ? schedulingJitterUs : 0,
      wakeup: scheduled && wakeup !== null ? wakeup : undefined,
      // Every process waits for a CPU on a loaded machine, the auth service's too (its step's gap
      // in the captures has the same tail, docs/conformance.md disagreement 12).
      runQueue: runQueue ?? undefined,
      listen: node.listen.map(({ role, address }) => ({ host: address.host, port: address.port, link: links[role] })),
    });
    return node.listen.map(({ address }) => address);
  });
  const { postfix, front } = chain;
  // chainPlanOf always plans the model Postfix; an external backend is the socket runtime's alone.
  if (postfix === null) throw new Error('runScenario: the chain has no model Postfix');
  const client = new SmtpClient(options.script ?? defaultScriptOf(scenario));
  sim.addNode(client, { host: hosts.client, runQueue: runQueue ?? undefined });

  const result = sim.runUntilIdle(options.maxSteps ?? DEFAULT_MAX_STEPS);
  const clientResult = client.result();
  const facts = sim.facts();
  const postfixRecords = sim.logs(postfix.name);
  // Loops, not filter/flatMap: no array per record (this runs for every run). Backend connections are
  // counted where the real stack counted them: smtpd's "connect from" line per accepted connection.
  let backendConnections = 0;
  for (const record of postfixRecords) if (isSmtpdConnect(record)) backendConnections++;
  const improperPipelining: string[] = [];
  for (const record of facts) if (record.fact.kind === 'improperPipelining') improperPipelining.push(record.fact.unread);
  return {
    scenario: scenario.name,
    seed: options.seed,
    client: {
      replies: clientResult.replies,
      authReply: clientResult.authReply,
      authToReplyMs: clientResult.authToReplyUs === null ? null : clientResult.authToReplyUs / 1000,
      authenticated: clientResult.authenticated,
      closedBy: clientResult.closedBy,
      quitAnswered: clientResult.quitAnswered,
      error: clientResult.error,
      done: clientResult.done,
      acceptedMessages: clientResult.acceptedMessages,
    },
    backend: { connections: backendConnections },
    postfix: { log: postfixRecords.map(logText) },
    front: { log: sim.logs(front.name).map(logText) },
    queue: postfix.queue.messages.map((m) => ({ id: m.queueId, from: m.from, to: m.to, size: m.size, saslUser: m.saslUser })),
    discarded: postfix.queue.discarded.map((m) => ({ id: m.queueId })),
    improperPipelining,
    facts,
    endedAtUs: result.now,
    clientEndedAtUs: facts.find((record) => record.node === client.name && record.fact.kind === 'sessionEnded')?.t ?? null,
    heldAtEnd: sim.heldConnections(),
    kernelEnded: sim.kernelEnds(),
    idleDeadlineEnded: sim.idleDeadlineEnds(),
    ...(options.trace ? { trace: sim.trace.events } : {}),
  };
}
