/* dovecot-conformance - dovecot-2.3 in the simulator against the recorded real Dovecot 2.3.19.1 (raw/A1, E1, E3, B1)
 *
 * The front model talks to the Postfix model and the Mailu auth model; the swaks-like client plays
 * the recorded script. Checked: the backend writes (bytes, boundaries, order, per connection) against
 * Dovecot's own rawlog, and the client's view against swaks' transcript.
 */
import { describe, expect, test } from 'vitest';
import { measuredTimings } from '../../../models/postfix/config.ts';
import { backendConnects, backendWrites, clientReceived, runChain, writeTimes } from './chain.ts';
import { clientSaw, normalisePorts, rawFile, rawlogLines, rawlogWrites } from './recorded.ts';

const slowXclient = { timings: { ...measuredTimings, xclientLookupDelayUs: 100_000 } };

function replyLines(text: string): string[] {
  return text.split('\r\n').slice(0, -1);
}

describe('dovecot-2.3 writes to the backend what the real Dovecot wrote', () => {
  test('A1 (default TCP, forbid=yes): EHLO, XCLIENT, EHLO as three writes, then the relayed session', () => {
    const run = runChain({ kind: 'dovecot-2.3' });
    const recorded = rawlogWrites('A1-forbid-yes-default-plain');
    expect(recorded).toHaveLength(1);
    expect(backendWrites(run.events).map((c) => c.map(normalisePorts))).toEqual(recorded);
    // Nagle stays on for the backend socket, as the recorded segments show.
    expect(run.events.filter((e) => e.kind === 'connect' && e.node === 'front').map((e) => e.noDelay)).toContain(false);
    expect(run.events.filter((e) => e.kind === 'connect' && e.node === 'front' && (e.remote as { port: number }).port === 10025).map((e) => e.noDelay)).toEqual([false]);
  });

  test('E1 (slow XCLIENT lookup, forbid=yes): four connections, each EHLO, XCLIENT, EHLO', () => {
    const run = runChain({ kind: 'dovecot-2.3', postfix: slowXclient });
    const recorded = rawlogWrites('E1-slowxclient-forbid-yes-default-plain');
    expect(recorded).toHaveLength(4);
    expect(backendWrites(run.events).map((c) => c.map(normalisePorts))).toEqual(recorded);
  });
});

describe('Dovecot\'s reaction times come from its own rawlog (A1)', () => {
  test('banner -> EHLO, EHLO reply -> XCLIENT, XCLIENT -> EHLO: the recorded gaps, to the microsecond', () => {
    const [recorded] = rawlogLines('A1-forbid-yes-default-plain');
    const firstReplyEnd = recorded!.in.find((l) => l.text.startsWith('250 '))!;
    const expected = {
      bannerToEhlo: recorded!.out[0]!.us - recorded!.in[0]!.us,
      ehloReplyToXclient: recorded!.out[1]!.us - firstReplyEnd.us,
      xclientToEhlo: recorded!.out[2]!.us - recorded!.out[1]!.us,
    };
    expect(expected).toEqual({ bannerToEhlo: 59, ehloReplyToXclient: 46, xclientToEhlo: 5 });

    const run = runChain({ kind: 'dovecot-2.3' });
    const backendConn = String(run.events.find((e) => e.kind === 'write' && e.from === 'front' && e.to === 'postfix')!.conn);
    const arrivals = run.events.filter((e) => e.kind === 'deliver' && e.conn === backendConn && e.to === 'front' && Number(e.len) > 0).map((e) => e.t);
    const writes = run.events.filter((e) => e.kind === 'write' && e.conn === backendConn && e.from === 'front').map((e) => e.t);
    expect({
      bannerToEhlo: writes[0]! - arrivals[0]!,
      ehloReplyToXclient: writes[1]! - arrivals[1]!,
      xclientToEhlo: writes[2]! - writes[1]!,
    }).toEqual(expected);
  });
});

describe('the client sees what swaks saw', () => {
  test.each([
    ['A1-forbid-yes-default-plain', {}],
    ['E1-slowxclient-forbid-yes-default-plain', { postfix: slowXclient }],
    ['E3-slowxclient-forbid-yes-default-login', { postfix: slowXclient, client: { auth: 'LOGIN' as const, authInitialResponse: false } }],
    ['B1-forbid-no-quickack-plain', { postfix: { smtpd_forbid_unauth_pipelining: false }, postfixLink: { profile: 'quickack' as const } }],
  ])('%s', (recordedRun, options) => {
    const run = runChain({ kind: 'dovecot-2.3', ...options });
    const seen = replyLines(clientReceived(run.events)).map((l) => l.replace(/queued as [0-9A-F]+/, 'queued as <id>'));
    expect(seen).toEqual(clientSaw(recordedRun).map((l) => l.replace(/queued as [0-9A-F]+/, 'queued as <id>')));
  });
});

