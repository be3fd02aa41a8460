/* run-queue - a woken process waits for a CPU with the drawn chance, and runs nothing meanwhile (sim/run-queue.ts) */
import { describe, expect, it } from 'vitest';
import { Simulation } from '../../sim/simulation.ts';
import { RunQueueState, type RunQueueOptions } from '../../sim/run-queue.ts';
import { ScriptedPeer } from './scripted-peer.ts';

const server = { host: '127.0.0.1', port: 2525 };

/** A server that answers two commands after 30 µs each, a client that sends the second 20 µs after the first reply. */
function exchange(runQueue: RunQueueOptions | undefined) {
  const sim = new Simulation({ seed: 7 });
  const srv = new ScriptedPeer({
    name: 'server', role: 'server',
    onOpen: [{ afterUs: 0, text: '220 hi\r\n' }],
    onMessage: [[{ afterUs: 30, text: '250 one\r\n' }], [{ afterUs: 30, text: '250 two\r\n' }]],
  });
  const cli = new ScriptedPeer({
    name: 'client', role: 'client', connectTo: server,
    onMessage: [[{ afterUs: 20, text: 'ONE\r\n' }], [{ afterUs: 20, text: 'TWO\r\n' }], []],
  });
  sim.addNode(srv, { listen: [{ ...server, link: { profile: 'nodelay' } }], ...(runQueue ? { runQueue } : {}) });
  sim.addNode(cli, { ...(runQueue ? { runQueue } : {}) });
  sim.runUntilIdle(10_000);
  return { srv, cli, sim };
}

const always = (waitUs: number): RunQueueOptions => ({ waitPerMille: 1000, waitQuantilesUs: [waitUs] });

