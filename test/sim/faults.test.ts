/* faults - each entry of the fault catalogue changes delivery as its table row says */
import { describe, expect, it } from 'vitest';
import { SimConfigError } from '../../sim/errors.ts';
import { FAULT_CATALOGUE, type FaultSpec } from '../../sim/faults/catalogue.ts';
import { Simulation } from '../../sim/simulation.ts';
import type { TraceEvent } from '../../sim/trace.ts';
import { ScriptedPeer, type Step } from './scripted-peer.ts';

const LINE_100 = 'X'.repeat(98) + '\r\n';

interface Exchange {
  readonly sim: Simulation;
  readonly client: ScriptedPeer;
  readonly server: ScriptedPeer;
}

/** Client writes `clientSteps` once connected; server answers each line with `OK`. */
function exchange(faults: FaultSpec[], clientSteps: Step[], options: { seed?: number; serverFinally?: 'close'; clientFinally?: 'shutdown' | 'close'; lines?: number } = {}): Exchange {
  const sim = new Simulation({ seed: options.seed ?? 7 });
  const server = new ScriptedPeer({
    name: 'srv', role: 'server',
    onMessage: Array.from({ length: options.lines ?? clientSteps.length }, () => [{ afterUs: 5, text: 'OK\r\n' }]),
    ...(options.serverFinally ? { finally: options.serverFinally } : {}),
  });
  const client = new ScriptedPeer({
    name: 'cli', role: 'client', connectTo: { host: '127.0.0.1', port: 25 }, noDelay: true, onOpen: clientSteps,
    ...(options.clientFinally ? { finally: options.clientFinally } : {}),
  });
  sim.addNode(server, { listen: [{ host: '127.0.0.1', port: 25, link: { profile: 'nodelay', faults } }] });
  sim.addNode(client);
  sim.runUntilIdle(100_000);
  return { sim, client, server };
}

const delivered = (events: readonly TraceEvent[], to: string) => events.filter((e) => e.kind === 'deliver' && e.to === to);
const segmentsFrom = (events: readonly TraceEvent[], from: string) => events.filter((e) => e.kind === 'segment' && e.from === from && (e.len as number) > 0);
const faultEvents = (events: readonly TraceEvent[], fault: string) => events.filter((e) => e.kind === 'fault' && e.fault === fault);
const text = (peer: ScriptedPeer) => peer.received.map((r) => r.text).join('');
const firstInput = (peer: ScriptedPeer, kind: string) => peer.inputs.find((i) => i.kind === kind);

