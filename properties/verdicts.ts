/* verdicts - what a run report says about each property: null when it holds, else why not
 *
 * Pure functions of (case, report), shared by the property suite, the CLI reports and the
 * tests. Each returns a sentence a developer can act on, naming what was seen.
 */
import type { LabCase } from './lab-case.ts';
import { hasDestructiveFault, scriptOf } from './lab-case.ts';
import type { RunReport } from '../scenarios/run.ts';
import type { Scenario } from '../scenarios/index.ts';
import { authConfigOf } from '../scenarios/topology.ts';
import { mailuUserEmailFor } from '../models/auth/authenticate.ts';
import { frontModel } from '../models/front/registry.ts';
import type { IdleDeadlineEnd, KernelEnd } from '../sim/index.ts';
import { CORRECT_PASSWORD, IMPOSTOR, isOwnXclient } from './arbitraries/client-behaviour.ts';
import { REFUSING_KEYS } from './arbitraries/postfix-settings.ts';
import { pipeliningViolations } from '../models/client/index.ts';
import { xtextEncode } from '../models/front/index.ts';
import { sendableHeaderValue } from '../models/auth/gunicorn-response.ts';
import { haproxyReadWarning, headerCameFirst, peekedBytes } from './proxy-header-read.ts';

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

/** The bytes `value` takes as an XCLIENT attribute: its UTF-8 bytes, xtext-encoded. */
export function xclientValueBytes(value: string): number {
  return xtextEncode(Buffer.from(value, 'utf8').toString('latin1')).length;
}

function fitsXclient(value: string): boolean {
  return xclientValueBytes(value) <= XCLIENT_VALUE_LIMIT;
}

/**
 * What Mailu's auth service makes of a client's login on `ran` (the scenario the case ran on), for
 * the logins no proxy sequencing can serve:
 *  - 'no account': it reads the Auth-User header the front writes for the login as no account.
 *    Before Mailu 2024.06.9 login.lua sends the bytes raw and nginx.py unquotes them, then decodes
 *    UTF-8 inside a bare except, so a literal %XX that makes no UTF-8 is user 'invalid' and 535
 *    (Mailu #3364, models/auth/releases.ts credentials_url_encoded);
 *  - 'unsendable': it finds the account and echoes the name it read in its Auth-User answer, which
 *    gunicorn 22.0.0 (every modelled Mailu release) cannot send with a control character or a
 *    character above U+00FF (models/auth/gunicorn-response.ts): a temporary failure, also for a
 *    literal %00 that 2024.06.0 reads as a NUL;
 *  - 'answered': it answers for the account; 'no auth service': the front asks none.
 */
export function mailuAnswer(ran: Scenario, login: string): 'answered' | 'no account' | 'unsendable' | 'no auth service' {
  const header = frontModel(ran.get('front.model')).authUserHeader;
  if (header === undefined) return 'no auth service';
  const written = header(Buffer.from(login, 'utf8').toString('latin1'), ran.get('auth.mailu_version'));
  const userEmail = written === null ? null : mailuUserEmailFor(authConfigOf(ran), written);
  if (userEmail === null) return 'no account';
  return sendableHeaderValue(userEmail) ? 'answered' : 'unsendable';
}

/** Nothing in the case makes success impossible on `ran`, the scenario it ran on: right credentials, legal client, healthy services and links. */
export function successPossible(labCase: LabCase, ran: Scenario): boolean {
  // Where the client connects does not matter to RFC 2920's rules.
  const script = scriptOf(labCase, { host: '', port: 0 });
  return (
    isCorrectClient(labCase) &&
    ['answered', 'no auth service'].includes(mailuAnswer(ran, labCase.client.user)) &&
    fitsXclient(labCase.client.user) &&
    fitsXclient(labCase.client.helo) &&
    (labCase.overrides['auth.fault'] ?? 'none') === 'none' &&
    (labCase.overrides['postfix.fail_at'] ?? 'none') === 'none' &&
    (labCase.overrides['auth.latency_ms'] ?? 0) < AUTH_ANSWER_LIMIT_MS &&
    !hasDestructiveFault(labCase.faults) &&
    pipeliningViolations(script, true).length === 0 &&
    !REFUSING_KEYS.some((key) => key in labCase.overrides) &&
    !labCase.client.groups.some((group) => group.steps.some(isOwnXclient))
  );
}

