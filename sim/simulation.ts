/* simulation - the deterministic run loop: nodes (models), listeners, TCP connections, timers, trace
 *
 * API (docs/architecture.md):
 *   const sim = new Simulation({ seed, trace? });
 *   sim.addNode(model, { listen?: [{ host, port, link? }], host? });
 *   sim.runUntilIdle(maxSteps) / sim.runUntil(timeUs, maxSteps) -> { idle, steps, now }
 *   sim.now, sim.trace (TraceRecorder), sim.logs(node?), sim.facts(node?)
 * Models are driven only through models/contract.ts: handle(now, input), then
 * poll() until empty, acting on each Output. One seed feeds every random
 * decision; the event queue orders ties by insertion, so a seed replays exactly.
 * Accepted connections get ids "<conn label>" ("c1", "c2", ... in connect order),
 * the same label the trace uses; outgoing ones keep the id the model chose.
 */
import type { ConnId, Fact, Input, KeepAlive, Micros, Model, Output, SocketAddress } from '../models/contract.ts';
import { bytesToLatin1 } from '../models/contract.ts';
import { PrngChoices, type ChoiceSource } from './choices.ts';
import { VirtualClock } from './clock.ts';
import { Decider } from './decisions.ts';
import { LivenessError, SimConfigError } from './errors.ts';
import { EventQueue, type PendingEvent } from './event-queue.ts';
import type { SimulationExplorer } from './explore/hooks.ts';
import { checkFaults, type CheckedFault, type FaultSpec } from './faults/catalogue.ts';
import { Link } from './faults/link.ts';
import type { KernelTimer, SimEvent } from './sim-event.ts';
import { TcpConnection, type TcpHost } from './tcp/connection.ts';
import { TcpEndpoint } from './tcp/endpoint.ts';
import { LOOPBACK_MSS, LOOPBACK_ONE_WAY_US, tcpProfile, type TcpProfile, type TcpProfileName } from './tcp/profiles.ts';
import { TraceRecorder, type FactRecord, type LogRecord } from './trace.ts';
import { DueTimers, SCHED_SLICE_US } from './due-timers.ts';
import { RunQueueState, type RunQueueOptions } from './run-queue.ts';
import { WakeupState, optionsForRun, type WakeupOptions } from './wakeup.ts';

export interface LinkOptions {
  readonly profile?: TcpProfileName;
  /** One-way delay per segment, default 10 µs (loopback). */
  readonly oneWayDelayUs?: number;
  /** Default 65483 (loopback). */
  readonly mss?: number;
  readonly faults?: readonly FaultSpec[];
}

export interface ListenOptions {
  readonly host: string;
  readonly port: number;
  readonly link?: LinkOptions;
  /** SO_KEEPALIVE on the connections accepted here; default: the model's keepAliveOnAccept. */
  readonly keepAlive?: KeepAlive;
}

export interface NodeOptions {
  readonly listen?: readonly ListenOptions[];
  /** Address of the node's outgoing connections (default 127.0.0.1). */
  readonly host?: string;
  /**
   * Scheduling noise: every timer the node sets fires up to this many µs late (seeded, decision
   * `schedulingDelayUs`). A real daemon's reaction times vary by tens of µs with what the CPU is
   * doing, which is what makes the quick-ACK races of the real stack "sometimes" (trials.tsv).
   */
  readonly schedulingJitterUs?: number;
  /** Who runs first when this node and a peer with the same option wake each other (sim/wakeup.ts); none: no such model. */
  readonly wakeup?: WakeupOptions;
  /** How long this node waits for a CPU when woken on a loaded machine (sim/run-queue.ts); none: never. */
  readonly runQueue?: RunQueueOptions;
}

export interface SimulationOptions {
  readonly seed: number;
  /** Record the full trace (default true). Off: only logs and facts are kept. */
  readonly trace?: boolean;
  /** Where the decisions come from (choices.ts); default: the PRNG seeded with `seed`. */
  readonly choices?: ChoiceSource;
  /** `smtp-lab explore` (explore/hooks.ts): sees every model input and picks among simultaneous events. */
  readonly explorer?: SimulationExplorer;
  /**
   * The wall clock's phase at virtual time 0 (wallClockPhaseUs), when a real run measured it (a
   * live conformance case's capture); default: drawn from the seed.
   */
  readonly wallClockPhaseUs?: number;
}

/** What explore/state-digest.ts reads of a run between events: see ExplorationView. */
export interface NodeView {
  readonly index: number;
  readonly conns: ReadonlyMap<ConnId, { readonly conn: TcpConnection | null; readonly side: 0 | 1 }>;
  readonly timers: ReadonlyMap<string, number>;
  readonly wakeup: WakeupState | null;
  readonly runQueue: RunQueueState | null;
}