describe('fault catalogue', () => {

  it('has one documented row per fault named in the issue', () => {
    expect(Object.keys(FAULT_CATALOGUE).sort()).toEqual(
      ['bandwidth', 'coalesce', 'half_close', 'latency', 'limit_data', 'reset_peer', 'slicer', 'slow_close', 'timeout'],
    );
    for (const def of Object.values(FAULT_CATALOGUE)) expect(def.doc.length).toBeGreaterThan(20);
  });

  it('latency: every segment takes extraUs + jitter (0..jitterUs) longer, order kept', () => {
    // The fault-free baseline is run here, inside the test: work done while collecting belongs to no
    // test, and `npm run mutation` would rerun every test for every TCP mutant it reaches.
    const base = exchange([], [{ afterUs: 0, text: LINE_100 }]);
    const baseArrival = (delivered(base.sim.trace.events, 'srv')[0] as TraceEvent).t;
    const run = exchange([{ name: 'latency', extraUs: 1000, jitterUs: 50 }], [{ afterUs: 0, text: LINE_100 }, { afterUs: 1, text: LINE_100 }], { seed: 3 });
    const arrivals = delivered(run.sim.trace.events, 'srv').map((e) => e.t);
    const sent = segmentsFrom(run.sim.trace.events, 'cli').map((e) => e.t);
    const baseTransit = baseArrival - (segmentsFrom(base.sim.trace.events, 'cli')[0] as TraceEvent).t;
    expect(arrivals[0]! - sent[0]!).toBeGreaterThanOrEqual(baseTransit + 1000);
    expect(arrivals[0]! - sent[0]!).toBeLessThanOrEqual(baseTransit + 1050);
    expect(arrivals[1]!).toBeGreaterThanOrEqual(arrivals[0]!);
    expect(run.sim.trace.events.some((e) => e.kind === 'decision' && e.name === 'jitterUs')).toBe(true);
    expect(text(run.server)).toBe(LINE_100 + LINE_100);
  });

  it('bandwidth: a 100-byte segment at 1000 B/s takes 100 ms on the wire', () => {
    const run = exchange([{ name: 'bandwidth', bytesPerSec: 1000, direction: 'toListener' }], [{ afterUs: 0, text: LINE_100 }]);
    const sent = segmentsFrom(run.sim.trace.events, 'cli')[0] as TraceEvent;
    const arrival = delivered(run.sim.trace.events, 'srv')[0] as TraceEvent;
    expect(arrival.t - sent.t).toBeGreaterThanOrEqual(100_000);
    expect(arrival.t - sent.t).toBeLessThan(100_000 + 100);
  });

  it('slicer: a write becomes several writes and segments; the bytes arrive intact', () => {
    const run = exchange([{ name: 'slicer', numerator: 1, denominator: 1, maxPieces: 4, direction: 'toListener' }], [{ afterUs: 0, text: LINE_100 }]);
    const segs = segmentsFrom(run.sim.trace.events, 'cli');
    expect(segs.length).toBeGreaterThanOrEqual(2);
    expect(segs.length).toBeLessThanOrEqual(4);
    expect(segs.map((s) => s.data).join('')).toBe(LINE_100);
    expect(text(run.server)).toBe(LINE_100);
    expect(faultEvents(run.sim.trace.events, 'slicer')).toHaveLength(1);
  });

  it('slicer with numerator 0 never splits', () => {
    const run = exchange([{ name: 'slicer', numerator: 0, denominator: 5 }], [{ afterUs: 0, text: LINE_100 }]);
    expect(segmentsFrom(run.sim.trace.events, 'cli')).toHaveLength(1);
  });

  it('coalesce: two writes 3 µs apart leave together, holdUs after the first', () => {
    const run = exchange([{ name: 'coalesce', holdUs: 500, direction: 'toListener' }], [{ afterUs: 0, text: 'AB\r\n' }, { afterUs: 3, text: 'CD\r\n' }]);
    const segs = segmentsFrom(run.sim.trace.events, 'cli');
    const writes = run.sim.trace.events.filter((e) => e.kind === 'write' && e.from === 'cli');
    expect(segs).toHaveLength(1);
    expect(segs[0]!.data).toBe('AB\r\nCD\r\n');
    expect(segs[0]!.t - writes[0]!.t).toBe(500);
  });

  it('reset_peer afterBytes: the crossing segment is cut and both ends get reset', () => {
    const run = exchange([{ name: 'reset_peer', afterBytes: 40 }], [{ afterUs: 0, text: LINE_100 }]);
    expect(text(run.server)).toBe(LINE_100.slice(0, 40));
    expect(firstInput(run.server, 'reset')).toBeDefined();
    expect(firstInput(run.client, 'reset')).toBeDefined();
  });

  it('reset_peer atUs: both ends are reset at that time, mid-conversation', () => {
    const run = exchange([{ name: 'reset_peer', atUs: 2_000 }], [{ afterUs: 0, text: 'A\r\n' }, { afterUs: 5_000, text: 'B\r\n' }]);
    expect(text(run.server)).toBe('A\r\n');
    const reset = firstInput(run.client, 'reset');
    expect(reset!.t).toBeGreaterThanOrEqual(2_000);
    expect(reset!.t).toBeLessThan(2_100);
  });

  it('reset_peer with a [min, max] range draws afterBytes from the seed', () => {
    const run = exchange([{ name: 'reset_peer', afterBytes: [10, 60] }], [{ afterUs: 0, text: LINE_100 }], { seed: 11 });
    const drawn = run.sim.trace.events.find((e) => e.kind === 'decision' && e.name === 'pickFaultParam:reset_peer.afterBytes');
    expect(drawn).toBeDefined();
    expect(text(run.server).length).toBe(drawn!.value);
  });

  it('timeout: a blackhole after N bytes delivers nothing more; the link tells nobody, only the kernel gives up on what it cannot deliver', () => {
    const run = exchange([{ name: 'timeout', afterBytes: 3 }], [{ afterUs: 0, text: 'A\r\n' }, { afterUs: 1_000, text: 'B\r\n' }], { clientFinally: 'close' });
    expect(text(run.server)).toBe('A\r\n');
    expect(text(run.client)).toBe(''); // the OK reply is swallowed too
    // 'timeout' = its own step timers; the reset is the retransmission timer giving up on the unacknowledged OK (tcp/kernel-timers.ts)
    expect(run.server.inputs.map((i) => i.kind).filter((k) => k !== 'timeout')).toEqual(['accepted', 'bytes', 'reset']);
    expect(run.sim.kernelEnds()).toMatchObject([{ node: 'srv', timer: 'retransmit' }]);
    expect(run.client.inputs.some((i) => i.kind === 'reset' || i.kind === 'eof')).toBe(false); // closed: no timers of its own
  });

  it('slow_close: the FIN reaches the peer delayUs later', () => {
    const plain = exchange([], [{ afterUs: 0, text: 'A\r\n' }], { clientFinally: 'shutdown' });
    const slow = exchange([{ name: 'slow_close', delayUs: 30_000, direction: 'toListener' }], [{ afterUs: 0, text: 'A\r\n' }], { clientFinally: 'shutdown' });
    const eofPlain = firstInput(plain.server, 'eof')!.t;
    const eofSlow = firstInput(slow.server, 'eof')!.t;
    expect(eofSlow - eofPlain).toBe(30_000);
    expect(text(slow.server)).toBe('A\r\n');
  });

  it('limit_data: after N bytes (both directions) both ends get end-of-file and later bytes are dropped', () => {
    // 3 bytes up, 4 ("OK\r\n") down, then only 2 of the next 6 fit under 9
    const run = exchange([{ name: 'limit_data', bytes: 9 }], [{ afterUs: 0, text: 'A\r\n' }, { afterUs: 1_000, text: 'BBBB\r\n' }, { afterUs: 1_000, text: 'C\r\n' }]);
    expect(text(run.server)).toBe('A\r\nBB');
    expect(text(run.client)).toBe('OK\r\n');
    expect(firstInput(run.server, 'eof')).toBeDefined();
    expect(firstInput(run.client, 'eof')).toBeDefined();
  });

  it('half_close: the receiver of one direction gets end-of-file; the other direction keeps working', () => {
    const run = exchange([{ name: 'half_close', afterBytes: 3, direction: 'toListener' }], [{ afterUs: 0, text: 'A\r\n' }, { afterUs: 1_000, text: 'B\r\n' }]);
    expect(text(run.server)).toBe('A\r\n');
    expect(firstInput(run.server, 'eof')).toBeDefined();
    expect(text(run.client)).toBe('OK\r\n');
    expect(firstInput(run.client, 'eof')).toBeUndefined();
  });

  it('rejects an unknown fault, an unknown parameter and a bad value with a message naming them', () => {
    const add = (faults: unknown) => () =>
      new Simulation({ seed: 1 }).addNode(new ScriptedPeer({ name: 's', role: 'server' }), { listen: [{ host: 'h', port: 1, link: { faults: faults as FaultSpec[] } }] });
    expect(add([{ name: 'jitterbug' }])).toThrow(/unknown fault 'jitterbug'; allowed: latency, bandwidth/);
    expect(add([{ name: 'latency', extraMs: 3 }])).toThrow(/unknown parameter 'extraMs'; allowed: extraUs, jitterUs, direction/);
    expect(add([{ name: 'latency', extraUs: -1 }])).toThrow(SimConfigError);
    expect(add([{ name: 'bandwidth' }])).toThrow(/'bytesPerSec' is required/);
    expect(add([{ name: 'half_close', direction: 'both' }])).toThrow(/must be one of toListener, toConnector/);
    expect(add([{ name: 'reset_peer' }])).toThrow(/at least one of afterBytes, atUs/);
    expect(add([{ name: 'slicer', maxPieces: [5, 2] }])).toThrow(/\[min, max\]/);
  });
});