describe('run-queue wait', () => {
  it('never (per mille 0): each step takes its processing only', () => {
    const quiet = exchange(undefined);
    const zero = exchange({ waitPerMille: 0, waitQuantilesUs: [0] });
    expect(zero.cli.received.map((r) => r.t)).toEqual(quiet.cli.received.map((r) => r.t));
  });

  it('always: every wake-up of either process adds the wait before it handles the input', () => {
    const quiet = exchange(undefined);
    const loaded = exchange(always(500));
    const times = (p: ScriptedPeer) => p.received.map((r) => r.t);
    // ONE reaches the server after three waits in a row: the server's for the accept (its banner),
    // the client's for the banner, the server's for ONE (the client's wait for 'connected' overlaps the first)
    expect(times(loaded.srv)[0]! - times(quiet.srv)[0]!).toBe(1500);
    // and 250 two the client after three more: the client's for 250 one, the server's for TWO, the client's for 250 two
    expect(times(loaded.cli).at(-1)! - times(quiet.cli).at(-1)!).toBe(3000);
    expect(loaded.sim.trace.events.filter((e) => e.kind === 'decision' && e.name === 'runQueueWaitUs')).toHaveLength(7);
  });

  it('holds every input and timer of a waiting process and hands them over in order when it runs', () => {
    const loaded = exchange(always(500));
    for (const peer of [loaded.srv, loaded.cli]) {
      const order = peer.inputs.map((i) => i.kind);
      expect(order[0]).toMatch(/accepted|connected/);
      expect(peer.inputs.map((i) => i.t)).toEqual([...peer.inputs.map((i) => i.t)].sort((a, b) => a - b));
    }
    expect(loaded.srv.received.map((r) => r.text)).toEqual(['ONE\r\n', 'TWO\r\n']);
  });

  it('a process with work of its own due within a slice is running, not woken: input reaches it without a wait', () => {
    const sim = new Simulation({ seed: 7 });
    // the server works 300 µs on ONE; TWO arrives 600 µs after ONE, when the server's wait for ONE is over and its work is not
    const srv = new ScriptedPeer({ name: 'server', role: 'server', onMessage: [[{ afterUs: 300, text: '250 one\r\n' }], [{ afterUs: 30, text: '250 two\r\n' }]] });
    const cli = new ScriptedPeer({ name: 'client', role: 'client', connectTo: server, onOpen: [{ afterUs: 0, text: 'ONE\r\n' }, { afterUs: 600, text: 'TWO\r\n' }] });
    sim.addNode(srv, { listen: [{ ...server, link: { profile: 'nodelay' } }], runQueue: always(500) });
    sim.addNode(cli);
    sim.runUntilIdle(10_000);
    const sent = sim.trace.events.filter((e) => e.kind === 'write' && e.from === 'client').map((e) => e.t);
    const [one, two] = srv.received.map((r) => r.t);
    expect(one! - sent[0]!).toBeGreaterThanOrEqual(500);
    expect(two! - sent[1]!).toBeLessThan(100);
  });

  it('a burst of load is drawn once per run, and a run in it waits with the burst\'s chance', () => {
    const inBurst = exchange({ ...always(500), waitPerMille: 0, idleBurstPerMille: 1000, burstWaitPerMille: 1000 });
    expect(inBurst.cli.received.map((r) => r.t)).toEqual(exchange(always(500)).cli.received.map((r) => r.t));
    const bursts = inBurst.sim.trace.events.filter((e) => e.kind === 'decision' && e.name === 'sessionInLoadBurst');
    expect(bursts.map((e) => e.value)).toEqual([true]);
    const outside = exchange({ ...always(500), waitPerMille: 0, idleBurstPerMille: 1, burstWaitPerMille: 1000 });
    expect(outside.sim.trace.events.filter((e) => e.kind === 'decision' && e.name === 'sessionInLoadBurst').map((e) => e.value)).toEqual([false]);
    expect(outside.cli.received.map((r) => r.t)).toEqual(exchange(undefined).cli.received.map((r) => r.t));
  });

  it('the burst\'s chance is that of the run\'s load state (sim/wakeup.ts sessionUnderLoad): busy runs take busyBurstPerMille, the others idleBurstPerMille', () => {
    const wakeup = (busyPerMille: number) => ({ preemptPerMille: 1000, latencyMinUs: 0, latencyMedianUs: 0, latencyMaxUs: 0, busyPerMille, busyPreemptPerMille: 1000 });
    const burstDraws = (busyPerMille: number) => {
      const sim = new Simulation({ seed: 7 });
      const runQueue: RunQueueOptions = { waitPerMille: 0, waitQuantilesUs: [500], idleBurstPerMille: 1, busyBurstPerMille: 1000, burstWaitPerMille: 1000 };
      sim.addNode(new ScriptedPeer({ name: 'server', role: 'server', onOpen: [{ afterUs: 0, text: '220 hi\r\n' }] }), { listen: [{ ...server, link: { profile: 'nodelay' } }], runQueue, wakeup: wakeup(busyPerMille) });
      sim.addNode(new ScriptedPeer({ name: 'client', role: 'client', connectTo: server }), { runQueue, wakeup: wakeup(busyPerMille) });
      sim.runUntilIdle(10_000);
      const named = (name: string) => sim.trace.events.filter((e) => e.kind === 'decision' && e.name === name).map((e) => e.value);
      return { underLoad: named('sessionUnderLoad'), inBurst: named('sessionInLoadBurst'), waited: named('runQueueWaitUs').length > 0 };
    };
    expect(burstDraws(1000)).toEqual({ underLoad: [true], inBurst: [true], waited: true });
    // a run that is not under load draws with the idle chance (1 ‰ at seed 7: outside the burst), and never waits
    expect(burstDraws(1)).toEqual({ underLoad: [false], inBurst: [false], waited: false });
  });

  it('draws each wait from the piecewise-linear inverse CDF through its quantiles: each piece as likely, uniform within it', () => {
    const quantiles = [1000, 2000, 4000, 40_000];
    const draws = Array.from({ length: 300 }, (_, seed) => {
      const sim = new Simulation({ seed });
      sim.addNode(new ScriptedPeer({ name: 'server', role: 'server', onOpen: [{ afterUs: 0, text: '220 hi\r\n' }] }), { listen: [{ ...server, link: { profile: 'nodelay' } }], runQueue: { waitPerMille: 1000, waitQuantilesUs: quantiles } });
      sim.addNode(new ScriptedPeer({ name: 'client', role: 'client', connectTo: server }));
      sim.runUntilIdle(10_000);
      return sim.trace.events.flatMap((e) => (e.kind === 'decision' && e.name === 'runQueueWaitUs' ? [e.value as number] : []));
    }).flat();
    const inPiece = (low: number, high: number) => draws.filter((d) => d >= low && d <= high).length;
    expect(draws.length).toBeGreaterThanOrEqual(300);
    expect(draws.every((d) => d >= 1000 && d <= 40_000)).toBe(true);
    // a third of the draws in each piece (binomial over 300 draws: 33 % ± 2.7 %), not spread by length (the last piece is 36 of 39 ms)
    for (const [low, high] of [[1000, 2000], [2000, 4000], [4000, 40_000]] as const) {
      expect(inPiece(low, high) / draws.length).toBeGreaterThan(0.25);
      expect(inPiece(low, high) / draws.length).toBeLessThan(0.42);
    }
  });

  it('refuses options out of range with a clear error', () => {
    expect(() => new RunQueueState({ waitPerMille: 1001, waitQuantilesUs: [0] })).toThrow(/per-mille values in 0..1000/);
    expect(() => new RunQueueState({ waitPerMille: 10, waitQuantilesUs: [0], idleBurstPerMille: -1 })).toThrow(/per-mille values in 0..1000/);
    expect(() => new RunQueueState({ waitPerMille: 10, waitQuantilesUs: [0], busyBurstPerMille: 1001 })).toThrow(/per-mille values in 0..1000/);
    expect(() => new RunQueueState({ waitPerMille: 10, waitQuantilesUs: [5, 4, 9] })).toThrow(/non-decreasing/);
    expect(() => new RunQueueState({ waitPerMille: 10, waitQuantilesUs: [] })).toThrow(/at least one wait quantile/);
    expect(() => new RunQueueState({ waitPerMille: 10, waitQuantilesUs: [-1, 4] })).toThrow(/non-negative/);
    expect(() => new RunQueueState({ waitPerMille: 10, waitQuantilesUs: [0.5, 4, 9] })).toThrow(RangeError);
  });
});
