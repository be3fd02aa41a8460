/* tcp-harness - one TcpConnection driven directly, without models: writes, closes and segments at chosen µs
 *
 * The rule tests (tcp-ack-rules, tcp-close-rules) need to place one segment at an exact time, inject a
 * segment the peer's stack would never send on its own (a partial ACK), and read the icsk_ack fields the
 * endpoint mirrors; a Simulation with models in front would hide all three. The wire is the real Link
 * (no faults), so delivery is in order after the one-way delay. The delayed-ACK timer's slack is taken
 * from `slackUs` in order (0 once the list runs out), so a timer fires exactly ato after it was armed.
 */
import type { Input } from '../../models/contract.ts';
import { asciiBytes } from '../../models/contract.ts';
import type { ChoiceSource } from '../../sim/choices.ts';
import { Decider } from '../../sim/decisions.ts';
import { EventQueue } from '../../sim/event-queue.ts';
import { Link } from '../../sim/faults/link.ts';
import type { KernelTimer, SimEvent } from '../../sim/sim-event.ts';
import { TcpConnection, type TcpHost } from '../../sim/tcp/connection.ts';
import { TcpEndpoint } from '../../sim/tcp/endpoint.ts';
import { LOOPBACK_MSS, LOOPBACK_ONE_WAY_US, tcpProfile, type TcpProfileName } from '../../sim/tcp/profiles.ts';
import type { Segment } from '../../sim/tcp/segment.ts';
import { TraceRecorder, type TraceEvent } from '../../sim/trace.ts';

export interface HarnessOptions {
  readonly profile?: TcpProfileName;
  readonly oneWayDelayUs?: number;
  readonly mss?: number;
  /** TCP_NODELAY on both ends (default true: most rules are about the receiver, not Nagle). */
  readonly noDelay?: boolean;
  /** The delayed-ACK slack draws, in order; 0 after the last. */
  readonly slackUs?: readonly number[];
}

/** The slack draws a test asked for, then 0; no other decision is drawn here. */
class ListedChoices implements ChoiceSource {
  constructor(private readonly slack: number[]) {}
  integer(name: string, min: number, max: number): number {
    if (name !== 'delackSlackUs') throw new Error(`unexpected decision ${name}`);
    const v = this.slack.shift() ?? min;
    if (v < min || v > max) throw new Error(`slack ${v} outside [${min}, ${max}]`);
    return v;
  }
  chance(): boolean {
    throw new Error('no yes/no decision is drawn by a bare connection');
  }
  split(): ChoiceSource {
    return this;
  }
}

export interface SeenInput {
  readonly t: number;
  readonly side: 0 | 1;
  readonly input: Input;
}

export class TcpHarness implements TcpHost {
  now = 0;
  readonly trace = new TraceRecorder(true);
  readonly conn: TcpConnection;
  /** What each side's model would have been fed. */
  readonly inputs: SeenInput[] = [];
  /** The kernel timers that failed a socket: which side, which timer, when, and since when its peer was silent. */
  readonly timedOuts: { readonly t: number; readonly side: 0 | 1; readonly timer: KernelTimer; readonly quietSinceUs: number }[] = [];
  /** Kernel timer events skipped as not due (kernelTimerDue), with the time they were due. */
  readonly skippedKernel: { readonly t: number; readonly timer: KernelTimer; readonly side: 0 | 1 }[] = [];
  private readonly queue = new EventQueue<SimEvent>();

  constructor(options: HarnessOptions = {}) {
    const noDelay = options.noDelay ?? true;
    const decider = new Decider(new ListedChoices([...(options.slackUs ?? [])]), this.trace, this, 'c1');
    const cli = new TcpEndpoint(0, 0, 'cli', { host: '127.0.0.1', port: 40000 }, { host: 'h', port: 1 }, noDelay);
    const srv = new TcpEndpoint(1, 1, 'srv', { host: 'h', port: 1 }, { host: '127.0.0.1', port: 40000 }, noDelay);
    cli.modelConn = 'out';
    const oneWay = options.oneWayDelayUs ?? LOOPBACK_ONE_WAY_US;
    this.conn = new TcpConnection('c1', this, tcpProfile(options.profile ?? 'linux-default'), options.mss ?? LOOPBACK_MSS, oneWay, decider, cli, srv);
    this.conn.link = new Link(this.conn, this, this.trace, decider, oneWay, []);
  }

