/* kernel - PRNG, event queue, run loop bounds, timers, refused connects, logs and facts */
import { describe, expect, it } from 'vitest';
import { OutputQueue, type Input, type Model, type Output } from '../../models/contract.ts';
import { LivenessError, SimConfigError } from '../../sim/errors.ts';
import { EventQueue } from '../../sim/event-queue.ts';
import { Prng } from '../../sim/prng.ts';
import { Simulation } from '../../sim/simulation.ts';

/** A model driven by a function of its inputs. */
class FnModel implements Model {
  readonly out = new OutputQueue();
  readonly seen: { t: number; input: Input }[] = [];
  constructor(
    readonly name: string,
    private readonly onStart: (m: FnModel, now: number) => void,
    private readonly onInput: (m: FnModel, now: number, input: Input) => void = () => {},
  ) {}
  start(now: number): void {
    this.onStart(this, now);
  }
  handle(now: number, input: Input): void {
    this.seen.push({ t: now, input });
    this.onInput(this, now, input);
  }
  poll(): Output | undefined {
    return this.out.poll();
  }
}

describe('Prng', () => {
  it('is a pure function of the seed, and splits into independent streams', () => {
    const a = new Prng(12345);
    const b = new Prng(12345);
    const xs = Array.from({ length: 5 }, () => a.nextU32());
    expect(Array.from({ length: 5 }, () => b.nextU32())).toEqual(xs);
    expect(new Set(xs).size).toBe(5);
    expect(new Prng(12346).nextU32()).not.toBe(xs[0]);
    expect(new Prng(1).split(1).nextU32()).not.toBe(new Prng(1).split(2).nextU32());
  });

  it('draws integer ratios and ranges inside their bounds', () => {
    const p = new Prng(9);
    let hits = 0;
    for (let i = 0; i < 10_000; i++) {
      const v = p.between(3, 7);
      expect(v).toBeGreaterThanOrEqual(3);
      expect(v).toBeLessThanOrEqual(7);
      if (p.chance(1, 4)) hits++;
    }
    expect(hits).toBeGreaterThan(2200);
    expect(hits).toBeLessThan(2800);
    expect(p.chance(0, 3)).toBe(false);
    expect(p.chance(3, 3)).toBe(true);
    expect(() => p.chance(0.5, 1)).toThrow(/integers/);
    expect(() => new Prng(-1)).toThrow(/seed/);
  });
});

describe('EventQueue', () => {
  it('pops by time, and ties in insertion order', () => {
    const q = new EventQueue<string>();
    const input: [number, string][] = [[5, 'e1'], [1, 'a'], [5, 'e2'], [3, 'c'], [5, 'e3'], [0, 'z'], [3, 'c2']];
    for (const [t, v] of input) q.push(t, v);
    const out: string[] = [];
    while (q.size > 0) out.push(q.pop() as string);
    expect(out).toEqual(['z', 'a', 'c', 'c2', 'e1', 'e2', 'e3']);
    expect(q.pop()).toBeUndefined();
  });

  it('keeps heap order over many random pushes and pops', () => {
    const q = new EventQueue<number>();
    const p = new Prng(5);
    const ref: [number, number][] = [];
    for (let i = 0; i < 2000; i++) {
      const t = p.below(100);
      q.push(t, i);
      ref.push([t, i]);
    }
    ref.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    expect(Array.from({ length: 2000 }, () => q.pop())).toEqual(ref.map((r) => r[1]));
  });
});