describe('the failure timing of the recorded E1 run', () => {
  test('dovecot-2.3: 4 backend connections, each 1 s after the previous failure, AUTH -> 454 within 10 % of 3.82 s', () => {
    const run = runChain({ kind: 'dovecot-2.3', postfix: slowXclient });
    const connects = backendConnects(run.events);
    const failures = writeTimes(run.events, 'postfix', 'front', /^554 /);
    expect(connects).toHaveLength(4);
    expect(failures).toHaveLength(4);
    // PROXY_CONNECT_RETRY_MSECS: the next connect is 1.000 s after the 554 is handled (E1: 1.0014 s after it arrived).
    for (let i = 1; i < 4; i++) expect((connects[i]! - failures[i - 1]!) / 1e6).toBeCloseTo(1.0, 2);
    const facts = run.sim.facts('front').filter((f) => f.fact.kind === 'backendAttempt').map((f) => f.fact);
    expect(facts).toEqual([1, 2, 3, 4].map((attempt) => ({ kind: 'backendAttempt', attempt })));
    const auth = writeTimes(run.events, 'client', 'front', /^AUTH /)[0]!;
    const reply = writeTimes(run.events, 'front', 'client', /^454 /)[0]!;
    expect(Math.abs((reply - auth) / 1e6 - 3.82) / 3.82).toBeLessThan(0.1);
  });

  test('lockstep under the same trigger: 235 on the first backend connection', () => {
    const run = runChain({ kind: 'lockstep', postfix: slowXclient });
    expect(backendConnects(run.events)).toHaveLength(1);
    expect(clientReceived(run.events)).toContain('235 2.7.0 Logged in.\r\n');
    expect(run.sim.facts('front').map((f) => f.fact)).toContainEqual({ kind: 'proxying', reconnects: 0 });
    expect(run.sim.logs('postfix').some((l) => l.line.includes('improper command pipelining'))).toBe(false);
  });

  test('lockstep writes EHLO only after the XCLIENT reply has arrived', () => {
    const run = runChain({ kind: 'lockstep', postfix: slowXclient });
    const xclientReply = writeTimes(run.events, 'postfix', 'front', /^220 /)[1]!;
    const secondEhlo = writeTimes(run.events, 'front', 'postfix', /^EHLO /)[1]!;
    expect(secondEhlo).toBeGreaterThan(xclientReply);
  });

  test('the same holds with the quickack trigger (immediate ACK releases EHLO early)', () => {
    const buggy = runChain({ kind: 'dovecot-2.3', postfixLink: { profile: 'quickack' } });
    expect(backendConnects(buggy.events)).toHaveLength(4);
    expect(clientReceived(buggy.events)).toContain('454 4.7.0 Account is temporarily unavailable.\r\n');
    const fixed = runChain({ kind: 'lockstep', postfixLink: { profile: 'quickack' } });
    expect(backendConnects(fixed.events)).toHaveLength(1);
    expect(clientReceived(fixed.events)).toContain('235 2.7.0 Logged in.\r\n');
  });

  test('sibling: the lock-step writes do not match the recorded (buggy) E1 rawlog', () => {
    const run = runChain({ kind: 'lockstep', postfix: slowXclient });
    expect(backendWrites(run.events).map((c) => c.map(normalisePorts))).not.toEqual(rawlogWrites('E1-slowxclient-forbid-yes-default-plain'));
  });

  test('dovecot-2.4 does not retry the XCLIENT failure: one connection, then 454', () => {
    const run = runChain({ kind: 'dovecot-2.4', postfix: slowXclient });
    expect(backendConnects(run.events)).toHaveLength(1);
    expect(clientReceived(run.events)).toContain('454 4.7.0 Account is temporarily unavailable.\r\n');
  });
});

describe('log lines as Dovecot writes them', () => {
  test('A1: the proxy lines of raw/A1 dovecot-short.log, ports normalised', () => {
    const run = runChain({ kind: 'dovecot-2.3' });
    const lines = run.sim.logs('front').map((l) => `${l.program}: ${l.line}`.replace(/rport=\d+/, 'rport=<port>'));
    expect(lines).toEqual([
      'submission-login: Debug: proxy(alice@example.test,127.0.0.1:10025): Created proxy session to <127.0.0.1>: user=<alice@example.test>, method=PLAIN, rip=127.0.0.1, rport=<port>, lip=127.0.0.1, lport=1587, secured',
      'submission-login: Debug: proxy(alice@example.test,127.0.0.1:10025): Connecting to <127.0.0.1>: user=<alice@example.test>, method=PLAIN, rip=127.0.0.1, rport=<port>, lip=127.0.0.1, lport=1587, secured',
      'submission-login: Info: proxy(alice@example.test,127.0.0.1:10025): Started proxying to <127.0.0.1> (0.014 secs): user=<alice@example.test>, method=PLAIN, rip=127.0.0.1, rport=<port>, lip=127.0.0.1, lport=1587, secured',
      'submission-login: Info: proxy(alice@example.test,127.0.0.1:10025): Disconnected by server (0s idle, in=484, out=346): user=<alice@example.test>, method=PLAIN, rip=127.0.0.1, rport=<port>, lip=127.0.0.1, lport=1587, secured',
    ]);
  });

  test('E1: the submission-login lines of raw/E1 dovecot-short.log, in order', () => {
    const run = runChain({ kind: 'dovecot-2.3', postfix: slowXclient });
    const recorded = rawFile('E1-slowxclient-forbid-yes-default-plain', 'dovecot-short.log')
      .split('\n').filter((l) => l.includes(' submission-login: ')).map((l) => l.slice(l.indexOf('submission-login: ')).replace(/rport=\d+/, 'rport=<port>'));
    const lines = run.sim.logs('front').map((l) => `${l.program}: ${l.line}`.replace(/rport=\d+/, 'rport=<port>'));
    expect(lines).toEqual(recorded);
  });
});