  get cli(): TcpEndpoint {
    return this.conn.ends[0];
  }

  get srv(): TcpEndpoint {
    return this.conn.ends[1];
  }

  schedule(at: number, event: SimEvent): void {
    this.queue.push(at, event);
  }

  announce(_conn: TcpConnection, end: TcpEndpoint): void {
    end.announced = true;
    if (end.side === 1) end.modelConn = 'c1';
    this.inputs.push({ t: this.now, side: end.side, input: { kind: 'accepted', conn: end.modelConn, local: end.local, remote: end.remote } });
  }

  toModel(end: TcpEndpoint, input: Input): void {
    this.inputs.push({ t: this.now, side: end.side, input });
  }

  timedOut(_conn: TcpConnection, end: TcpEndpoint, timer: KernelTimer, quietSinceUs: number): void {
    this.timedOuts.push({ t: this.now, side: end.side, timer, quietSinceUs });
    this.inputs.push({ t: this.now, side: end.side, input: { kind: 'reset', conn: end.modelConn, errno: 'ETIMEDOUT' } });
  }

  /** Process every event due at or before `t`, then stand at `t`. */
  runUntil(t: number): void {
    if (t < this.now) throw new Error(`the harness stands at ${this.now} µs; ${t} µs is past`);
    // bounded: each pass pops one event; the connection schedules only finitely many
    while (this.queue.size > 0 && this.queue.peekTime() <= t) {
      const at = this.queue.peekTime();
      const event = this.queue.pop() as SimEvent;
      if (event.type === 'kernel' && !this.conn.kernelTimerDue(event, at)) {
        this.skippedKernel.push({ t: at, timer: event.timer, side: event.side });
        continue;
      }
      this.now = at;
      if (event.type === 'arrive') this.conn.arrive(event.side, event.seg);
      else if (event.type === 'kernel') this.conn.kernelTimerFired(event);
      else if (event.type === 'delack') this.conn.delackFired(event.side, event.gen);
      else if (event.type === 'call') event.run();
    }
    this.now = t;
  }

  /** connect() at t=0 and run until both ends are established. */
  establish(): this {
    this.conn.open();
    this.runUntil(3 * this.conn.oneWayDelayUs + 1);
    return this;
  }

  /** At `t`: `side` writes `text`. */
  write(t: number, side: 0 | 1, text: string): void {
    this.runUntil(t);
    this.conn.tcpWrite(side, asciiBytes(text));
  }

  /** At `t`: `side` shuts down (close() when `closeReading`). */
  finish(t: number, side: 0 | 1, closeReading = false): void {
    this.runUntil(t);
    this.conn.finish(side, closeReading);
  }

  /** At `t`: `side` aborts (RST). */
  abort(t: number, side: 0 | 1): void {
    this.runUntil(t);
    this.conn.abort(side);
  }

  /** At `t`: a segment made up by the test reaches `side` (a partial ACK, a stray FIN). */
  inject(t: number, side: 0 | 1, seg: Segment): void {
    this.runUntil(t);
    this.conn.arrive(side, seg);
  }

  /** Pure ACKs sent by `from` ('cli' or 'srv'), with why. */
  acks(from: string): { t: number; ack: number; why: string }[] {
    return this.events('ack').filter((e) => e.from === from).map((e) => ({ t: e.t, ack: e.ack as number, why: e.why as string }));
  }

  /** Segments sent by `from` (pure ACKs are not traced as segments). */
  segments(from: string): { t: number; seq: number; ack: number; len: number; flags: string; data: string; to: string }[] {
    return this.events('segment').filter((e) => e.from === from).map((e) => ({
      t: e.t, seq: e.seq as number, ack: e.ack as number, len: e.len as number, flags: e.flags as string, data: e.data as string, to: e.to as string,
    }));
  }

  /** The connector's keepalive probes: no data, one before snd_una (the handshake's ACK, seq 1, is not one). */
  keepaliveProbes(): number[] {
    return this.segments('cli').filter((s) => s.len === 0 && s.flags === 'A' && s.seq === 0).map((s) => s.t);
  }

  events(kind: string): TraceEvent[] {
    return this.trace.events.filter((e) => e.kind === kind);
  }

  inputKinds(side: 0 | 1): string[] {
    return this.inputs.filter((i) => i.side === side).map((i) => i.input.kind);
  }
}
