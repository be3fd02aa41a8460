/* proxy-protocol - properties 8-10 (a front that passes identity with the PROXY protocol) hold, and each fails on its break */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { asciiBytes, type Micros, type OutputQueue } from '../../models/contract.ts';
import { HaproxyFront } from '../../models/front/haproxy-front.ts';
import { runLabProperty } from '../../properties/check.ts';
import { PROPERTIES, propertyById, type LabProperty } from '../../properties/suite.ts';
import { loadScenario } from '../../scenarios/index.ts';
import { runScenario } from '../../scenarios/run.ts';
import { runCase, type LabCase } from '../../properties/lab-case.ts';
import { earlyTalkJudgedOnTheClient } from '../../properties/verdicts.ts';

const SCENARIO = 'haproxy-proxy-protocol';
const property = (id: string): LabProperty => propertyById(id) ?? (() => { throw new Error(id); })();
const check = (id: string, sets: string[] = [], numRuns = 150) => runLabProperty(property(id), { scenario: loadScenario({ scenario: SCENARIO, sets }), seed: 1, numRuns });

/** The model's insides a break reaches into (tests only). */
interface HaproxyInsides {
  header(session: unknown): Uint8Array | null;
  relayToServer(now: Micros, session: { server: string | null; toServer: string }): void;
  out: OutputQueue;
}
const insides = HaproxyFront.prototype as unknown as HaproxyInsides;

/**
 * Property 10's shrunk counterexample before it stopped blaming the client (seed 1, path
 * 488:0:0:0:0:0:0:0:0:0:0:0:0:3:3:3:3:1:1:1:2:1:3): an early talker, and a slicer on the backend
 * hop that cut HAProxy's header, so smtpd's one peek found "PROXY TCP4 2" and hung up with 421.
 */
const SLICED_HEADER_EARLY_TALKER: LabCase = {
  overrides: {
    'postfix.xclient_lookup_ms': 0, 'postfix.milter_ms': 0, 'postfix.banner_delay_ms': 13, 'auth.latency_ms': 4.5, 'auth.fault': 'none',
    'tcp.profile': 'linux-default', 'tcp.client_profile': 'linux-default', 'tcp.one_way_delay_us': 10,
  },
  client: {
    user: '_@example.test', password: 'secret', helo: 'client.example.test', waitForGreeting: false, thinkTimeUs: 150,
    groups: [
      { kind: 'ehlo', domain: 'client.example.test' },
      { kind: 'auth', mechanism: 'PLAIN', user: '_@example.test', password: 'secret', initialResponse: false },
      { kind: 'mail', from: '_@example.test' },
      { kind: 'rcpt', to: 'rcpt0-0@example.test' },
      { kind: 'data' },
      { kind: 'message', content: 'Subject: lab\r\n\r\n\r\n' },
      { kind: 'quit' },
    ].map((step) => ({ steps: [step as LabCase['client']['groups'][number]['steps'][number]], writes: 'one' as const })),
  },
  faults: { client: [], backend: [{ name: 'slicer', numerator: 1, denominator: 4, maxPieces: 2 }, { name: 'latency', extraUs: 0, jitterUs: 0 }], auth: [] },
  seed: 4,
};

afterEach(() => {
  vi.restoreAllMocks();
});

describe('which properties apply to a PROXY-protocol front', () => {
  it('the XCLIENT handshake properties do not, the others do', () => {
    const haproxy = loadScenario({ scenario: SCENARIO });
    const notApplying = PROPERTIES.filter((p) => p.appliesTo(haproxy) !== null).map((p) => p.id);
    expect(notApplying).toEqual(['bug-exists', 'fixed-sequencing']);
    const mailu = loadScenario({ scenario: 'mailu-2024.06' });
    expect(['proxy-identity', 'proxy-no-pipelining', 'proxy-early-talker'].map((id) => property(id).appliesTo(mailu))).toEqual(Array(3).fill("front dovecot-2.3 passes the client's identity with XCLIENT, not the PROXY protocol"));
  });
});

