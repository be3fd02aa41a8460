/* front-differential - what the differential tests of a front (Dovecot, nginx) share: the outcome of a session, the comparison, both sides' runners
 *
 * A session is a list of client lines played lock-step (./dovecot-differential-client.ts) at a
 * real front and, as the same lines in one raw step per group, at a scenario in the simulator.
 * What is compared: every reply the client is owed (the greeting, then one per line), code,
 * enhanced code and text, after normaliseDifferentialReply(); and how the session ended (QUIT
 * answered, closed by the server, hung up by the client at the script's end, no reply in time).
 * Since the client is lock-step, the number of replies says after which line the server closed.
 * ./dovecot-differential.ts and ./nginx-differential.ts say which real stack and scenario each compares.
 */
import type { ClientScript } from '../models/client/script.ts';
import type { Scenario } from '../scenarios/index.ts';
import { clientScriptOf } from '../scenarios/client-script.ts';
import { runScenario, sessionEndOf } from '../scenarios/run.ts';
import { hostsOf } from '../scenarios/topology.ts';
import { playLockstep, type LockstepResult, type SessionEndKind } from './dovecot-differential-client.ts';

/**
 * The `real-stack` scenario's Postfix and TCP overrides that make it the live stack a front
 * differential runs (RealStack.configure with REAL_STACK_SETTING): smtpd_forbid_unauth_pipelining
 * = no and the default TCP mode, so the XCLIENT race (README, "The story") cannot decide a session:
 * with forbid=no Postfix answers a lost race as a won one.
 */
export const REAL_STACK_SETS = ['postfix.smtpd_forbid_unauth_pipelining=no', 'tcp.profile=linux-default', 'postfix.xclient_lookup_ms=0'] as const;
export const REAL_STACK_SETTING = { forbid: false, tcpMode: 'default', xclientLookupMs: null } as const;

/** How long either side waits for a reply: the lab client's client.timeout_s default (30 s), so a silence is 'timeout' on both. */
export const REPLY_TIMEOUT_MS = 30_000;

/**
 * The only per-run part of a reply on these paths: Postfix's queue id ("250 2.0.0 Ok: queued as
 * 4A1B220C07F", cleanup's hex id from the inode and time). Host names are the configuration's on
 * both sides (front.example.test or mail.example.test, backend.example.test) and are compared as
 * they are; neither front's replies carry a session id, a port or a time.
 */
export function normaliseDifferentialReply(reply: string): string {
  return reply.replace(/(queued as )[0-9A-F]{6,}\b/g, '$1<queue-id>');
}

export interface SessionOutcome {
  /** The replies owed (greeting first), normalised. */
  readonly replies: readonly string[];
  readonly end: SessionEndKind;
}

/**
 * The replies owed: the greeting and one per line. Replies beyond those (a line answered twice
 * near the script's end) count only when the server hung up after them: otherwise whether the
 * client read them before its own close is timing (the lab's client hangs up at once, the real
 * one waits for a close).
 */
export function outcomeOf(result: LockstepResult, lines: readonly string[]): SessionOutcome {
  const replies = result.end === 'server-closed' ? result.replies : result.replies.slice(0, lines.length + 1);
  return { replies: replies.map(normaliseDifferentialReply), end: result.end };
}

/** The lab's client script for `lines`: the scenario's client (swaks' timings) with one raw line per group. */
export function labScript(scenario: Scenario, lines: readonly string[]): ClientScript {
  const base = clientScriptOf(scenario, hostsOf(scenario).front);
  return { ...base, replyTimeoutUs: REPLY_TIMEOUT_MS * 1000, groups: lines.map((line) => ({ steps: [{ kind: 'raw', latin1: `${line}\r\n` }], writes: 'one' })) };
}

/** The session in the simulator, on `scenario`. */
export function runLabSessionOn(scenario: Scenario, lines: readonly string[], seed: number): SessionOutcome {
  const report = runScenario(scenario, { seed, script: labScript(scenario, lines) });
  const end = sessionEndOf(report.client);
  const kind: SessionEndKind = end === 'quit' ? 'quit' : end === 'client-closed' ? 'client-closed' : end === 'client-timeout' ? 'timeout' : 'server-closed';
  if (end === 'not-ended' || end === 'connect-failed') throw new Error(`lab session did not run to an end (${end}): ${JSON.stringify(lines)}`);
  return outcomeOf({ replies: report.client.replies, end: kind }, lines);
}