describe('Simulation run loop', () => {
  it('a model that keeps re-arming a timer hits the step bound: LivenessError names the seed and the bound', () => {
    const sim = new Simulation({ seed: 4242 });
    const tick = (m: FnModel, now: number) => m.out.push({ kind: 'timer', timer: 'tick', at: now + 1000 });
    sim.addNode(new FnModel('ticker', tick, (m, now) => tick(m, now)));
    let caught: unknown;
    try {
      sim.runUntilIdle(500);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(LivenessError);
    expect((caught as LivenessError).message).toMatch(/seed 4242/);
    expect((caught as LivenessError).message).toMatch(/step bound 500/);
    expect((caught as LivenessError).seed).toBe(4242);
    expect(sim.now).toBe(500 * 1000);
  });

  it('a cancelled timer does not move the clock: an idle run ends at its last real event', () => {
    const sim = new Simulation({ seed: 3, trace: false });
    sim.addNode(new FnModel('m', (m) => {
      m.out.push({ kind: 'timer', timer: 'soon', at: 50 });
      m.out.push({ kind: 'timer', timer: 'idle', at: 300_000_000 });
      m.out.push({ kind: 'timer', timer: 'idle', at: null });
    }));
    expect(sim.runUntilIdle(10)).toEqual({ idle: true, steps: 2, now: 50 });
  });

  it('a timer set again while its earlier setting is queued fires once, at its last setting, in the order of that setting', () => {
    const sim = new Simulation({ seed: 3, trace: false });
    const model = new FnModel('m', (m) => {
      for (const [timer, at] of [['a', 100], ['a', 200], ['b', 200], ['c', 300], ['c', 50], ['d', 100], ['d', null], ['d', 250], ['e', 100], ['e', 150], ['e', 120]] as const) {
        m.out.push({ kind: 'timer', timer, at });
      }
    });
    sim.addNode(model);
    sim.runUntilIdle(100);
    // 'a' was set for 200 before 'b' was: it fires first although its first setting's event was queued earlier still
    expect(model.seen.map((s) => [s.t, s.input.kind === 'timeout' ? s.input.timer : s.input.kind])).toEqual([[50, 'c'], [120, 'e'], [200, 'a'], [200, 'b'], [250, 'd']]);
  });

  it('schedulingJitterUs makes a node\'s timers fire up to that late, from the seed, as named decisions', () => {
    const fireTimes = (seed: number) => {
      const sim = new Simulation({ seed });
      const model = new FnModel('m', (m) => m.out.push({ kind: 'timer', timer: 't', at: 1000 }));
      sim.addNode(model, { schedulingJitterUs: 60 });
      sim.runUntilIdle(10);
      const decision = sim.trace.events.find((e) => e.kind === 'decision' && e['name'] === 'schedulingDelayUs');
      return { fired: model.seen[0]?.t, decision: decision?.['value'] };
    };
    const draws = [1, 2, 3, 4, 5, 6, 7, 8].map(fireTimes);
    for (const { fired, decision } of draws) {
      expect(fired).toBe(1000 + (decision as number));
      expect(fired).toBeGreaterThanOrEqual(1000);
      expect(fired).toBeLessThanOrEqual(1060);
    }
    expect(new Set(draws.map((d) => d.fired)).size).toBeGreaterThan(1);
    expect(fireTimes(5)).toEqual(fireTimes(5));
  });

  it('runUntil stops at the time limit without losing events, then continues', () => {
    const sim = new Simulation({ seed: 1 });
    const model = new FnModel('m', (m) => {
      m.out.push({ kind: 'timer', timer: 'a', at: 100 });
      m.out.push({ kind: 'timer', timer: 'b', at: 300 });
      m.out.push({ kind: 'timer', timer: 'c', at: 200 });
      m.out.push({ kind: 'timer', timer: 'c', at: null }); // cancelled
    });
    sim.addNode(model);
    expect(sim.runUntil(150, 100)).toEqual({ idle: false, steps: 1, now: 150 });
    expect(sim.runUntilIdle(100)).toEqual({ idle: true, steps: 2, now: 300 }); // the stale 'c' event is a step too
    expect(model.seen.map((s) => [s.t, s.input.kind === 'timeout' ? s.input.timer : s.input.kind])).toEqual([[100, 'a'], [300, 'b']]);
  });

  it('a connect nobody listens for is refused after one round trip; logs and facts are collected per node', () => {
    const sim = new Simulation({ seed: 1, trace: false });
    const model = new FnModel('client', (m) => {
      m.out.push({ kind: 'connect', conn: 'x', to: { host: '127.0.0.1', port: 9 }, noDelay: false });
      m.out.push({ kind: 'log', program: 'client', line: 'connecting' });
    }, (m, _now, input) => {
      if (input.kind === 'connectFailed') m.out.push({ kind: 'fact', fact: { kind: 'backendAttempt', attempt: 1 }, conn: input.conn });
    });
    sim.addNode(model);
    sim.runUntilIdle(100);
    expect(model.seen).toEqual([{ t: 20, input: { kind: 'connectFailed', conn: 'x', reason: 'refused', local: { host: '127.0.0.1', port: expect.any(Number) } } }]);
    expect(sim.logs('client')).toEqual([{ t: 0, node: 'client', program: 'client', line: 'connecting' }]);
    expect(sim.facts()).toEqual([{ t: 20, node: 'client', fact: { kind: 'backendAttempt', attempt: 1 }, conn: 'x' }]);
    expect(sim.trace.events).toEqual([]); // tracing off
  });

  it('connect, accept, bytes both ways, half-close and close reach the models in order', () => {
    const sim = new Simulation({ seed: 3 });
    const enc = (s: string) => new TextEncoder().encode(s);
    const server = new FnModel('server', () => {}, (m, _now, input) => {
      if (input.kind === 'accepted') m.out.push({ kind: 'write', conn: input.conn, bytes: enc('hi\r\n') });
      if (input.kind === 'eof') m.out.push({ kind: 'close', conn: input.conn });
    });
    const client = new FnModel('client', (m) => m.out.push({ kind: 'connect', conn: 'k', to: { host: '10.0.0.1', port: 25 }, noDelay: false }), (m, _now, input) => {
      if (input.kind === 'bytes') m.out.push({ kind: 'shutdown', conn: 'k' });
    });
    sim.addNode(server, { listen: [{ host: '10.0.0.1', port: 25 }] });
    sim.addNode(client, { host: '10.0.0.2' });
    expect(sim.runUntilIdle(1000).idle).toBe(true);
    expect(client.seen.map((s) => s.input.kind)).toEqual(['connected', 'bytes', 'eof']);
    expect(server.seen.map((s) => s.input.kind)).toEqual(['accepted', 'eof']);
    const connected = client.seen[0]!.input as Extract<Input, { kind: 'connected' }>;
    expect(connected.local.host).toBe('10.0.0.2');
    expect(connected.local.port).toBeGreaterThanOrEqual(32768);
    expect(client.seen[0]!.t).toBe(20);
    expect(server.seen[0]!.t).toBe(30);
  });

  it('abort sends RST: the peer gets reset, queued bytes are dropped', () => {
    const sim = new Simulation({ seed: 3 });
    const server = new FnModel('server', () => {});
    const client = new FnModel('client', (m) => m.out.push({ kind: 'connect', conn: 'k', to: { host: 'h', port: 1 }, noDelay: false }), (m, _now, input) => {
      if (input.kind === 'connected') m.out.push({ kind: 'abort', conn: 'k' });
    });
    sim.addNode(server, { listen: [{ host: 'h', port: 1 }] });
    sim.addNode(client);
    sim.runUntilIdle(1000);
    expect(server.seen.map((s) => s.input.kind)).toEqual(['accepted', 'reset']);
  });

  it('listeners are told apart by host and port; a second listener on an address is refused', () => {
    const sim = new Simulation({ seed: 1, trace: false });
    const a = new FnModel('a', () => {});
    const b = new FnModel('b', () => {});
    sim.addNode(a, { listen: [{ host: '10.0.0.1', port: 25 }] });
    sim.addNode(b, { listen: [{ host: '10.0.0.2', port: 25 }, { host: '10.0.0.1', port: 26 }] });
    const c = new FnModel('c', (m) => {
      for (const [conn, host, port] of [['x', '10.0.0.2', 25], ['y', '10.0.0.1', 26], ['z', '10.0.0.2', 26]] as const) {
        m.out.push({ kind: 'connect', conn, to: { host, port }, noDelay: true });
      }
    });
    sim.addNode(c);
    sim.runUntilIdle(100);
    expect(a.seen).toEqual([]);
    expect(b.seen.map((s) => s.input.kind === 'accepted' && `${s.input.local.host}:${s.input.local.port}`)).toEqual(['10.0.0.2:25', '10.0.0.1:26']);
    expect(c.seen.map((s) => 'conn' in s.input && `${s.input.kind} ${s.input.conn}`)).toEqual(['connectFailed z', 'connected x', 'connected y']);
    expect(() => sim.addNode(new FnModel('d', () => {}), { listen: [{ host: '10.0.0.2', port: 25 }] })).toThrow(/^10\.0\.0\.2:25 is already listened on$/);
  });

  it('bad model outputs and bad options are clear errors', () => {
    const sim = new Simulation({ seed: 1 });
    sim.addNode(new FnModel('w', (m) => m.out.push({ kind: 'write', conn: 'nope', bytes: new Uint8Array(1) })));
    expect(() => sim.runUntilIdle(10)).toThrow(/'w' asked to write on unknown, unconnected or closed connection 'nope'/);
    const other = new Simulation({ seed: 1 });
    expect(() => other.addNode(new FnModel('a', () => {}), { listen: [{ host: 'h', port: 1, link: { profile: 'fast' as never } }] })).toThrow(/unknown TCP profile 'fast'; allowed: linux-default, pingpong3, quickack, nodelay/);
    other.addNode(new FnModel('b', () => {}));
    expect(() => other.addNode(new FnModel('b', () => {}))).toThrow(SimConfigError);
  });
});