describe('8. identity carried', () => {
  it('holds under any faults, v1 and v2', () => {
    for (const version of ['v1', 'v2']) {
      const outcome = check('proxy-identity', [`front.send_proxy=${version}`]);
      expect(outcome.coverageGap.missing).toEqual([]);
      expect(outcome.result).toBe('passed');
    }
  });

  it('sibling: fails when HAProxy forgets the header and Postfix expects none (Postfix serves the proxy as the client)', () => {
    const outcome = check('proxy-identity', ['front.send_proxy=none', 'postfix.smtpd_upstream_proxy_protocol=']);
    expect(outcome.result).toBe('failed');
    expect(outcome.verdict).toMatch(/Postfix served connect from \[192\.168\.203\.2\] but HAProxy's client was 203\.0\.113\.25/);
  });
});

describe('9. no pipelining trouble from the proxy', () => {
  it('holds', () => {
    const outcome = check('proxy-no-pipelining');
    expect(outcome.coverageGap.missing).toEqual([]);
    expect(outcome.result).toBe('passed');
  });

  it('sibling: fails when Postfix is not told about the header (it reads it as an early command)', () => {
    const outcome = check('proxy-no-pipelining', ['postfix.smtpd_upstream_proxy_protocol=']);
    expect(outcome.result).toBe('failed');
    expect(outcome.verdict).toMatch(/read the proxy's own bytes as SMTP: improper command pipelining, unread PROXY TCP4 203\.0\.113\.25 /);
  });

  it('sibling: fails when the proxy adds a CRLF after its header', () => {
    const header = insides.header;
    vi.spyOn(insides, 'header').mockImplementation(function (this: unknown, session) {
      return asciiBytes(`${Buffer.from(header.call(this, session)!).toString('latin1')}\r\n`);
    });
    const outcome = check('proxy-no-pipelining');
    expect(outcome.result).toBe('failed');
    expect(outcome.verdict).toMatch(/the client waited for every reply, yet Postfix logged: .*improper command pipelining after CONNECT from unknown\[203\.0\.113\.25\]: \\r\\n/);
  });
});

describe('10. a client that talks early', () => {
  it('is flagged under its own address and bytes: 554 with smtpd_forbid_unauth_pipelining (smtpd.c smtpd_proto case 0)', () => {
    const report = runScenario(loadScenario({ scenario: SCENARIO, sets: ['client.wait_for_greeting=no'] }), { seed: 1 });
    expect(report.postfix.log).toContain('postfix/smtpd: improper command pipelining after CONNECT from unknown[203.0.113.25]: EHLO client.example.test\\r\\n');
    expect(report.client.replies).toEqual(['554 5.5.0 Error: SMTP protocol synchronization']);
    const forbidNo = runScenario(loadScenario({ scenario: SCENARIO, sets: ['client.wait_for_greeting=no', 'postfix.smtpd_forbid_unauth_pipelining=no'] }), { seed: 1 });
    expect(forbidNo.client.authReply).toBe('235 2.7.0 Authentication successful');
  });

  it('holds over generated clients, some of which talk early', () => {
    const outcome = check('proxy-early-talker');
    expect(outcome.coverageGap.missing).toEqual([]);
    expect(outcome.result).toBe('passed');
  });

  it('leaves a header the slicer cut unjudged: the one peek saw a piece of it, no client byte (check --seed 1 --runs 1000, shrunk)', () => {
    const report = runCase(loadScenario({ scenario: SCENARIO }), SLICED_HEADER_EARLY_TALKER);
    expect(report.postfix.log).toContain('postfix/smtpd: warning: haproxy read: missing protocol header terminator: PROXY TCP4 2');
    expect(report.client.replies[0]).toBe('421 4.3.0 mail.example.test Server local error');
    expect(earlyTalkJudgedOnTheClient(SLICED_HEADER_EARLY_TALKER, report)).toBeNull();
  });

  it('sibling: fails when HAProxy sends the header late, after the bytes the client sent early', () => {
    const header = insides.header;
    const relay = insides.relayToServer;
    const late = new WeakSet<object>();
    vi.spyOn(insides, 'header').mockReturnValue(null);
    vi.spyOn(insides, 'relayToServer').mockImplementation(function (this: HaproxyInsides, now, session) {
      relay.call(this, now, session);
      if (late.has(session) || session.server === null) return;
      late.add(session);
      this.out.push({ kind: 'write', conn: session.server, bytes: header.call(this, session)! });
    });
    const outcome = check('proxy-early-talker');
    expect(outcome.result).toBe('failed');
    expect(outcome.verdict).toMatch(/the client's early bytes spoiled the PROXY header: postfix\/smtpd: warning: haproxy read: unrecognized protocol header: EHLO /);
  });
});

describe('3. correct clients served behind HAProxy', () => {
  it('holds: a header the slicer cut is Postfix\'s one-peek limit (haproxy_srvr_receive), not a refusal by the chain', () => {
    expect(check('workaround', [], 300).result).toBe('passed');
  });

  it('sibling: a HAProxy that sends no header to a Postfix that expects one still fails it (only the slicer\'s cut is excused)', () => {
    const outcome = check('workaround', ['front.send_proxy=none'], 300);
    expect(outcome.result).toBe('failed');
    expect(outcome.verdict).toMatch(/instead of 235/);
  });
});