export interface ExplorationView {
  readonly now: Micros;
  readonly connCount: number;
  /** The run's wall-clock phase, if one was drawn (wallClockPhaseUs): models' configurations hold it. */
  readonly clockPhaseUs: number | undefined;
  readonly nodes: readonly NodeView[];
  /** The event queue in the order it would pop (a sorted copy: ask only when it is needed). */
  pending(): readonly PendingEvent<SimEvent>[];
}

/** A connection whose socket a kernel timer failed with ETIMEDOUT (tcp/kernel-timers.ts). */
export interface KernelEnd {
  readonly node: string;
  /** The model's own id of the connection. */
  readonly conn: ConnId;
  /** The trace's label ("c3"). */
  readonly label: string;
  readonly timer: KernelTimer;
  /** When the socket failed. */
  readonly atUs: Micros;
  /** Since when the peer had been silent: the last segment heard (keepalive) or the unacknowledged head's sending (retransmit). */
  readonly quietSinceUs: Micros;
  /** When a model's own timer last fired before this (0: none had): how long the daemons kept busy before the kernel acted. */
  readonly lastTimerFiredUs: Micros;
  /** The model's word, when the kernel acted, that the real program has no deadline of its own there (Model.deadlineLeftToKernel or waitsWithoutDeadline), or null. */
  readonly realProgramWaits: string | null;
}

/** A session a program's own idle deadline ended (a model's idleDeadline fact: nginx's proxy_timeout). */
export interface IdleDeadlineEnd {
  readonly node: string;
  /** The program's setting that struck ("proxy_timeout"). */
  readonly setting: string;
  readonly atUs: Micros;
  /** Since when its peers had been silent (the client last heard, for nginx): the deadline's length before atUs. */
  readonly quietSinceUs: Micros;
  /**
   * When another model timer last fired before this (0: none had), as KernelEnd.lastTimerFiredUs:
   * how long the daemons kept busy while the session was quiet. The deadline's own timer is left
   * out, its earlier fires too (nginx's proxy_timeout comes due and is set again from the client's
   * last event, relayDeadline(): one deadline, not work).
   */
  readonly lastTimerFiredUs: Micros;
}

/**
 * A connection a model still holds: it has neither closed nor aborted it, and no RST killed it.
 * At quiescence (no event left) nothing will ever touch it again: a hang, as a real daemon
 * blocked in read() with no timeout would be.
 */
export interface HeldConnection {
  readonly node: string;
  /** The model's own id of the connection. */
  readonly conn: ConnId;
  /** The trace's label ("c3"). */
  readonly label: string;
  /** The model has sent its FIN (shutdown) and waits for the peer's. */
  readonly shutDown: boolean;
  /** The peer's FIN has arrived (the model saw eof) and the model still holds the socket. */
  readonly peerFinished: boolean;
  /** The model's word that the real program waits here with no deadline too (Model.waitsWithoutDeadline), or null. */
  readonly realProgramWaits: string | null;
}

export interface RunResult {
  /** No events are left. */
  readonly idle: boolean;
  /** Events processed by this call. */
  readonly steps: number;
  readonly now: Micros;
}

/** A node's pending timers by name with their generations, in the order they became pending (NodeView.timers). */
function liveTimers(node: NodeState): ReadonlyMap<string, number> {
  const pending = [...node.timerSlots].filter(([, slot]) => slot.gen !== 0);
  pending.sort(([, a], [, b]) => a.pendingSince - b.pendingSince);
  return new Map(pending.map(([name, slot]) => [name, slot.gen]));
}

/** Node PRNG streams are numbered above any connection count a run can reach. */
const NODE_STREAM_BASE = 0x4000_0000;
/** The run-wide machine-load decision's stream (below the node streams, above any connection count). */
const MACHINE_STREAM = 0x3fff_ffff;
/**
 * The wall-clock phase decision's stream: split from a root of its own made from the seed, not
 * from the run's root, since a split takes a draw from its parent and would move every stream
 * split after it (every node's and connection's decisions of every seeded run).
 */
const CLOCK_STREAM = 0x3fff_fffe;
/** The run's load-burst decision (sim/run-queue.ts), on a root of its own for the same reason. */
const BURST_STREAM = 0x3fff_fffd;

/** Most outputs one model may emit for one input before it counts as a livelock. */
const MAX_OUTPUTS_PER_TURN = 100_000;

interface Listener {
  readonly node: number;
  readonly address: SocketAddress;
  readonly profile: TcpProfile;
  readonly oneWayDelayUs: number;
  readonly mss: number;
  readonly faults: readonly CheckedFault[];
  readonly keepAlive: KeepAlive;
}

/**
 * One model timer of a node, by name, for the whole run: the generation of its pending setting
 * (0: none pending) and when it last became pending. A queued timer event carries its slot, so
 * that telling a stale event (cancelled or re-set since) and firing a timer need no lookup by name.
 */
interface TimerSlot {
  gen: number;
  pendingSince: number;
  /** When it last fired (0: never): lastTimerFiredBefore() reads the chain's last timer work off the slots. */
  firedUs: Micros;
}

