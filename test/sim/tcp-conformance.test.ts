/* tcp-conformance - the link model against the real loopback captures of the XCLIENT + EHLO race
 *
 * For each recorded run, two scripted endpoints replay the application's timing
 * taken from the capture (banner delay, reaction times, Postfix's XCLIENT busy
 * time); the TCP model must then produce the same segment pattern on the backend
 * connection (s1) up to the segment after the pipelined EHLO, and the EHLO must
 * leave at the recorded time within a stated tolerance.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Simulation } from '../../sim/simulation.ts';
import type { TcpProfileName } from '../../sim/tcp/profiles.ts';
import { RECORDS_DIR } from '../../conformance/records-dir.ts';
import { readRecordedSegments, type RecordedSegment } from './recorded-segments.ts';
import { ScriptedPeer } from './scripted-peer.ts';

const ONE_WAY_US = 10;
/** Dovecot's rawlog shows the EHLO write ~3 µs after the XCLIENT write. */
const PIPELINE_GAP_US = 3;
/** µs-scale events: the model's 10 µs loopback step against the capture's 4-16 µs kernel turnarounds. */
const FAST_TOLERANCE_US = 15;
/** Delayed-ACK firing: TCP_DELACK_MIN plus up to one 4 ms jiffy of slack. */
const DELACK_TOLERANCE_US = 4_000;
const FILES = readdirSync(RECORDS_DIR);

interface Shape {
  readonly from: string;
  readonly what: string;
}

function recordedShape(seg: RecordedSegment): Shape {
  if (seg.flags.includes('S')) return { from: seg.from, what: seg.flags };
  return { from: seg.from, what: seg.len > 0 ? `data:${seg.len}` : seg.flags };
}

function runRecorded(prefix: string, profile: TcpProfileName, seed = 1) {
  const rec = readRecordedSegments(prefix, FILES).filter((s) => s.stream === 's1');
  const find = (pred: (s: RecordedSegment) => boolean, from = 0): number => {
    const i = rec.findIndex((s, k) => k >= from && pred(s));
    if (i < 0) throw new Error(`${prefix}: expected segment not found`);
    return i;
  };
  const isData = (from: string) => (s: RecordedSegment) => s.from === from && s.len > 0;
  const hsAck = 2;
  const banner = find(isData('postfix'));
  const ehlo1 = find(isData('dovecot'), banner);
  const ehloReply = find(isData('postfix'), ehlo1);
  const xclient = find((s) => s.from === 'dovecot' && s.data.startsWith('XCLIENT'), ehloReply);
  const ehlo2 = find(isData('dovecot'), xclient + 1);
  const xclientReply = find(isData('postfix'), xclient);
  const at = (i: number) => (rec[i] as RecordedSegment).t;
  const text = (i: number) => (rec[i] as RecordedSegment).data;

  const sim = new Simulation({ seed });
  const postfix = new ScriptedPeer({
    name: 'postfix', role: 'server',
    onOpen: [{ afterUs: at(banner) - at(hsAck), text: text(banner) }],
    onMessage: [
      [{ afterUs: at(ehloReply) - at(ehlo1) - ONE_WAY_US, text: text(ehloReply) }],
      [{ afterUs: at(xclientReply) - at(xclient) - ONE_WAY_US, text: text(xclientReply) }],
      [{ afterUs: 20, text: text(ehloReply) }],
    ],
  });
  const dovecot = new ScriptedPeer({
    name: 'dovecot', role: 'client', connectTo: { host: '127.0.0.1', port: 10025 },
    onMessage: [
      [{ afterUs: at(ehlo1) - at(banner) - ONE_WAY_US, text: text(ehlo1) }],
      [
        { afterUs: at(xclient) - at(ehloReply) - ONE_WAY_US, text: text(xclient) },
        { afterUs: PIPELINE_GAP_US, text: text(ehlo2) },
      ],
    ],
  });
  sim.addNode(postfix, { listen: [{ host: '127.0.0.1', port: 10025, link: { profile } }] });
  sim.addNode(dovecot);
  sim.runUntilIdle(10_000);

  const modelSegs = sim.trace.events
    .filter((e) => e.kind === 'segment' || (e.kind === 'ack' && e.why !== 'piggyback'))
    .map((e) => ({
      t: e.t,
      from: e.from as string,
      what: e.kind === 'ack' ? 'A' : (e.flags as string).includes('S') ? (e.flags as string) : (e.len as number) > 0 ? `data:${e.len}` : (e.flags as string),
      data: e.kind === 'segment' ? (e.data as string) : '',
    }));
  const t0 = (modelSegs[0] as { t: number }).t;
  const mXclient = modelSegs.findIndex((s) => s.data.startsWith('XCLIENT'));
  const mEhlo2 = modelSegs.findIndex((s, k) => k > mXclient && s.from === 'dovecot' && s.what.startsWith('data'));
  return {
    recorded: rec.slice(0, ehlo2 + 2).map(recordedShape),
    modelled: modelSegs.slice(0, mEhlo2 + 2).map(({ from, what }) => ({ from, what })),
    recordedGapUs: at(ehlo2) - at(xclient),
    modelGapUs: (modelSegs[mEhlo2] as { t: number }).t - (modelSegs[mXclient] as { t: number }).t,
    recordedHandshakeUs: at(1) - at(0),
    modelHandshakeUs: (modelSegs[1] as { t: number }).t - t0,
    modelled220BeforeEhlo: modelSegs.slice(mXclient + 1, mEhlo2).map((s) => `${s.from}:${s.what}`),
  };
}