/** The Mailu failure: a correct client refused with 454 because Postfix saw the pipelined EHLO after XCLIENT. */
export function showsMailuBug(labCase: LabCase, report: RunReport): boolean {
  return isCorrectClient(labCase) && (report.client.authReply ?? '').startsWith('454 4.7.0') && report.postfix.log.some((line) => line.includes('improper command pipelining after XCLIENT'));
}

/**
 * The slicer cut a PROXY protocol header on the backend hop. Postfix reads the header with one
 * peek (global/haproxy_srvr.c haproxy_srvr_receive) and hangs up on a cut one, so for a front
 * that speaks the PROXY protocol the slicer is not the harmless fault it is for an SMTP stream.
 * (HAProxy sends the header with one send(), which no loopback or LAN segmentation splits.)
 */
function proxyHeaderCut(labCase: LabCase, report: RunReport): boolean {
  const warning = haproxyReadWarning(report.postfix.log);
  const peeked = warning === undefined ? null : peekedBytes(warning);
  return (labCase.faults.backend ?? []).some((fault) => fault.name === 'slicer') && peeked !== null && headerCameFirst(peeked);
}

/** Property 2/3: a correct client gets 235 and every message it sent is queued, once. */
export function correctClientServed(labCase: LabCase, report: RunReport, ran: Scenario): Verdict {
  if (!successPossible(labCase, ran) || proxyHeaderCut(labCase, report)) return null;
  if (!(report.client.authReply ?? '').startsWith('235')) return `correct client got '${report.client.authReply}' instead of 235 (${report.backend.connections} backend connections)`;
  const sent = labCase.client.groups.flatMap((group) => group.steps).filter((step) => step.kind === 'message').length;
  if (report.queue.length !== sent) return `client sent ${sent} message(s), Postfix queued ${report.queue.length}${discardedText(report.discarded)}`;
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

/** ", N discarded by policy (...)": what Postfix threw away behind its 250 on an access table's DISCARD. */
function discardedText(discarded: RunReport['discarded']): string {
  if (discarded.length === 0) return '';
  return `, ${discarded.length} discarded by policy (an smtpd access table's DISCARD: ${discarded.map((message) => message.id).join(', ')})`;
}

/**
 * Property 5: safety under any faults. A message the client saw acknowledged must be queued once. One
 * that Postfix discarded behind its 250 on the operator's order (an access table's DISCARD: cleanup_flush()
 * removes the queue file) is neither lost to a fault nor delivered: the verdict fails
 * and says it was a discard by policy, since the property's promise, that an acknowledged message is in
 * the queue, does not hold for it, and the operator who set the DISCARD should see that in the verdict
 * rather than a pass or a loss.
 */
export function safety(labCase: LabCase, report: RunReport): Verdict {
  const acknowledged = report.client.acceptedMessages.map((message) => message.queueId).filter((id): id is string => id !== null);
  for (const id of acknowledged) {
    const discarded = report.discarded.find((message) => message.id === id);
    if (discarded) return `message acknowledged as ${id} was discarded by policy (an smtpd access table's DISCARD), not queued: the configuration's order, not a fault`;
    const copies = report.queue.filter((message) => message.id === id).length;
    if (copies !== 1) return `message acknowledged as ${id} is queued ${copies} times`;
  }
  if (report.queue.length > 0 && !report.client.authenticated) return `${report.queue.length} message(s) queued although the client never authenticated (AUTH reply '${report.client.authReply}')`;
  // Compared with the impostor's name, not the login name: Postfix masks non-printable bytes of
  // XCLIENT values with '?' (smtpd.c xclient_cmd, printable()), so a UTF-8 login is recorded masked.
  const impostor = labCase.client.user === IMPOSTOR ? undefined : report.queue.find((message) => message.saslUser === IMPOSTOR);
  if (impostor) return `message ${impostor.id} queued as sasl_username=${impostor.saslUser} but the client logged in as ${labCase.client.user}: its own XCLIENT after login changed the identity`;
  // The front logged the client in, so Postfix must know who it is: a front it does not offer
  // XCLIENT to (smtpd_authorized_xclient_hosts) or that sends none relays without it, and the
  // message goes out as the front's own, relayed by permit_mynetworks.
  const anonymous = report.client.authenticated ? report.queue.find((message) => message.saslUser == null) : undefined;
  if (anonymous) return `message ${anonymous.id} queued with no sasl_username although ${labCase.client.user} logged in at the front: the front sent no XCLIENT LOGIN= (Postfix offers XCLIENT only to smtpd_authorized_xclient_hosts; nginx sends it only with xclient on)`;
  if (!report.client.done) return `the client session never ended (last reply: '${report.client.replies.at(-1) ?? ''}')`;
  const hung = [...hangs(report), ...leftToKernel(report).map((end) => `only the kernel ended ${kernelEndText(end)}`)];
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
 * When the chain was still busy past its bound, or null. The daemons' own timers must have run
 * out within LIVENESS_BOUND_US; where one has no deadline of its own (Dovecot's relay) the
 * kernel's keepalive (7875 s of silence) or retransmission give-up (~925 s) ends the wait
 * (sim/tcp/kernel-timers.ts), and a kernel end is news from the network, like a reset: the
 * daemons' timers get LIVENESS_BOUND_US again from it. So a daemon timer that fires more than the
 * bound after the start or after the kernel last ended a connection is busy past the bound, and so
 * is the run's last event more than the bound after the last kernel end. An excused idle deadline
 * (idleDeadlinesExcused) is news as a kernel end is, and the chain was busy until the later of its
 * last timer's fire before it (its own deadline's left out) and the relay's falling quiet.
 */
export function busyPastBound(report: RunReport, idleDeadlines: readonly IdleDeadlineEnd[] = []): { readonly atUs: number; readonly boundUs: number } | null {
  const news = [
    ...report.kernelEnded.map((end) => ({ atUs: end.atUs, busyUntilUs: end.lastTimerFiredUs })),
    ...idleDeadlines.map((end) => ({ atUs: end.atUs, busyUntilUs: Math.max(end.lastTimerFiredUs, end.quietSinceUs) })),
  ].sort((a, b) => a.atUs - b.atUs);
  let sinceUs = 0;
  for (const end of news) {
    if (end.busyUntilUs > sinceUs + LIVENESS_BOUND_US) return { atUs: end.busyUntilUs, boundUs: sinceUs + LIVENESS_BOUND_US };
    sinceUs = end.atUs;
  }
  return report.endedAtUs > sinceUs + LIVENESS_BOUND_US ? { atUs: report.endedAtUs, boundUs: sinceUs + LIVENESS_BOUND_US } : null;
}

/**
 * Whether the idle deadlines of the case end a relay as the real program does, where the lab's bound does not apply.
 * nginx relays with no deadline but proxy_timeout (24 h unless set, ngx_mail_proxy_merge_conf()),
 * from the client's last event (ngx_mail_proxy_handler()). A relay whose two peers both went silent
 * is held that long by the real nginx: its documented behaviour, not a hang of the chain under
 * test, and a user who wants it shorter sets proxy_timeout. So such an end counts as an end within
 * the bound, as a kernel end does, and the bound starts again from it (busyPastBound). It is excused
 * only where nothing but black holes on both of the front's hops could have kept the peers' ends
 * from it: anywhere else a peer's FIN or reset reaches nginx, whose ngx_mail_proxy_handler() closes
 * the relay at once (its eof test), so a relay still open until proxy_timeout is a hang.
 * A daemon timer that fired past the bound while the relay was quiet (a Postfix whose smtpd_timeout
 * is longer than the bound) is busy past it all the same: the end carries the timers' last fire
 * before it (IdleDeadlineEnd.lastTimerFiredUs), which busyPastBound() reads as a kernel end's.
 * Black holes (fault `timeout`) are the only faults that pass no FIN and no RST (sim/faults/catalogue.ts).
 */
export function idleDeadlinesExcused(labCase: LabCase): boolean {
  const blackHoled = (faults: LabCase['faults']['client']) => (faults ?? []).some((fault) => fault.name === 'timeout');
  return blackHoled(labCase.faults.client) && blackHoled(labCase.faults.backend);
}

/** Which connection the kernel ended and after how long: "front's c1 by keepalive at 7875.0 s, 7874.9 s after its peer was last heard". */
function kernelEndText(end: KernelEnd): string {
  const since = end.timer === 'keepalive' ? 'its peer was last heard' : 'its unacknowledged data was sent';
  return `${end.node}'s ${end.label} by ${end.timer === 'keepalive' ? 'keepalive' : 'retransmission timeout'} at ${(end.atUs / 1e6).toFixed(1)} s, ${((end.atUs - end.quietSinceUs) / 1e6).toFixed(1)} s after ${since}`;
}

/** Every connection the kernel ended, in order (kernelEndText). */
export function kernelEndsText(report: RunReport): string {
  return report.kernelEnded.map(kernelEndText).join('; ');
}

/**
 * Connections the kernel ended where the program has a deadline of its own (the model did not say
 * otherwise: Model.deadlineLeftToKernel) and later than that deadline could have come: more than
 * LIVENESS_BOUND_US after the connection fell quiet, so the program never ended them, its own
 * timeout should have. A kernel end within the bound (a short keepalive a user configured, nginx's
 * so_keepalive=5:1:2 ending a silent client after 7 s) came first, as on the real host, and is
 * an end like any other.
 */
export function leftToKernel(report: RunReport): KernelEnd[] {
  return report.kernelEnded.filter((end) => end.realProgramWaits === null && end.atUs - end.quietSinceUs > LIVENESS_BOUND_US);
}

/**
 * Property 6: the client's session ends, every component (proxy, auth, Postfix) falls idle
 * within the bound (busyPastBound), and none is left holding a connection that nothing will
 * ever touch again.
 */
export function liveness(labCase: LabCase, report: RunReport): Verdict {
  if (report.clientEndedAtUs === null) return 'the client session did not end';
  const ended = report.kernelEnded.length > 0 ? ` (the kernel ended ${kernelEndsText(report)})` : '';
  const hung = hangs(report);
  if (hung.length > 0) return `deadlock: nothing was left to happen at ${(report.endedAtUs / 1e6).toFixed(3)} s but ${hung.join('; ')}${ended}`;
  const early = leftToKernel(report);
  if (early.length > 0) return `the kernel ended ${early.map(kernelEndText).join('; ')}, where the program has a deadline of its own that should have come first`;
  const idle = report.idleDeadlineEnded;
  const excused = idle.length > 0 && idleDeadlinesExcused(labCase);
  const late = excused ? undefined : idle.find((end) => end.atUs - end.quietSinceUs > LIVENESS_BOUND_US);
  if (late) return `${late.node} ended a relay by its ${late.setting} at ${(late.atUs / 1e6).toFixed(1)} s, ${((late.atUs - late.quietSinceUs) / 1e6).toFixed(1)} s after the client was last heard, although no black hole on both of its hops kept the peers' ends from it: the real front closes a relay when a peer ends it`;
  const busy = busyPastBound(report, excused ? idle : []);
  if (busy) return `the chain was still busy at ${(busy.atUs / 1e6).toFixed(3)} s (bound ${busy.boundUs / 1e6} s${ended}); the client had left at ${(report.clientEndedAtUs / 1e6).toFixed(3)} s`;
  return null;
}

// ---- fronts that pass the client's identity with the PROXY protocol (HAProxy) ----------------------

/** The client address and port each tcplog line of HAProxy names (%ci:%cp, the first field). */
function proxiedClients(report: RunReport): string[] {
  return report.front.log.flatMap((line) => {
    const match = /^haproxy: (\S+):\d+ \[/.exec(line);
    return match ? [match[1]!] : [];
  });
}

/**
 * The proxy's header (a v1 line or the v2 signature, as smtpd escapes them) left for smtpd to
 * read as SMTP: what a Postfix without smtpd_upstream_proxy_protocol shows as "improper command
 * pipelining after CONNECT".
 */
const PROXY_HEADER = /^(PROXY |\\r\\n\\r\\n\\000)/;

/**
 * Property 8: Postfix logs and records the client HAProxy accepted. The one exception is the one
 * Postfix makes on purpose: when the header is bad or missing it logs the proxy as the peer and
 * hangs up at once ("we can't maintain an audit trail or enforce access control, therefore we
 * forcibly hang up", smtpd_peer.c smtpd_peer_from_proxy), right after its "haproxy read" warning.
 */
export function identityCarried(_labCase: LabCase, report: RunReport): Verdict {
  const clients = proxiedClients(report);
  const log = report.postfix.log;
  for (let i = 0; i < log.length; i++) {
    const peer = /^postfix\/smtpd: connect from [^[]*\[([^\]]+)\]/.exec(log[i]!)?.[1];
    if (peer === undefined || clients.includes(peer)) continue;
    // Its disconnect line says it served nothing; smtpd_service() still sets up milters in between (a warning when one is unreachable).
    const disconnect = `postfix/smtpd: disconnect from ${log[i]!.slice('postfix/smtpd: connect from '.length)}`;
    const failedClosed = log[i - 1]?.startsWith('postfix/smtpd: warning: haproxy read: ') && log.slice(i + 1).find((line) => line.startsWith(`${disconnect} `)) === `${disconnect} commands=0/0`;
    if (!failedClosed) return `Postfix served connect from [${peer}] but HAProxy's client was ${clients.join(', ') || 'never logged'}`;
  }
  const stranger = report.facts.find((record) => record.fact.kind === 'queued' && !clients.includes(record.fact.clientAddr));
  if (stranger && stranger.fact.kind === 'queued') return `message ${stranger.fact.queueId} queued with client=${stranger.fact.clientAddr}, not the client HAProxy accepted (${clients.join(', ')})`;
  return null;
}

/** The client waits for every reply: RFC 5321 §3.1 and RFC 2920 groups only. */
function waitsForReplies(labCase: LabCase): boolean {
  const script = scriptOf(labCase, { host: '', port: 0 });
  return labCase.client.waitForGreeting && pipeliningViolations(script, true).length === 0 && !labCase.client.groups.some((group) => group.steps.some(isOwnXclient));
}

/**
 * Property 9: the proxy adds nothing to the SMTP stream: Postfix never finds the proxy's own bytes
 * unread, and never finds improper pipelining at all from a client that waits for every reply.
 */
export function proxyAddsNoPipelining(labCase: LabCase, report: RunReport): Verdict {
  const own = report.improperPipelining.find((unread) => PROXY_HEADER.test(unread));
  if (own !== undefined) return `Postfix read the proxy's own bytes as SMTP: improper command pipelining, unread ${own}`;
  const line = report.postfix.log.find((entry) => entry.includes('improper command pipelining'));
  return line !== undefined && waitsForReplies(labCase) ? `the client waited for every reply, yet Postfix logged: ${line}` : null;
}

/**
 * Property 10: a client that talks before the greeting is judged as if it were connected
 * directly. smtpd_peer_init() takes exactly the header off the socket (haproxy_srvr_receive:
 * peek, parse, recv of the parsed length), so what the client sent after it is still unread
 * when smtpd_proto() case 0 looks (smtpd_flag_ill_pipelining, peekfd): Postfix logs "improper
 * command pipelining after CONNECT" naming the client's own address and bytes, and with
 * smtpd_forbid_unauth_pipelining answers 554 (else 220). What it must never do is let the early
 * bytes spoil the header ("haproxy read: ...", 421): HAProxy writes the header first.
 * Bytes that arrive after smtpd's check are not seen by it; the source allows that too.
 * Not judged: a session whose header came first and still failed (its peek is a piece of the
 * header: a slicer cut it, and the one peek saw the first piece) or never came (EOF, timeout).
 * There Postfix hangs up on the proxy before it looks at the client at all (property 8 judges
 * that hang-up), so it says nothing about how an early talker is judged.
 */
export function earlyTalkJudgedOnTheClient(labCase: LabCase, report: RunReport): Verdict {
  if (labCase.client.waitForGreeting) return null;
  const warning = haproxyReadWarning(report.postfix.log);
  if (warning !== undefined) {
    const peeked = peekedBytes(warning);
    return peeked === null || headerCameFirst(peeked) ? null : `the client's early bytes spoiled the PROXY header: ${warning} (first reply '${report.client.replies[0] ?? ''}')`;
  }
  const flagged = report.postfix.log.find((line) => line.includes('improper command pipelining after CONNECT'));
  if (flagged === undefined) return null;
  const clients = proxiedClients(report);
  if (!clients.some((client) => flagged.includes(`[${client}]: `))) return `Postfix blamed someone else than the client (${clients.join(', ')}): ${flagged}`;
  const first = report.client.replies[0] ?? '';
  if (!first.startsWith('554 5.5.0') && !first.startsWith('220')) return `after flagging the early talker Postfix answered '${first}', neither 554 nor 220`;
  return null;
}