interface NodeState {
  readonly index: number;
  readonly model: Model;
  readonly host: string;
  started: boolean;
  /** Null conn: a connect whose refusal is still on its way back. */
  readonly conns: Map<ConnId, { conn: TcpConnection | null; side: 0 | 1 }>;
  /** Every timer name the model has set, pending or not (liveTimers() is the view of the pending ones). */
  readonly timerSlots: Map<string, TimerSlot>;
  readonly schedulingJitterUs: number;
  /** The node's own timers' due times, kept when a scheduling model asks whether it sleeps. */
  readonly due: DueTimers | null;
  readonly wakeup: WakeupState | null;
  readonly runQueue: RunQueueState | null;
  /** Own PRNG stream, so one node's draws never shift another's. */
  readonly decider: Decider;
  readonly logs: LogRecord[];
  readonly facts: FactRecord[];
}

export class Simulation implements TcpHost {
  readonly seed: number;
  readonly trace: TraceRecorder;
  private readonly clock = new VirtualClock();
  private readonly queue = new EventQueue<SimEvent>();
  private readonly decider: Decider;
  /** Draws the wall-clock phase (CLOCK_STREAM). */
  private readonly clockDecider: Decider;
  private readonly explorer: SimulationExplorer | undefined;
  /** The run's machine load (sim/wakeup.ts), once drawn. */
  private busy: boolean | undefined;
  /** Whether the run is in a burst of load (sim/run-queue.ts), once drawn. */
  private inBurst: boolean | undefined;
  /** Where the decisions come from, for the burst's decider (made when a node first asks). */
  private readonly choices: ChoiceSource | undefined;
  /** The run's wall-clock phase (wallClockPhaseUs), once drawn. */
  private clockPhase: number | undefined;
  private readonly nodes: NodeState[] = [];
  private readonly nodesByName = new Map<string, NodeState>();
  /** Listeners by host, then port (no "host:port" string per connect, as usedPorts). */
  private readonly listeners = new Map<string, Map<number, Listener>>();
  /** Ephemeral ports taken, by host (numbers per host: no "host:port" string per probe). */
  private readonly usedPorts = new Map<string, Set<number>>();
  private timerGen = 0;
  /** Counts the times a timer became pending: orders liveTimers() as a Map of the pending ones, deleted when they fire or are cancelled, would be. */
  private timerPendings = 0;
  private connCount = 0;
  private readonly allLogs: LogRecord[] = [];
  private readonly allFacts: FactRecord[] = [];
  private readonly kernelEnded: KernelEnd[] = [];
  private readonly idleDeadlineEnded: IdleDeadlineEnd[] = [];

  constructor(options: SimulationOptions) {
    this.seed = options.seed;
    this.trace = new TraceRecorder(options.trace ?? true);
    this.decider = new Decider(options.choices ?? PrngChoices.seeded(options.seed), this.trace, this.clock, '');
    this.clockDecider = new Decider(options.choices ?? PrngChoices.seeded(options.seed).split(CLOCK_STREAM), this.trace, this.clock, 'clock');
    this.explorer = options.explorer;
    this.choices = options.choices;
    if (options.wallClockPhaseUs !== undefined) {
      if (!Number.isSafeInteger(options.wallClockPhaseUs) || options.wallClockPhaseUs < 0 || options.wallClockPhaseUs > 999_999) {
        throw new SimConfigError(`wallClockPhaseUs must be an integer from 0 to 999999, got ${options.wallClockPhaseUs}`);
      }
      this.clockPhase = options.wallClockPhaseUs;
    }
    this.explorer?.attach(() => this.explorationView());
    this.trace.record({ t: 0, kind: 'run', seed: options.seed, options: { trace: this.trace.enabled } });
  }

  /**
   * Whether this run is under load (sim/wakeup.ts busyPerMille): drawn once, on its own stream,
   * by the first node whose options ask; runs without the option draw nothing.
   */
  private underLoad(options: WakeupOptions): boolean {
    if ((options.busyPerMille ?? 0) === 0) return false;
    this.busy ??= this.decider.forConnection('machine', MACHINE_STREAM).sessionUnderLoad(options.busyPerMille!);
    return this.busy;
  }

  /**
   * Whether this run is in a burst of load (sim/run-queue.ts): drawn once, on a stream of its own,
   * at the first wake-up of a node with run-queue options, with the chance of the run's load state
   * (underLoad, drawn when the nodes were added; a run without the load model is not under load).
   * A chance of 0 draws nothing.
   */
  private loadBurst(options: RunQueueOptions): boolean {
    const perMille = (this.busy ? options.busyBurstPerMille : options.idleBurstPerMille) ?? 0;
    if (perMille === 0) return false;
    this.inBurst ??= new Decider(this.choices ?? PrngChoices.seeded(this.seed).split(BURST_STREAM), this.trace, this.clock, 'machine').sessionInLoadBurst(perMille);
    return this.inBurst;
  }

