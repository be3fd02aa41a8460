/* tcp-rules - single Linux ACK/Nagle rules the recorded captures do not isolate */
import { describe, expect, it } from 'vitest';
import { Simulation } from '../../sim/simulation.ts';
import type { TcpProfileName } from '../../sim/tcp/profiles.ts';
import { ScriptedPeer, type Step } from './scripted-peer.ts';

/** Client sends `steps`; the server never answers. Returns the server's pure ACKs. */
function oneWay(steps: Step[], profile: TcpProfileName, noDelay: boolean) {
  const sim = new Simulation({ seed: 5 });
  sim.addNode(new ScriptedPeer({ name: 'srv', role: 'server' }), { listen: [{ host: 'h', port: 1, link: { profile } }] });
  sim.addNode(new ScriptedPeer({ name: 'cli', role: 'client', connectTo: { host: 'h', port: 1 }, noDelay, onOpen: steps }));
  sim.runUntilIdle(10_000);
  const events = sim.trace.events;
  return {
    acks: events.filter((e) => e.kind === 'ack' && e.from === 'srv').map((e) => ({ t: e.t, why: e.why as string })),
    segments: events.filter((e) => e.kind === 'segment' && e.from === 'cli' && (e.len as number) > 0).map((e) => ({ t: e.t, data: e.data as string })),
  };
}

describe('Linux TCP rules', () => {
  it('quick-ACK credit: the first 16 data segments are ACKed at once (TCP_MAX_QUICKACKS), then ACKs are delayed', () => {
    const steps = Array.from({ length: 20 }, () => ({ afterUs: 1000, text: 'x\r\n' }));
    const { acks } = oneWay(steps, 'linux-default', true);
    expect(acks.slice(0, 16).every((a) => a.why === 'quick')).toBe(true);
    expect(acks[16]!.why).toBe('delayed');
    expect(acks).toHaveLength(17); // segments 17-20 share one delayed ACK
  });

  it('quickack route: every segment is ACKed at once, however many', () => {
    const steps = Array.from({ length: 20 }, () => ({ afterUs: 1000, text: 'x\r\n' }));
    const { acks } = oneWay(steps, 'quickack', true);
    expect(acks).toHaveLength(20);
    expect(acks.every((a) => a.why === 'quick')).toBe(true);
  });

  it('Nagle (Minshall): small writes behind an unACKed small segment wait and leave together', () => {
    // the peer ACKs quickly (quick-ACK mode), so the held writes leave one RTT later as one segment
    const { segments } = oneWay([{ afterUs: 0, text: 'a' }, { afterUs: 1, text: 'b' }, { afterUs: 1, text: 'c' }], 'linux-default', false);
    expect(segments.map((s) => s.data)).toEqual(['a', 'bc']);
    expect(segments[1]!.t - segments[0]!.t).toBe(20);
  });

  it('TCP_NODELAY: every write leaves at once as its own segment', () => {
    const { segments } = oneWay([{ afterUs: 0, text: 'a' }, { afterUs: 1, text: 'b' }, { afterUs: 1, text: 'c' }], 'linux-default', true);
    expect(segments.map((s) => s.data)).toEqual(['a', 'b', 'c']);
  });

  it('a write larger than the MSS leaves as full segments without waiting; only the tail is subject to Nagle', () => {
    const sim = new Simulation({ seed: 5 });
    sim.addNode(new ScriptedPeer({ name: 'srv', role: 'server' }), { listen: [{ host: 'h', port: 1, link: { mss: 100 } }] });
    sim.addNode(new ScriptedPeer({ name: 'cli', role: 'client', connectTo: { host: 'h', port: 1 }, onOpen: [{ afterUs: 0, text: 'y'.repeat(250) }] }));
    sim.runUntilIdle(10_000);
    const segs = sim.trace.events.filter((e) => e.kind === 'segment' && e.from === 'cli' && (e.len as number) > 0);
    expect(segs.map((s) => s.len)).toEqual([100, 100, 50]);
    expect(new Set(segs.map((s) => s.t)).size).toBe(1);
  });
});