describe('TCP link model against the real loopback captures', () => {
  it('linux-default, Postfix answers XCLIENT in ~50 µs (A1): the EHLO waits for the ACK riding on the 220', () => {
    const r = runRecorded('A1-', 'linux-default');
    expect(r.modelled).toEqual(r.recorded);
    expect(r.modelled220BeforeEhlo).toEqual(['postfix:data:44']); // no pure ACK: the 220 carries it
    expect(Math.abs(r.modelGapUs - r.recordedGapUs)).toBeLessThanOrEqual(FAST_TOLERANCE_US);
    expect(Math.abs(r.modelHandshakeUs - r.recordedHandshakeUs)).toBeLessThanOrEqual(FAST_TOLERANCE_US);
  });

  it('quickack (A2): a pure ACK comes at once and the EHLO leaves about one RTT after the XCLIENT', () => {
    const r = runRecorded('A2-', 'quickack');
    expect(r.modelled).toEqual(r.recorded);
    expect(r.modelled220BeforeEhlo).toEqual(['postfix:A']);
    expect(r.modelGapUs).toBe(2 * ONE_WAY_US);
    expect(Math.abs(r.modelGapUs - r.recordedGapUs)).toBeLessThanOrEqual(FAST_TOLERANCE_US);
  });

  it('pingpong3 (A4): this early in the connection the XCLIENT is still ACKed at once', () => {
    const r = runRecorded('A4-', 'pingpong3');
    expect(r.modelled).toEqual(r.recorded);
    expect(r.modelled220BeforeEhlo).toEqual(['postfix:A']);
    expect(Math.abs(r.modelGapUs - r.recordedGapUs)).toBeLessThanOrEqual(FAST_TOLERANCE_US);
  });

  it('linux-default, Postfix busy ~100 ms on XCLIENT (E1): the EHLO leaves when the delayed-ACK timer fires', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const r = runRecorded('E1-', 'linux-default', seed);
      expect(r.modelled).toEqual(r.recorded);
      expect(r.modelled220BeforeEhlo).toEqual(['postfix:A']);
      expect(r.modelGapUs).toBeGreaterThanOrEqual(40_000);
      expect(r.modelGapUs).toBeLessThan(44_000 + 2 * ONE_WAY_US);
      expect(Math.abs(r.modelGapUs - r.recordedGapUs)).toBeLessThanOrEqual(DELACK_TOLERANCE_US);
    }
  });

  it('linux-default with the A1 timing differs from quickack: the pattern is the profile, not the script', () => {
    const r = runRecorded('A1-', 'quickack');
    expect(r.modelled).not.toEqual(r.recorded);
  });

  it('nodelay: the EHLO leaves right behind the XCLIENT in its own segment', () => {
    const r = runRecorded('A1-', 'nodelay');
    expect(r.modelGapUs).toBe(PIPELINE_GAP_US);
  });
});