  get now(): Micros {
    return this.clock.now;
  }

  /**
   * Where in its second the machine's wall clock stands at virtual time 0, in µs (decision
   * wallClockPhaseUs, on a stream of its own, drawn once per run when asked): the real stack's runs
   * start at any instant of a second, and daemons that compare whole seconds (Dovecot's
   * ioloop_time) act half a second apart on the two halves of it.
   */
  wallClockPhaseUs(): number {
    this.clockPhase ??= this.clockDecider.wallClockPhaseUs();
    return this.clockPhase;
  }

  /** Add a model; its listeners take connections from now on. Returns the node's name. */
  addNode(model: Model, options: NodeOptions = {}): string {
    if (this.nodesByName.has(model.name)) throw new SimConfigError(`a node named '${model.name}' already exists`);
    const jitter = options.schedulingJitterUs ?? 0;
    if (!Number.isSafeInteger(jitter) || jitter < 0) throw new SimConfigError(`${model.name}: schedulingJitterUs must be a non-negative integer, got ${jitter}`);
    const due = options.wakeup || options.runQueue ? new DueTimers() : null;
    const node: NodeState = {
      index: this.nodes.length, model, host: options.host ?? '127.0.0.1', started: false,
      conns: new Map(), timerSlots: new Map(), logs: [], facts: [],
      schedulingJitterUs: options.schedulingJitterUs ?? 0,
      due,
      wakeup: options.wakeup && due ? new WakeupState(optionsForRun(options.wakeup, this.underLoad(options.wakeup)), due) : null,
      runQueue: options.runQueue ? new RunQueueState(options.runQueue, () => this.loadBurst(options.runQueue!)) : null,
      decider: this.decider.forConnection(`node:${model.name}`, NODE_STREAM_BASE + this.nodes.length),
    };
    for (const listen of options.listen ?? []) {
      const key = `${listen.host}:${listen.port}`;
      let onHost = this.listeners.get(listen.host);
      if (onHost === undefined) {
        onHost = new Map();
        this.listeners.set(listen.host, onHost);
      }
      if (onHost.has(listen.port)) throw new SimConfigError(`${key} is already listened on`);
      const link = listen.link ?? {};
      const oneWayDelayUs = link.oneWayDelayUs ?? LOOPBACK_ONE_WAY_US;
      const mss = link.mss ?? LOOPBACK_MSS;
      if (!Number.isSafeInteger(oneWayDelayUs) || oneWayDelayUs < 0) throw new SimConfigError(`${key}: oneWayDelayUs must be a non-negative integer, got ${oneWayDelayUs}`);
      if (!Number.isSafeInteger(mss) || mss < 1) throw new SimConfigError(`${key}: mss must be a positive integer, got ${mss}`);
      onHost.set(listen.port, {
        node: node.index, address: { host: listen.host, port: listen.port }, profile: tcpProfile(link.profile ?? 'linux-default'),
        oneWayDelayUs, mss, faults: checkFaults(link.faults), keepAlive: listen.keepAlive ?? model.keepAliveOnAccept ?? false,
      });
    }
    this.nodes.push(node);
    this.nodesByName.set(model.name, node);
    return model.name;
  }

  /** Run until no event is left. Throws LivenessError (with the seed) when maxSteps events were not enough. */
  runUntilIdle(maxSteps: number): RunResult {
    return this.runUntil(Infinity, maxSteps);
  }

  /** Run events up to and including time `timeUs` (then the clock stands at timeUs). */
  runUntil(timeUs: Micros, maxSteps: number): RunResult {
    if (!(maxSteps >= 0)) throw new SimConfigError(`maxSteps must be a non-negative number, got ${maxSteps}`);
    this.startNodes();
    let steps = 0;
    while (this.queue.size > 0) {
      if (this.queue.peekTime() > timeUs) {
        this.clock.advanceTo(timeUs);
        return { idle: false, steps, now: this.now };
      }
      if (steps >= maxSteps) {
        throw new LivenessError(this.seed, maxSteps, this.now, `not idle after ${maxSteps} steps, ${this.queue.size} events pending`);
      }
      const time = this.queue.peekTime();
      const event = this.explorer ? this.popChosen(time, this.explorer) : (this.queue.pop() as SimEvent);
      steps++;
      // A cancelled or re-set timer, or a kernel timer with nothing to do, is skipped without moving the clock: an idle run ends at its last real event.
      if (this.isStaleTimer(event) || (event.type === 'kernel' && !event.conn.kernelTimerDue(event, time))) continue;
      this.clock.advanceTo(time);
      this.dispatch(event);
    }
    if (timeUs !== Infinity && timeUs > this.now) this.clock.advanceTo(timeUs);
    return { idle: true, steps, now: this.now };
  }

