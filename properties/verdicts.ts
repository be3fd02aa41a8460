/* verdicts - what a run report says about each property: null when it holds, else why not
 *
 * Pure functions of (case, report), shared by the property suite, the CLI reports and the
 * tests. Each returns a sentence a developer can act on, naming what was seen.
 */
import type { LabCase } from './lab-case.ts';
import { hasDestructiveFault, scriptOf } from './lab-case.ts';
import type { RunReport } from '../scenarios/run.ts';
import { CORRECT_PASSWORD, IMPOSTOR } from './arbitraries/client-behaviour.ts';
import { pipeliningViolations } from '../models/client/index.ts';
import { xtextEncode } from '../models/front/index.ts';

export type Verdict = string | null;

/** The client's credentials are right, so only the chain can refuse it. */
export function isCorrectClient(labCase: LabCase): boolean {
  return labCase.client.password === CORRECT_PASSWORD;
}

/**
 * Mailu's login.lua asks the auth service with a 2000 ms lib-http timeout per attempt; an
 * answer slower than that (less the network's share) fails every attempt whatever the proxy does.
 */
export const AUTH_ANSWER_LIMIT_MS = 1_990;

/**
 * Postfix refuses an XCLIENT attribute whose xtext form is longer than 255 bytes
 * (smtpd.c xclient_cmd: "501 5.5.4 Error: attribute value too long"), so a login or HELO name
 * longer than that cannot pass any XCLIENT proxy, however it sequences its commands.
 */
export const XCLIENT_VALUE_LIMIT = 255;

function fitsXclient(value: string): boolean {
  return xtextEncode(Buffer.from(value, 'utf8').toString('latin1')).length <= XCLIENT_VALUE_LIMIT;
}

/** Nothing in the case makes success impossible: right credentials, legal client, healthy services and links. */
export function successPossible(labCase: LabCase): boolean {
  // Where the client connects does not matter to RFC 2920's rules.
  const script = scriptOf(labCase, { host: '', port: 0 });
  return (
    isCorrectClient(labCase) &&
    fitsXclient(labCase.client.user) &&
    fitsXclient(labCase.client.helo) &&
    (labCase.overrides['auth.fault'] ?? 'none') === 'none' &&
    (labCase.overrides['auth.latency_ms'] ?? 0) < AUTH_ANSWER_LIMIT_MS &&
    !hasDestructiveFault(labCase.faults) &&
    pipeliningViolations(script, true).length === 0 &&
    !labCase.client.groups.some((group) => group.steps.some((step) => step.kind === 'line'))
  );
}

/** The Mailu failure: a correct client refused with 454 because Postfix saw the pipelined EHLO after XCLIENT. */
export function showsMailuBug(labCase: LabCase, report: RunReport): boolean {
  return isCorrectClient(labCase) && (report.client.authReply ?? '').startsWith('454 4.7.0') && report.postfix.log.some((line) => line.includes('improper command pipelining after XCLIENT'));
}

/** Property 2/3: a correct client gets 235 and every message it sent is queued, once. */
export function correctClientServed(labCase: LabCase, report: RunReport): Verdict {
  if (!successPossible(labCase)) return null;
  if (!(report.client.authReply ?? '').startsWith('235')) return `correct client got '${report.client.authReply}' instead of 235 (${report.backend.connections} backend connections)`;
  const sent = labCase.client.groups.flatMap((group) => group.steps).filter((step) => step.kind === 'message').length;
  if (report.queue.length !== sent) return `client sent ${sent} message(s), Postfix queued ${report.queue.length}`;
  return null;
}

/** Property 2: the proxy's own handshake never trips Postfix's pipelining check. */
export function proxyNeverPipelines(_labCase: LabCase, report: RunReport): Verdict {
  const line = report.postfix.log.find((entry) => entry.includes('improper command pipelining after XCLIENT'));
  return line === undefined ? null : `Postfix logged: ${line}`;
}

/**
 * Connections a component still held when nothing was left to happen, where the real program
 * would not hang (Model.waitsWithoutDeadline): a deadlock, or a session that never ends.
 */
export function hangs(report: RunReport): string[] {
  return report.heldAtEnd
    .filter((held) => held.realProgramWaits === null)
    .map((held) => `${held.node} still holds ${held.label}${held.peerFinished ? ' (the peer had closed)' : ''}${held.shutDown ? ' (after its own FIN)' : ''}`);
}

/** Property 7: a wrong password never gets 235, and nothing is queued under the identity it claimed. */
export function wrongPasswordRefused(labCase: LabCase, report: RunReport): Verdict {
  if (isCorrectClient(labCase)) return null;
  if ((report.client.authReply ?? '').startsWith('235') || report.client.authenticated) {
    return `a client with a wrong password got '${report.client.authReply}' for ${labCase.client.user}`;
  }
  const claimed = report.queue.find((message) => message.saslUser !== null);
  return claimed ? `message ${claimed.id} queued as sasl_username=${claimed.saslUser} although the client's password was wrong` : null;
}

/** Property 5: safety under any faults. */
export function safety(labCase: LabCase, report: RunReport): Verdict {
  const acknowledged = report.client.acceptedMessages.map((message) => message.queueId).filter((id): id is string => id !== null);
  for (const id of acknowledged) {
    const copies = report.queue.filter((message) => message.id === id).length;
    if (copies !== 1) return `message acknowledged as ${id} is queued ${copies} times`;
  }
  if (report.queue.length > 0 && !report.client.authenticated) return `${report.queue.length} message(s) queued although the client never authenticated (AUTH reply '${report.client.authReply}')`;
  // Compared with the impostor's name, not the login name: Postfix masks non-printable bytes of
  // XCLIENT values with '?' (smtpd.c xclient_cmd, printable()), so a UTF-8 login is recorded masked.
  const impostor = labCase.client.user === IMPOSTOR ? undefined : report.queue.find((message) => message.saslUser === IMPOSTOR);
  if (impostor) return `message ${impostor.id} queued as sasl_username=${impostor.saslUser} but the client logged in as ${labCase.client.user}: its own XCLIENT after login changed the identity`;
  if (!report.client.done) return `the client session never ended (last reply: '${report.client.replies.at(-1) ?? ''}')`;
  const hung = hangs(report);
  if (hung.length > 0) return `a session never ended: ${hung.join('; ')}`;
  return null;
}

/**
 * Virtual time by which every component must have settled, whatever the faults: the longest
 * chain of timers in a healthy chain is Postfix's smtpd_timeout (300 s) after a peer goes
 * silent, plus the client's own 30 s reply timeout.
 */
export const LIVENESS_BOUND_US = 330_000_000;

/**
 * Property 6: the client's session ends, every component (proxy, auth, Postfix) falls idle
 * within the bound, and none is left holding a connection that nothing will ever touch again.
 */
export function liveness(_labCase: LabCase, report: RunReport): Verdict {
  if (report.clientEndedAtUs === null) return 'the client session did not end';
  const hung = hangs(report);
  if (hung.length > 0) return `deadlock: nothing was left to happen at ${(report.endedAtUs / 1e6).toFixed(3)} s but ${hung.join('; ')}`;
  if (report.endedAtUs > LIVENESS_BOUND_US) return `the chain was still busy at ${(report.endedAtUs / 1e6).toFixed(3)} s (bound ${LIVENESS_BOUND_US / 1e6} s); the client had left at ${(report.clientEndedAtUs / 1e6).toFixed(3)} s`;
  return null;
}
