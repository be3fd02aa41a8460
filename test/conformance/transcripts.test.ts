/* transcripts - the conformance readers and judge, checked on the recorded real-stack files */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { conformanceCases, type ConformanceCase } from '../../conformance/cases.ts';
import { compareCase, MIN_RACY_TIMED_SESSIONS, outcomeClass, type SideOutcome } from '../../conformance/compare.ts';
import { fisherExact, percentile, quantileTest, wilson } from '../../conformance/stats.ts';
import { normalisePostfixLogLine, normaliseReplies, smtpdLines } from '../../conformance/normalise.ts';
import { RECORDS_DIR } from '../../conformance/records-dir.ts';
import { parseSwaksTranscript } from '../../conformance/swaks-transcript.ts';

const raw = (file: string) => readFileSync(join(RECORDS_DIR, file), 'latin1');

describe('parseSwaksTranscript on recorded swaks output', () => {
  it('A3 (AUTH LOGIN, 235 after two reconnects): replies in order, final AUTH reply after the 334s', () => {
    const parsed = parseSwaksTranscript(raw('A3-forbid-yes-quickack-login.client.txt'));
    expect(parsed.authReply).toBe('235 2.7.0 Logged in.');
    expect(parsed.replies[0]).toBe('220 front.example.test Dovecot (Debian) ready.');
    expect(parsed.replies[1]!.split('\n')).toHaveLength(10);
    expect(parsed.replies.slice(2)).toEqual([
      '334 VXNlcm5hbWU6', '334 UGFzc3dvcmQ6', '235 2.7.0 Logged in.', '250 2.1.0 Ok', '250 2.1.5 Ok',
      '354 End data with <CR><LF>.<CR><LF>', '250 2.0.0 Ok: queued as C42B420C3E3', '221 2.0.0 Bye',
    ]);
    expect(parsed.authToReplyMs).toBeNull();
  });

  it('E1 (454): the error reply counts as the AUTH reply; --show-time-lapse gives AUTH→reply ms', () => {
    expect(parseSwaksTranscript(raw('E1-slowxclient-forbid-yes-default-plain.client.txt')).authReply).toBe('454 4.7.0 Account is temporarily unavailable.');
    const timed = [
      ' -> AUTH PLAIN AGFsaWNlQGV4YW1wbGUudGVzdABzZWNyZXQ=',
      '=== response in 3.840s',
      '<** 454 4.7.0 Account is temporarily unavailable.',
      ' -> QUIT',
      '*** No authentication type succeeded',
      '=== response in 0.003s',
      '<-  221 2.0.0 Bye',
    ].join('\n');
    expect(parseSwaksTranscript(timed)).toEqual({
      replies: ['454 4.7.0 Account is temporarily unavailable.', '221 2.0.0 Bye'],
      authReply: '454 4.7.0 Account is temporarily unavailable.',
      authToReplyMs: 3840,
    });
  });
});

describe('normalisation', () => {
  it('replaces host names and queue ids in replies, keeps codes, enhanced codes and addresses', () => {
    expect(normaliseReplies(['220 front.example.test Dovecot (Debian) ready.', '250-backend.example.test\n250 PIPELINING', '250 2.0.0 Ok: queued as E48D920C078'])).toEqual([
      '220 <host> Dovecot (Debian) ready.', '250-<host>', '250 PIPELINING', '250 2.0.0 Ok: queued as <queue-id>',
    ]);
  });

  it('reduces real Postfix log lines and lab log lines to the same form', () => {
    const real = raw('A1-forbid-yes-default-plain.postfix.log').split('\n').filter(Boolean);
    expect(smtpdLines(real)).toEqual([
      'postfix/smtpd: connect from localhost[127.0.0.1]',
      'postfix/smtpd: <queue-id>: client=localhost[127.0.0.1], sasl_method=XCLIENT, sasl_username=alice@example.test',
      'postfix/smtpd: disconnect from localhost[127.0.0.1] ehlo=2 xclient=0/1 mail=1 rcpt=1 data=1 quit=1 commands=6/7',
    ]);
    expect(normalisePostfixLogLine('postfix/smtpd: connect from localhost[127.0.0.1]')).toBe(smtpdLines(real)[0]);
  });
});