  /** Log lines the models emitted, in order; only those of `node` when given. */
  logs(node?: string): readonly LogRecord[] {
    return node === undefined ? this.allLogs : this.nodeNamed(node).logs;
  }

  /** Facts the models emitted, in order; only those of `node` when given. */
  facts(node?: string): readonly FactRecord[] {
    return node === undefined ? this.allFacts : this.nodeNamed(node).facts;
  }

  /** Connections a kernel timer ended, in the order they ended (see KernelEnd). */
  kernelEnds(): readonly KernelEnd[] {
    return this.kernelEnded;
  }

  /** Sessions a program's own idle deadline ended, in order (see IdleDeadlineEnd). */
  idleDeadlineEnds(): readonly IdleDeadlineEnd[] {
    return this.idleDeadlineEnded;
  }

  /** Connections the models still hold, in node order (see HeldConnection). */
  heldConnections(): HeldConnection[] {
    const held: HeldConnection[] = [];
    for (const node of this.nodes) {
      for (const [id, entry] of node.conns) {
        if (entry.conn === null) continue; // a refusal still on its way back
        const end = entry.conn.ends[entry.side];
        if (end.dead) continue;
        held.push({
          node: node.model.name, conn: id, label: entry.conn.id, shutDown: end.finRequested, peerFinished: end.finReceived,
          realProgramWaits: node.model.waitsWithoutDeadline?.(id) ?? null,
        });
      }
    }
    return held;
  }

  /** The state explore/state-digest.ts hashes. */
  explorationView(): ExplorationView {
    const nodes = this.nodes.map((node) => ({ index: node.index, conns: node.conns, timers: liveTimers(node), wakeup: node.wakeup, runQueue: node.runQueue }));
    return { now: this.now, connCount: this.connCount, clockPhaseUs: this.clockPhase, nodes, pending: () => this.queue.pending() };
  }

  // ---- TcpHost ----

  schedule(at: number, event: SimEvent): void {
    this.queue.push(at, event);
  }

  announce(conn: TcpConnection, end: TcpEndpoint): void {
    const node = this.nodes[end.node] as NodeState;
    end.announced = true;
    if (end.side === 1) {
      end.modelConn = conn.id;
      node.conns.set(conn.id, { conn, side: 1 });
      if (this.trace.enabled) this.trace.record({ t: this.now, kind: 'accept', conn: conn.id, node: node.model.name, remote: end.remote });
      this.toModel(end, { kind: 'accepted', conn: conn.id, local: end.local, remote: end.remote });
    } else {
      this.toModel(end, { kind: 'connected', conn: end.modelConn, local: end.local, remote: end.remote });
    }
  }

  toModel(end: TcpEndpoint, input: Input): void {
    this.feed(this.nodes[end.node] as NodeState, input);
  }

  timedOut(conn: TcpConnection, end: TcpEndpoint, timer: KernelTimer, quietSinceUs: number): void {
    const model = (this.nodes[end.node] as NodeState).model;
    const realProgramWaits = model.deadlineLeftToKernel?.(end.modelConn) ?? model.waitsWithoutDeadline?.(end.modelConn) ?? null;
    this.kernelEnded.push({ node: end.nodeName, conn: end.modelConn, label: conn.id, timer, atUs: this.now, quietSinceUs, lastTimerFiredUs: this.lastTimerFiredBefore(Infinity), realProgramWaits });
    if (this.trace.enabled) this.trace.record({ t: this.now, kind: 'rst', conn: conn.id, node: end.nodeName, why: timer });
    if (end.announced) this.toModel(end, { kind: 'reset', conn: end.modelConn, errno: 'ETIMEDOUT' });
  }

  // ---- internals ----

  private startNodes(): void {
    for (const node of this.nodes) {
      if (node.started) continue;
      node.started = true;
      node.model.start?.(this.now);
      this.drain(node);
      this.settleWakes(node);
    }
  }

  /** Exploration: the explorer picks which event due at `time` runs now; the others go back in their order. */
  private popChosen(time: number, explorer: SimulationExplorer): SimEvent {
    const due: SimEvent[] = [this.queue.pop() as SimEvent];
    // bounded by the queue's size
    while (this.queue.peekTime() === time) due.push(this.queue.pop() as SimEvent);
    const chosen = due.length === 1 ? 0 : explorer.nextOf(due);
    for (let i = 0; i < due.length; i++) if (i !== chosen) this.queue.push(time, due[i] as SimEvent);
    explorer.dispatching(due[chosen] as SimEvent);
    return due[chosen] as SimEvent;
  }

  /**
   * When a model timer last fired before `beforeUs` (0: none had). Read off the slots, each keeping
   * its last fire, so that a timer's fire costs one assignment and an end can leave out the timer
   * that struck it: that one has just fired, at the end's own instant, and its earlier fires went
   * with that write (a timer that fired at that same instant is left out with it).
   */
  private lastTimerFiredBefore(beforeUs: Micros): Micros {
    let last = 0;
    for (const node of this.nodes) {
      for (const slot of node.timerSlots.values()) if (slot.firedUs < beforeUs && slot.firedUs > last) last = slot.firedUs;
    }
    return last;
  }