export interface Disagreement {
  /** Index of the first differing reply (0: the greeting, i: the reply to line i-1), or the reply count when only the end differs. */
  readonly index: number;
  /** The line that reply answers (null for the greeting or the end); a reply beyond those owed (words before a hang-up) is put to the last line. */
  readonly line: string | null;
  readonly real: string;
  readonly lab: string;
}

/** The first place the two sides part, or null when they agree on every reply and on the end. */
export function firstDisagreement(lines: readonly string[], real: SessionOutcome, lab: SessionOutcome): Disagreement | null {
  const count = Math.max(real.replies.length, lab.replies.length);
  for (let i = 0; i < count; i++) {
    const r = real.replies[i];
    const l = lab.replies[i];
    if (r !== l) return { index: i, line: i === 0 ? null : (lines[Math.min(i, lines.length) - 1] ?? null), real: r ?? '(no reply)', lab: l ?? '(no reply)' };
  }
  if (real.end !== lab.end) return { index: count, line: null, real: `end: ${real.end}`, lab: `end: ${lab.end}` };
  return null;
}

/** A disagreement as the report prints it, bytes shown as JSON escapes. */
export function describeDisagreement(d: Disagreement): string {
  const at = d.line === null ? (d.index === 0 ? 'greeting' : 'end of session') : `reply ${d.index} (to ${JSON.stringify(d.line.length > 80 ? `${d.line.slice(0, 80)}…(${d.line.length})` : d.line)})`;
  return `${at}: real ${JSON.stringify(d.real)} lab ${JSON.stringify(d.lab)}`;
}

/** A disagreement the test accepts, with why (the real daemon's source or a real run). */
export interface KnownDisagreement {
  readonly id: string;
  readonly reason: string;
  matches(d: Disagreement): boolean;
}

/** The entry of `known` that `d` is, or null. */
export function knownIn(known: readonly KnownDisagreement[], d: Disagreement): KnownDisagreement | null {
  return known.find((k) => k.matches(d)) ?? null;
}

/**
 * Each real session from an address of its own in 127.1.0.0/16: Dovecot's auth penalty is per
 * remote IP, and the nginx differential's auth service keeps one rate limiter per client address.
 */
let nextAddress = 0;
function freshClientAddress(): string {
  const k = nextAddress++ % 65_536;
  return `127.1.${k >> 8}.${k & 255}`;
}

/** How long the real client waits, after the script's last reply, for a close it would otherwise miss. */
const CLOSE_GRACE_MS = 300;

/**
 * The real client's pause before each line: the lab's client thinks 150 µs (client.think_time_us) in
 * virtual time, where a server's replies and its close, sent in one turn, are all there before it
 * ends; on a loaded machine a real close can come some milliseconds after the replies it follows.
 */
const THINK_MS = 20;

/** The session against a real front listening on 127.0.0.1:`port`. */
export async function runRealSessionAt(port: number, lines: readonly string[]): Promise<SessionOutcome> {
  const result = await playLockstep(lines, { host: '127.0.0.1', port, localAddress: freshClientAddress(), replyTimeoutMs: REPLY_TIMEOUT_MS, graceMs: CLOSE_GRACE_MS, thinkMs: THINK_MS });
  return outcomeOf(result, lines);
}

/** The real outcome of each session at 127.0.0.1:`port`, `concurrency` at a time (lock-step sessions do not depend on one another's timing). */
export async function runRealSessionsAt(port: number, sessions: readonly (readonly string[])[], concurrency: number): Promise<Map<string, SessionOutcome>> {
  const outcomes = new Map<string, SessionOutcome>();
  let next = 0;
  const worker = async () => {
    for (let k = next++; k < sessions.length; k = next++) outcomes.set(sessionKey(sessions[k]!), await runRealSessionAt(port, sessions[k]!));
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return outcomes;
}

export const sessionKey = (lines: readonly string[]) => JSON.stringify(lines);