describe('compareCase', () => {
  const cases = conformanceCases(RECORDS_DIR, { trials: 20, racyRepeat: 6 });
  const byName = (name: string): ConformanceCase => cases.find((c) => c.name === name)!;
  const e1Log = smtpdLines(raw('E1-slowxclient-forbid-yes-default-plain.postfix.log').split('\n').filter(Boolean));
  const e1: SideOutcome = {
    sessions: [{ replies: ['454 4.7.0 Account is temporarily unavailable.'], authReply: '454 4.7.0 Account is temporarily unavailable.', authToReplyMs: 3824 }],
    backendConnections: 4,
    smtpdLog: e1Log,
  };

  it('covers every recorded run and trial cell, and marks quickack/pp3 without slow lookup as racy', () => {
    expect(cases.filter((c) => c.source === 'runs.tsv' || c.source === 'trials.tsv').map((c) => c.name)).toHaveLength(16);
    expect(cases.filter((c) => c.source === 'calibration').length).toBeGreaterThanOrEqual(6);
    expect(byName('A2-forbid-yes-quickack-plain')).toMatchObject({ racy: true, repeat: 6 });
    expect(byName('E1-slowxclient-forbid-yes-default-plain')).toMatchObject({ racy: false, repeat: 1, setting: { forbid: true, tcpMode: 'default', xclientLookupMs: 100 } });
    expect(byName('T7-forbid-yes-default-slowxclient')).toMatchObject({ repeat: 20, client: { mail: false } });
  });

  it('matches identical outcomes and names each difference otherwise', () => {
    const c = { ...byName('E1-slowxclient-forbid-yes-default-plain'), client: { ...byName('E1-slowxclient-forbid-yes-default-plain').client, mail: false } };
    expect(compareCase(c, e1, e1)).toMatchObject({ match: true, problems: [] });
    const fewer: SideOutcome = { ...e1, backendConnections: 1, smtpdLog: e1Log.slice(0, 3), sessions: [{ ...e1.sessions[0]!, authToReplyMs: 1500 }] };
    expect(compareCase(c, e1, fewer).problems).toEqual([
      'backend connections: real 4, lab 1',
      'improper-pipelining lines: real 4, lab 1',
      'AUTH→reply time of 454 (median): real 3824 ms, lab 1500 ms (allowed: within ×1.5 or ±1 ms)',
    ]);
  });

  it('times per outcome: a 2× error fails, a 1.4× error or one millisecond passes', () => {
    const c = byName('T1-forbid-yes-default');
    const at = (...ms: number[]): SideOutcome => ({ sessions: ms.map((t) => ({ replies: [], authReply: '235 2.7.0 Logged in.', authToReplyMs: t })), backendConnections: ms.length, smtpdLog: [] });
    expect(compareCase(c, at(2, 2, 3), at(3, 3, 3)).problems).toEqual([]);
    expect(compareCase(c, at(10, 10, 10), at(14, 14, 14)).problems).toEqual([]);
    expect(compareCase(c, at(3, 3, 3), at(6, 6, 6)).problems).toEqual(['AUTH→reply time of 235 (median): real 3 ms, lab 6 ms (allowed: within ×1.5 or ±1 ms)']);
    expect(compareCase(c, at(3024, 3024, 3024), at(1512, 1512, 1512)).problems).toEqual(['session outcomes: real 235+3s 235+3s 235+3s, lab 235+1s 235+1s 235+1s']);
  });

  it('racy cases: a median time over fewer than MIN_RACY_TIMED_SESSIONS sessions on either side is a note, not judged', () => {
    const a2 = byName('A2-forbid-yes-quickack-plain');
    const at = (...ms: number[]): SideOutcome => ({ sessions: ms.map((t) => ({ replies: [], authReply: '235 2.7.0 Logged in.', authToReplyMs: t })), backendConnections: ms.length, smtpdLog: [] });
    const few = compareCase(a2, at(13, 13), at(28, 28, 28, 28, 28));
    expect(few.problems).toEqual([]);
    expect(few.notes).toContain(`(not judged: 2 sessions < ${MIN_RACY_TIMED_SESSIONS}) AUTH→reply time of 235 (median): real 13 ms, lab 28 ms (allowed: within ×1.5 or ±1 ms)`);
    expect(compareCase(a2, at(2, 2, 2, 2, 2), at(16, 16, 16, 16, 16)).problems).toEqual([
      'AUTH→reply time of 235 (median): real 2 ms, lab 16 ms (allowed: within ×1.5 or ±1 ms); above the pooled median (2 ms): real 0/5, lab 5/5; Fisher p=7.9e-3 < 0.01',
    ]);
    // a deterministic case's single session is judged as before
    expect(compareCase(byName('T1-forbid-yes-default'), at(3), at(6)).problems).toHaveLength(1);
  });

  it('a case whose real time depends on the wall clock (W1): the lab inside its range and close to the real time; a late real timer is no failure', () => {
    const w1 = byName('W1-wrong-password');
    const at = (ms: number): SideOutcome => ({ sessions: [{ replies: [], authReply: '535 5.7.8 Authentication failed.', authToReplyMs: ms }], backendConnections: 0, smtpdLog: [] });
    expect(compareCase(w1, at(1502), at(2000)).match).toBe(true);
    expect(compareCase(w1, at(2023), at(2001)).match).toBe(true);
    expect(compareCase(w1, at(1502), at(3000)).problems).toEqual(['AUTH→reply time: real 1502 ms, lab 3000 ms (the lab must lie in 1500-2000 ms and within ×1.5 or ±1 ms of the real time)']);
    expect(compareCase(w1, at(2000), at(1000)).match).toBe(false);
    expect(compareCase(w1, at(2000), at(5)).match).toBe(false);
    expect(cases.at(-1)).toBe(w1);
  });

  it('racy cells: Fisher on lost races and outcomes when the batch is calibrated, notes only when it is not', () => {
    const calibrated = { ...byName('T3-forbid-yes-quickack'), labValues: { 'sim.wakeup_preempt_per_mille': 500 } };
    const improper = 'postfix/smtpd: improper command pipelining after XCLIENT from localhost[127.0.0.1]: EHLO front.example.test\\r\\n';
    const side = (ok: number, failed: number, lost: number): SideOutcome => ({
      sessions: [
        ...Array.from({ length: ok }, () => ({ replies: [], authReply: '235 2.7.0 Logged in.', authToReplyMs: null })),
        ...Array.from({ length: failed }, () => ({ replies: [], authReply: '454 4.7.0 Account is temporarily unavailable.', authToReplyMs: null })),
      ],
      backendConnections: ok + failed + lost - failed,
      smtpdLog: Array.from({ length: lost }, () => improper),
    });
    expect(compareCase(calibrated, side(20, 0, 4), side(20, 0, 7)).match).toBe(true);
    const verdict = compareCase(calibrated, side(20, 0, 4), side(2, 18, 72));
    expect(verdict.match).toBe(false);
    expect(verdict.problems[0]).toBe('lost races per backend connection: real 4/24 = 17 % [7–36 %], lab 72/74 = 97 % [91–99 %]; Fisher p=6.5e-15 < 0.01');
    expect(verdict.problems.some((p) => p.startsWith('sessions with outcome 454: real 0/20 = 0 %'))).toBe(true);
    const uncalibrated = compareCase(byName('T3-forbid-yes-quickack'), side(20, 0, 4), side(2, 18, 72));
    expect(uncalibrated.match).toBe(true);
    expect(uncalibrated.notes[0]).toBe(`(not judged: no capture of this batch's scheduling) ${verdict.problems[0]}`);
    // a live run's own capture (real-run.ts) makes the same case judged
    const live = compareCase(byName('T3-forbid-yes-quickack'), { ...side(20, 0, 4), measured: { scheduling: { 'sim.wakeup_preempt_per_mille': 800 } } }, side(2, 18, 72));
    expect(live.problems[0]).toBe(verdict.problems[0]);
    const broken = { ...side(20, 0, 4), backendConnections: 30 };
    expect(compareCase(calibrated, broken, side(20, 0, 4)).problems).toEqual(['real: 30 backend connections, reconnect accounting expects 24']);
  });

  it('outcome classes count whole reconnect waits before a 235', () => {
    const s = (authReply: string, ms: number | null, reconnectWaits?: number) => ({ replies: [], authReply, authToReplyMs: ms, ...(reconnectWaits === undefined ? {} : { reconnectWaits }) });
    expect(outcomeClass(s('235 2.7.0 Logged in.', 3))).toBe('235');
    expect(outcomeClass(s('235 2.7.0 Logged in.', 2039))).toBe('235+2s');
    expect(outcomeClass(s('235 2.7.0 Logged in.', null, 1))).toBe('235+1s');
    expect(outcomeClass(s('454 4.7.0 Account is temporarily unavailable.', 3010))).toBe('454');
  });

  it('the quantile test splits both samples at the pooled percentile (ties not above) and applies Fisher to the counts above', () => {
    // pooled 10 values 1..10: the 50th percentile is 5; above it real 0/5, lab 5/5: p = 2 / C(10, 5)
    expect(quantileTest([1, 2, 3, 4, 5], [6, 7, 8, 9, 10], 0.5)).toEqual({ threshold: 5, aboveA: 0, aboveB: 5, p: expect.closeTo(2 / 252, 9) });
    // whole milliseconds, mostly 2: the pooled 50th percentile is 2 and only the longer ones count; the 75th is the 12th of 16, 3 ms
    const [a, b] = [[2, 2, 2, 2, 2, 2, 2, 3], [2, 2, 2, 2, 9, 9, 9, 9]];
    expect(quantileTest(a, b, 0.5)).toMatchObject({ threshold: 2, aboveA: 1, aboveB: 4 });
    const test = quantileTest(a, b, 0.75);
    expect([test.threshold, test.aboveA, test.aboveB]).toEqual([3, 0, 4]);
    expect(test.p).toBeCloseTo(fisherExact(0, 8, 4, 8), 12);
    expect(quantileTest([4, 4], [4, 4, 4], 0.9).p).toBe(1);
    expect(() => quantileTest([], [1], 0.5)).toThrow(/two non-empty samples/);
    expect([0, 0.5, 0.9, 1].map((p) => percentile([5, 1, 4, 2, 3], p))).toEqual([1, 3, 5, 5]);
  });

  it('racy 235 times over MIN_TIME_DISTRIBUTION_SESSIONS sessions are judged as a distribution: a long tail fails where the median agrees', () => {
    const batch = byName('C-quickack-c');
    const at = (ms: readonly number[]): SideOutcome => ({ sessions: ms.map((t) => ({ replies: [], authReply: '235 2.7.0 Logged in.', authToReplyMs: t })), backendConnections: ms.length, smtpdLog: [] });
    const real = at([...Array(40).fill(2), ...Array(5).fill(3), ...Array(5).fill(6)]);
    const longTail = at([...Array(30).fill(2), ...Array(20).fill(20)]);
    expect(compareCase(batch, real, real).problems).toEqual([]);
    expect(compareCase(batch, real, longTail).problems).toEqual([
      'AUTH→reply time of 235 (75th percentile): real 2 / 2 / 3 ms, lab 2 / 20 / 20 ms (50th / 75th / 90th); above the pooled 75th percentile (3 ms): real 5/50, lab 20/50; Fisher p=9.7e-4 < 0.0033',
    ]);
    expect(compareCase(batch, real, longTail).real).toContain('235 2 / 2 / 3 ms (50/75/90 %)');
    // below MIN_TIME_DISTRIBUTION_SESSIONS the median's tolerance, where the median test tells the samples apart
    expect(compareCase(batch, at(Array(19).fill(2)), at(Array(19).fill(20))).problems).toEqual([
      'AUTH→reply time of 235 (median): real 2 ms, lab 20 ms (allowed: within ×1.5 or ±1 ms); above the pooled median (2 ms): real 0/19, lab 19/19; Fisher p=5.7e-11 < 0.01',
    ]);
  });

  it('a handful of racy sessions (B1: 6): a steady chain twice as slow fails; medians of a mixture that sampling alone can move apart pass', () => {
    const b1 = byName('B1-forbid-no-quickack-plain');
    const at = (...ms: number[]): SideOutcome => ({ sessions: ms.map((t) => ({ replies: [], authReply: '235 2.7.0 Logged in.', authToReplyMs: t })), backendConnections: ms.length, smtpdLog: [] });
    expect(compareCase(b1, at(3, 3, 3, 4, 4, 4), at(6, 6, 7, 7, 8, 8)).problems).toEqual([
      'AUTH→reply time of 235 (median): real 4 ms, lab 7 ms (allowed: within ×1.5 or ±1 ms); above the pooled median (4 ms): real 0/6, lab 6/6; Fisher p=2.2e-3 < 0.01',
    ]);
    // quick sessions and waits on both sides: medians 4 and 7 ms, but three of six above the pooled median on each side
    expect(compareCase(b1, at(2, 3, 4, 5, 9, 30), at(2, 3, 7, 8, 12, 20)).problems).toEqual([]);
    // inside the tolerance nothing is tested
    expect(compareCase(b1, at(4, 4, 4, 4, 4, 4), at(5, 5, 5, 5, 5, 5)).problems).toEqual([]);
  });

  it('Fisher exact and Wilson intervals agree with published values', () => {
    // 1 of 4 against 3 of 4: p = 34/70; 0 of 10 against 10 of 10: the two extreme tables, 2 / C(20, 10).
    expect(fisherExact(10, 20, 10, 20)).toBeCloseTo(1, 9);
    expect(fisherExact(1, 4, 3, 4)).toBeCloseTo(0.4857143, 6);
    expect(fisherExact(0, 10, 10, 10)).toBeCloseTo(1.082509e-5, 9);
    const [low, high] = wilson(4, 24);
    expect(low).toBeCloseTo(0.0668, 3);
    expect(high).toBeCloseTo(0.3588, 3);
    expect(wilson(0, 0)).toEqual([0, 1]);
  });
});