  /** The end a model's idleDeadline fact reports, emitted as the deadline's timer fired (now). */
  private idleDeadlineEnd(node: NodeState, fact: Extract<Fact, { kind: 'idleDeadline' }>): IdleDeadlineEnd {
    return { node: node.model.name, setting: fact.setting, atUs: this.now, quietSinceUs: this.now - fact.afterUs, lastTimerFiredUs: this.lastTimerFiredBefore(this.now) };
  }

  private isStaleTimer(event: SimEvent): boolean {
    return event.type === 'timer' && event.slot.gen !== event.gen;
  }

  private dispatch(event: SimEvent): void {
    switch (event.type) {
      case 'arrive':
        event.conn.arrive(event.side, event.seg);
        return;
      case 'delack':
        event.conn.delackFired(event.side, event.gen);
        return;
      case 'kernel':
        // runUntil has skipped it unless it is due (kernelTimerDue)
        event.conn.kernelTimerFired(event);
        return;
      case 'timer': {
        // runUntil has skipped the event if the timer was cancelled or re-set meanwhile (isStaleTimer)
        const node = this.nodes[event.node] as NodeState;
        if (node.wakeup && node.wakeup.frozenBy >= 0) {
          node.wakeup.deferred.push({ name: event.name, gen: event.gen });
          return;
        }
        if (node.runQueue?.waiting(this.now)) {
          // sim/run-queue.ts: a process waiting for a CPU runs its timers after the inputs it holds (still skipped if cancelled by then)
          this.queue.push(node.runQueue.hold(this.now), { type: 'call', run: () => {
            node.runQueue!.release();
            this.queue.push(this.now, event);
          } });
          return;
        }
        event.slot.gen = 0;
        node.due?.set(event.name, null);
        event.slot.firedUs = this.now;
        if (this.trace.enabled) this.trace.record({ t: this.now, kind: 'fire', node: node.model.name, timer: event.name });
        this.feed(node, { kind: 'timeout', timer: event.name });
        return;
      }
      case 'refused': {
        const node = this.nodes[event.node] as NodeState;
        if (node.conns.get(event.conn)?.conn !== null) return; // closed by the model meanwhile
        node.conns.delete(event.conn);
        this.feed(node, { kind: 'connectFailed', conn: event.conn, reason: 'refused', local: event.local });
        return;
      }
      case 'call':
        event.run();
        return;
    }
  }

  private feed(node: NodeState, input: Input): void {
    const runQueue = node.runQueue;
    if (runQueue) {
      // sim/run-queue.ts: input from the network may wake it into a wait for a CPU; while it waits, it handles nothing
      if (input.kind !== 'timeout' && !runQueue.waiting(this.now) && this.sleeps(node)) runQueue.woken(node.decider, this.now);
      if (runQueue.waiting(this.now)) {
        this.queue.push(runQueue.hold(this.now), { type: 'call', run: () => {
          runQueue.release();
          this.handle(node, input);
        } });
        return;
      }
    }
    this.handle(node, input);
  }

  private handle(node: NodeState, input: Input): void {
    this.explorer?.modelInput(node.index, this.now, input);
    node.model.handle(this.now, input);
    this.drain(node);
    this.settleWakes(node);
  }

  /**
   * sim/run-queue.ts: whether input from the network wakes `node` from sleep: no timer of its own
   * due within a slice, not frozen, owing no wake-up latency (wakeup.ts), and not running at once
   * because its wake-up preempted (froze) the writer.
   */
  private sleeps(node: NodeState): boolean {
    if (node.wakeup ? !node.wakeup.sleeps(this.now) : node.due!.workWithinSlice(this.now)) return false;
    return !this.nodes.some((other) => other.wakeup?.frozenBy === node.index);
  }

  private drain(node: NodeState): void {
    for (let count = 0; ; count++) {
      const output = node.model.poll();
      if (output === undefined) return;
      if (count >= MAX_OUTPUTS_PER_TURN) {
        throw new LivenessError(this.seed, MAX_OUTPUTS_PER_TURN, this.now, `node '${node.model.name}' emitted more than ${MAX_OUTPUTS_PER_TURN} outputs for one input`);
      }
      this.act(node, output);
    }
  }

  private act(node: NodeState, output: Output): void {
    switch (output.kind) {
      case 'connect':
        this.connect(node, output.conn, output.to, output.noDelay, output.keepAlive ?? false);
        return;
      case 'write': {
        const { conn, side } = this.connOf(node, output.conn, 'write');
        if (this.trace.enabled) {
          this.trace.record({ t: this.now, kind: 'write', conn: conn.id, from: node.model.name, to: conn.ends[side === 0 ? 1 : 0].nodeName, len: output.bytes.length, data: bytesToLatin1(output.bytes) });
        }
        if (conn.ends[side].finRequested) throw new SimConfigError(`node '${node.model.name}' wrote to connection '${output.conn}' after shutting it down`);
        conn.link.write(side, output.bytes);
        this.afterWrite(node, this.nodes[conn.ends[side === 0 ? 1 : 0].node] as NodeState, conn.oneWayDelayUs);
        return;
      }
      case 'shutdown':
      case 'close': {
        if (this.pendingRefusal(node, output.conn, output.kind === 'close')) return;
        const { conn, side } = this.connOf(node, output.conn, output.kind);
        if (this.trace.enabled) this.trace.record({ t: this.now, kind: 'fin', conn: conn.id, node: node.model.name, how: output.kind });
        conn.finish(side, output.kind === 'close');
        if (output.kind === 'close') node.conns.delete(output.conn);
        return;
      }
      case 'abort': {
        if (this.pendingRefusal(node, output.conn, true)) return;
        const { conn, side } = this.connOf(node, output.conn, 'abort');
        if (this.trace.enabled) this.trace.record({ t: this.now, kind: 'rst', conn: conn.id, node: node.model.name, why: 'abort' });
        conn.abort(side);
        node.conns.delete(output.conn);
        return;
      }
      case 'timer': {
        if (this.trace.enabled) this.trace.record({ t: this.now, kind: 'timer', node: node.model.name, timer: output.timer, at: output.at });
        node.due?.set(output.timer, output.at);
        let slot = node.timerSlots.get(output.timer);
        if (output.at === null) {
          if (slot !== undefined) slot.gen = 0;
          return;
        }
        if (slot === undefined) {
          slot = { gen: 0, pendingSince: 0, firedUs: 0 };
          node.timerSlots.set(output.timer, slot);
        }
        if (slot.gen === 0) slot.pendingSince = ++this.timerPendings;
        const gen = ++this.timerGen;
        slot.gen = gen;
        const late = (node.schedulingJitterUs > 0 ? node.decider.schedulingDelayUs(node.schedulingJitterUs) : 0) + (node.wakeup?.takeLatencyUs() ?? 0);
        this.queue.push(Math.max(output.at, this.now) + late, { type: 'timer', node: node.index, name: output.timer, gen, slot });
        return;
      }
      case 'log': {
        const record: LogRecord = output.conn === undefined
          ? { t: this.now, node: node.model.name, program: output.program, line: output.line }
          : { t: this.now, node: node.model.name, program: output.program, line: output.line, conn: output.conn };
        node.logs.push(record);
        this.allLogs.push(record);
        if (this.trace.enabled) this.trace.record({ t: record.t, kind: 'log', node: record.node, program: record.program, line: record.line, conn: record.conn });
        return;
      }
      case 'fact': {
        const record: FactRecord = output.conn === undefined
          ? { t: this.now, node: node.model.name, fact: output.fact }
          : { t: this.now, node: node.model.name, fact: output.fact, conn: output.conn };
        node.facts.push(record);
        this.allFacts.push(record);
        if (output.fact.kind === 'idleDeadline') this.idleDeadlineEnded.push(this.idleDeadlineEnd(node, output.fact));
        if (this.trace.enabled) this.trace.record({ t: record.t, kind: 'fact', node: record.node, fact: record.fact, conn: record.conn });
        return;
      }
    }
  }

  /**
   * sim/wakeup.ts: a write by `writer` ends any freeze its run imposed, and may wake `peer`;
   * when the woken peer preempts, the writer is frozen until the peer writes or a slice passes.
   * The frozen node's deferred work runs once that write has reached it (`deliveryUs`, the
   * link's one-way step): on loopback the receiving kernel processes the segment inside the sender's send()
   * (drivers/net/loopback.c loopback_xmit → __netif_rx; the NET_RX softirq runs when
   * __dev_queue_xmit re-enables bottom halves), so by the time the woken process sleeps again
   * its bytes sit in the frozen process's receive queue and have been ACKed or not. Resuming at
   * the write itself let Dovecot send EHLO before Postfix's 220 arrived, which put Dovecot's
   * socket into ping-pong mode first and delayed its ACK of the 220 (pp3: a 40 ms Nagle stall
   * on Postfix's EHLO reply that the captures never show).
   */
  private afterWrite(writer: NodeState, peer: NodeState, deliveryUs: number): void {
    if (!writer.wakeup) return;
    for (const node of this.nodes) if (node.wakeup?.frozenBy === writer.index) this.unfreeze(node, deliveryUs);
    if (!peer.wakeup || peer === writer || !peer.wakeup.sleeps(this.now) || peer.runQueue?.waiting(this.now)) return;
    if (!peer.wakeup.wokenBy(writer.decider, writer.index)) return;
    writer.wakeup.frozenBy = peer.index;
    const frozen = writer.wakeup;
    this.queue.push(this.now + SCHED_SLICE_US, { type: 'call', run: () => {
      if (frozen.frozenBy === peer.index) this.unfreeze(writer);
    } });
  }

  /**
   * sim/wakeup.ts: `writer`'s turn has ended; each peer it woke without yielding owes the drawn
   * wake-up latency only if the writer keeps running (a timer of its own due within a slice,
   * e.g. Dovecot's EHLO after XCLIENT); a writer that blocks lets the peer run at once.
   */
  private settleWakes(writer: NodeState): void {
    if (!writer.wakeup) return;
    const keepsRunning = writer.due!.workWithinSlice(this.now);
    for (const node of this.nodes) if (node.wakeup?.wokenByIndex === writer.index) node.wakeup.settleWake(writer.decider, keepsRunning);
  }

  /** End a freeze; the timers that came due meanwhile run `afterUs` from now. */
  private unfreeze(node: NodeState, afterUs = 0): void {
    const wakeup = node.wakeup as WakeupState;
    wakeup.frozenBy = -1;
    for (const timer of wakeup.deferred.splice(0)) {
      this.queue.push(this.now + afterUs, { type: 'timer', node: node.index, name: timer.name, gen: timer.gen, slot: node.timerSlots.get(timer.name) as TimerSlot });
    }
  }

  private connect(node: NodeState, id: ConnId, to: SocketAddress, noDelay: boolean, keepAlive: KeepAlive): void {
    if (node.conns.has(id)) throw new SimConfigError(`node '${node.model.name}' opened connection '${id}' twice`);
    const label = `c${++this.connCount}`;
    const connDecider = this.decider.forConnection(label, this.connCount);
    const local = { host: node.host, port: this.ephemeralPort(node.host, connDecider) };
    const listener = this.listeners.get(to.host)?.get(to.port);
    if (this.trace.enabled) this.trace.record({ t: this.now, kind: 'connect', conn: label, node: node.model.name, local, remote: to, noDelay });
    if (!listener) {
      // RST answers the SYN: the failure is known one round trip later
      if (this.trace.enabled) this.trace.record({ t: this.now, kind: 'refused', conn: label, node: node.model.name, remote: to });
      node.conns.set(id, { conn: null, side: 0 });
      this.queue.push(this.now + 2 * LOOPBACK_ONE_WAY_US, { type: 'refused', node: node.index, conn: id, local });
      return;
    }
    const target = this.nodes[listener.node] as NodeState;
    const profile = listener.profile;
    const connector = new TcpEndpoint(0, node.index, node.model.name, local, to, noDelay || profile.forceNoDelay);
    connector.modelConn = id;
    connector.setKeepAlive(keepAlive);
    const acceptor = new TcpEndpoint(1, target.index, target.model.name, listener.address, local, profile.forceNoDelay);
    acceptor.setKeepAlive(listener.keepAlive);
    const conn = new TcpConnection(label, this, profile, listener.mss, listener.oneWayDelayUs, connDecider, connector, acceptor);
    conn.link = new Link(conn, this, this.trace, connDecider, listener.oneWayDelayUs, listener.faults);
    node.conns.set(id, { conn, side: 0 });
    conn.open();
  }

  /** A free port from the ephemeral range; bounded linear probe from a seeded start. */
  private ephemeralPort(host: string, decider: Decider): number {
    const first = decider.pickEphemeralPort();
    let used = this.usedPorts.get(host);
    if (used === undefined) {
      used = new Set();
      this.usedPorts.set(host, used);
    }
    const span = 60999 - 32768 + 1;
    for (let i = 0; i < span; i++) {
      const port = 32768 + ((first - 32768 + i) % span);
      if (!used.has(port)) {
        used.add(port);
        return port;
      }
    }
    throw new SimConfigError(`no free ephemeral port left on ${host}`);
  }

  private connOf(node: NodeState, id: ConnId, what: string): { readonly conn: TcpConnection; readonly side: 0 | 1 } {
    const entry = node.conns.get(id);
    if (!entry || entry.conn === null) throw new SimConfigError(`node '${node.model.name}' asked to ${what} on unknown, unconnected or closed connection '${id}'`);
    // The entry itself, not a copy: every write goes through here.
    return entry as { readonly conn: TcpConnection; readonly side: 0 | 1 };
  }

  /** Closing a connect that is about to be refused: forget it (the refusal is still reported). */
  private pendingRefusal(node: NodeState, id: ConnId, forget: boolean): boolean {
    const entry = node.conns.get(id);
    if (!entry || entry.conn !== null) return false;
    if (forget) node.conns.delete(id);
    return true;
  }

  private nodeNamed(name: string): NodeState {
    const node = this.nodesByName.get(name);
    if (!node) throw new SimConfigError(`no node named '${name}'`);
    return node;
  }
}
