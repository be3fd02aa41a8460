/* client - a sans-I/O SMTP client that plays a ClientScript the way swaks would
 *
 * It connects, writes each group of steps (one write, or one write per step), and matches
 * the replies to what it wrote by counting (RFC 2920 §3.1): the n-th reply answers the n-th
 * thing written, including SASL continuations, which join the queue when they are sent.
 * Failure handling is swaks' (jetmore/swaks, swaks: sendmail, transact, do_smtp_quit):
 *   - a greeting other than 220, a failed HELO, AUTH, MAIL, DATA or end of message, or
 *     every RCPT of a transaction refused: read the replies still owed, then QUIT;
 *   - a failed EHLO falls back to HELO with the same name (do_smtp_helo);
 *   - 421 from anything: QUIT (the server is about to close);
 *   - the server closes or resets before QUIT is answered: the session ends there
 *     (handle_disconnect);
 *   - the reply to QUIT: close() (teardown_link).
 * Expected codes are swaks' exact ones (220, 250, 235, 354, 221): 251 to RCPT is a failure there too.
 * Known compromise: on the reply timeout swaks sends QUIT and waits one more timeout; this
 * client closes at once.
 */
import { OutputQueue, type ConnId, type Input, type Micros, type Model, type Output } from '../contract.ts';
import { authContinuations, lineBytes, owesReply, stepBytes } from './commands.ts';
import { lifecycleStep, quitAnswered, type Lifecycle } from './lifecycle.ts';
import { stepVerb } from './rfc2920.ts';
import { MAX_REPLY_BYTES, ReplyParser, type ServerReply } from './reply-parser.ts';
import type { ClientScript, ClientStep } from './script.ts';

export type ClientClosedBy = 'client' | 'server' | 'reset' | 'connectFailed' | 'timeout';

export interface AcceptedMessage {
  readonly from: string | null;
  /** Recipients the server accepted with 250. */
  readonly to: readonly string[];
  /** Message content bytes as given in the script, before dot-stuffing. */
  readonly bytes: number;
  readonly queueId: string | null;
  /** The final line of the 250 reply to the end of data. */
  readonly reply: string;
}

export interface ClientResult {
  /** Every full reply text (lines joined by "\n", CR dropped), in the order received. */
  readonly replies: readonly string[];
  /** Final reply line to the last AUTH (after any 334 continuations), or null if none came. */
  readonly authReply: string | null;
  readonly authenticated: boolean;
  /** Virtual time from writing the AUTH line to its final reply. */
  readonly authToReplyUs: Micros | null;
  /** EHLO keywords of the last accepted EHLO reply (e.g. "PIPELINING", "AUTH PLAIN LOGIN"). */
  readonly ehloKeywords: readonly string[];
  readonly queuedIds: readonly string[];
  readonly acceptedMessages: readonly AcceptedMessage[];
  readonly closedBy: ClientClosedBy | null;
  /** The server answered QUIT before the session ended (closedBy 'client' is then the close after QUIT). */
  readonly quitAnswered: boolean;
  /** Why the session ended abnormally (refused connect, reply timeout, reply too long), else null. */
  readonly error: string | null;
  /** The connection is gone and the client will do nothing more. */
  readonly done: boolean;
}

type AuthStep = Extract<ClientStep, { kind: 'auth' }>;

/** One reply the client is owed, in the order the server will send it. */
type Expectation =
  | { readonly kind: 'greeting' }
  | { readonly kind: 'step'; readonly step: ClientStep; readonly rcptTotal: number }
  | { readonly kind: 'authContinuation'; readonly step: AuthStep; readonly remaining: readonly string[] }
  | { readonly kind: 'heloFallback' }
  | { readonly kind: 'quit' };

/** What the client does after its think time. */
type Action =
  | { readonly kind: 'group'; readonly index: number }
  | { readonly kind: 'continuation'; readonly step: AuthStep; readonly line: string; readonly remaining: readonly string[] }
  | { readonly kind: 'heloFallback'; readonly domain: string }
  | { readonly kind: 'quit' }
  | { readonly kind: 'close' };

/** rcptTotals by script: a scenario's script is shared by all its runs, and the table is read only. */
const rcptTotalsByScript = new WeakMap<ClientScript, readonly (readonly number[])[]>();

function rcptTotalsOf(script: ClientScript): readonly (readonly number[])[] {
  let totals = rcptTotalsByScript.get(script);
  if (totals === undefined) {
    totals = rcptTotals(script);
    rcptTotalsByScript.set(script, totals);
  }
  return totals;
}

/** Per group step: how many RCPTs its transaction has (swaks quits when all are refused). */
function rcptTotals(script: ClientScript): number[][] {
  const steps = script.groups.flatMap((group) => group.steps);
  const totals = new Array<number>(steps.length).fill(0);
  let start = 0;
  const closeTransaction = (end: number): void => {
    let count = 0;
    for (let i = start; i < end; i++) if (steps[i]?.kind === 'rcpt') count++;
    for (let i = start; i < end; i++) totals[i] = count;
    start = end;
  };
  steps.forEach((step, i) => {
    if (step.kind === 'mail' || step.kind === 'rset') closeTransaction(i);
  });
  closeTransaction(steps.length);
  let flat = 0;
  return script.groups.map((group) => group.steps.map(() => totals[flat++] ?? 0));
}

/** The keywords of an EHLO reply: every line after the greeting line, its code and separator cut. */
function ehloKeywordsOf(lines: readonly string[]): string[] {
  const keywords: string[] = [];
  for (let i = 1; i < lines.length; i++) keywords.push(lines[i]!.slice(4));
  return keywords;
}

/** The queue ids of the accepted messages that named one (a loop: this runs once per session). */
function queuedIdsOf(messages: readonly AcceptedMessage[]): string[] {
  const ids: string[] = [];
  for (const message of messages) if (message.queueId !== null) ids.push(message.queueId);
  return ids;
}

export class SmtpClient implements Model {
  readonly name: string;
  private readonly script: ClientScript;
  private readonly rcptTotalByStep: readonly (readonly number[])[];
  private readonly conn: ConnId;
  private readonly thinkTimer: string;
  private readonly replyTimer: string;
  private readonly out = new OutputQueue();
  private readonly parser = new ReplyParser();

  private readonly expectations: Expectation[] = [];
  /** Whole replies not yet matched to an expectation (the server answered ahead). */
  private readonly unmatched: ServerReply[] = [];
  private readonly actions: Action[] = [];
  private thinking = false;
  private replyDeadline: Micros | null = null;
  private nextGroup = 0;
  private lifecycle: Lifecycle = 'connecting';
  private heloFallback: string | null = null;

  private authWrittenAt: Micros | null = null;
  private mailFrom: string | null = null;
  private acceptedRcpts: string[] = [];
  private refusedRcpts = 0;

  private readonly replies: string[] = [];
  private authReply: string | null = null;
  private authenticated = false;
  private authToReplyUs: Micros | null = null;
  private ehloKeywords: string[] = [];
  private readonly acceptedMessages: AcceptedMessage[] = [];
  private closedBy: ClientClosedBy | null = null;
  private quitWasAnswered = false;
  private error: string | null = null;

  constructor(script: ClientScript, name = 'client') {
    this.script = script;
    this.name = name;
    this.rcptTotalByStep = rcptTotalsOf(script);
    this.conn = `${name}:smtp`;
    this.thinkTimer = `${name}:think`;
    this.replyTimer = `${name}:reply`;
  }

  start(_now: Micros): void {
    this.out.push({ kind: 'connect', conn: this.conn, to: this.script.connectTo, noDelay: this.script.noDelay });
  }

  handle(now: Micros, input: Input): void {
    if (this.lifecycle === 'done') return;
    switch (input.kind) {
      case 'connected':
        if (input.conn === this.conn) this.onConnected(now);
        return;
      case 'connectFailed':
        if (input.conn === this.conn) this.finish('connectFailed', `connect to ${this.script.connectTo.host}:${this.script.connectTo.port} failed: ${input.reason}`, false);
        return;
      case 'bytes':
        if (input.conn === this.conn) this.onBytes(now, input.bytes);
        return;
      case 'eof':
        // After the QUIT reply the close is ours (swaks tears down on 221); before it, the server hung up.
        if (input.conn === this.conn) this.finish(quitAnswered(this.lifecycle) ? 'client' : 'server', null, true);
        return;
      case 'reset':
        if (input.conn === this.conn) this.finish('reset', null, false);
        return;
      case 'timeout':
        if (input.timer === this.thinkTimer) this.onThinkDone(now);
        else if (input.timer === this.replyTimer) this.finish('timeout', `no reply within ${this.script.replyTimeoutUs} µs`, true);
        return;
      case 'accepted':
        return;
    }
  }

  poll(): Output | undefined {
    return this.out.poll();
  }

  result(): ClientResult {
    return Object.freeze({
      replies: [...this.replies],
      authReply: this.authReply,
      authenticated: this.authenticated,
      authToReplyUs: this.authToReplyUs,
      ehloKeywords: [...this.ehloKeywords],
      queuedIds: queuedIdsOf(this.acceptedMessages),
      acceptedMessages: [...this.acceptedMessages],
      closedBy: this.closedBy,
      quitAnswered: this.quitWasAnswered,
      error: this.error,
      done: this.lifecycle === 'done',
    });
  }

  private onConnected(now: Micros): void {
    this.enter('talking');
    this.expectations.push({ kind: 'greeting' });
    this.armReplyTimer(now);
    if (!this.script.waitForGreeting && this.script.groups.length > 0) {
      this.nextGroup = 1;
      this.schedule(now, { kind: 'group', index: 0 });
    }
  }

  private onBytes(now: Micros, bytes: Uint8Array): void {
    this.parser.push(bytes);
    let reply = this.parser.next();
    const progressed = reply !== undefined;
    for (; reply !== undefined; reply = this.parser.next()) {
      this.replies.push(reply.text);
      this.unmatched.push(reply);
    }
    if (this.parser.overflow) {
      this.finish('client', `reply longer than ${MAX_REPLY_BYTES} bytes`, true);
      return;
    }
    if (progressed) this.armReplyTimer(now);
    this.matchReplies(now);
  }

  private matchReplies(now: Micros): void {
    while (this.lifecycle !== 'done' && this.unmatched.length > 0 && this.expectations.length > 0) {
      const reply = this.unmatched.shift() as ServerReply;
      const expectation = this.expectations.shift() as Expectation;
      this.onReply(now, expectation, reply);
    }
    if (this.lifecycle === 'done') return;
    if (this.expectations.length === 0) this.cancelReplyTimer();
    this.advance(now);
  }

  private onReply(now: Micros, expectation: Expectation, reply: ServerReply): void {
    if (reply.code === 421) this.giveUp();
    switch (expectation.kind) {
      case 'greeting':
        if (reply.code !== 220) this.giveUp();
        return;
      case 'heloFallback':
        if (reply.code !== 250) this.giveUp();
        return;
      case 'quit':
        this.enter('quit-answered');
        return;
      case 'authContinuation':
        this.onAuthReply(now, expectation.step, expectation.remaining, reply);
        return;
      case 'step':
        this.onStepReply(now, expectation.step, expectation.rcptTotal, reply);
        return;
    }
  }

  private onStepReply(now: Micros, step: ClientStep, rcptTotal: number, reply: ServerReply): void {
    switch (step.kind) {
      case 'ehlo':
        if (reply.code === 250) this.ehloKeywords = ehloKeywordsOf(reply.lines);
        else if (reply.code !== 421) this.heloFallback = step.domain;
        return;
      case 'helo':
        if (reply.code !== 250) this.giveUp();
        return;
      case 'mail':
        if (reply.code === 250) this.mailFrom = step.from;
        else this.giveUp();
        return;
      case 'auth':
        this.onAuthReply(now, step, authContinuations(step), reply);
        return;
      case 'rcpt':
        if (reply.code === 250) this.acceptedRcpts.push(step.to);
        else if (++this.refusedRcpts >= rcptTotal) this.giveUp();
        return;
      case 'data':
        if (reply.code !== 354) this.giveUp();
        return;
      case 'message':
        if (reply.code === 250) this.acceptMessage(reply, Buffer.byteLength(step.content, 'utf8'));
        else this.giveUp();
        this.resetTransaction();
        return;
      case 'rset':
        if (reply.code === 250) this.resetTransaction();
        return;
      case 'quit':
        this.enter('quit-answered');
        return;
      case 'raw':
        // A script plays as written: only its own QUIT changes the session (swaks' teardown after 221).
        if (stepVerb(step) === 'QUIT') this.enter('quit-answered');
        return;
      case 'noop':
      case 'line':
        return;
    }
  }

  /** 334 asks for the next continuation line; anything else ends the exchange (swaks expects 235). */
  private onAuthReply(now: Micros, step: AuthStep, remaining: readonly string[], reply: ServerReply): void {
    const [line, ...rest] = remaining;
    if (reply.code === 334 && line !== undefined) {
      this.schedule(now, { kind: 'continuation', step, line, remaining: rest });
      return;
    }
    this.authReply = reply.finalLine;
    this.authenticated = reply.code === 235;
    this.authToReplyUs = this.authWrittenAt === null ? null : now - this.authWrittenAt;
    if (!this.authenticated) this.giveUp();
  }

  private acceptMessage(reply: ServerReply, bytes: number): void {
    const queued = /queued as (\S+)/.exec(reply.finalLine);
    this.acceptedMessages.push({ from: this.mailFrom, to: [...this.acceptedRcpts], bytes, queueId: queued?.[1] ?? null, reply: reply.finalLine });
  }

  private resetTransaction(): void {
    this.mailFrom = null;
    this.acceptedRcpts = [];
    this.refusedRcpts = 0;
  }

  /** When every reply owed has come: decide the next move. */
  private advance(now: Micros): void {
    if (this.expectations.length > 0 || this.actions.length > 0) return;
    if (this.lifecycle !== 'talking' && this.lifecycle !== 'giving-up' && this.lifecycle !== 'quit-answered') return;
    if (this.lifecycle === 'quit-answered') {
      this.enter('closing-after-quit');
      this.schedule(now, { kind: 'close' });
    } else if (this.lifecycle === 'giving-up') {
      this.schedule(now, { kind: 'quit' });
    } else if (this.heloFallback !== null) {
      this.schedule(now, { kind: 'heloFallback', domain: this.heloFallback });
      this.heloFallback = null;
    } else if (this.nextGroup < this.script.groups.length) {
      this.schedule(now, { kind: 'group', index: this.nextGroup++ });
    } else {
      // The script ended without QUIT: the client just hangs up.
      this.enter('hanging-up');
      this.schedule(now, { kind: 'close' });
    }
  }

  private schedule(now: Micros, action: Action): void {
    this.actions.push(action);
    if (!this.thinking) this.startThinking(now, action);
  }

  private startThinking(now: Micros, action: Action): void {
    const delayUs = action.kind === 'group' ? (this.script.groups[action.index]?.delayUs ?? this.script.thinkTimeUs) : this.script.thinkTimeUs;
    this.thinking = true;
    this.out.push({ kind: 'timer', timer: this.thinkTimer, at: now + delayUs });
  }

  private onThinkDone(now: Micros): void {
    this.thinking = false;
    const action = this.actions.shift();
    if (action !== undefined) this.perform(now, action);
    if (this.lifecycle === 'done') return;
    const next = this.actions[0];
    if (next !== undefined) this.startThinking(now, next);
    this.matchReplies(now);
  }

  private perform(now: Micros, action: Action): void {
    switch (action.kind) {
      case 'group':
        this.writeGroup(now, action.index);
        return;
      case 'continuation':
        this.write(now, lineBytes(action.line), { kind: 'authContinuation', step: action.step, remaining: action.remaining });
        return;
      case 'heloFallback':
        this.write(now, lineBytes(`HELO ${action.domain}`), { kind: 'heloFallback' });
        return;
      case 'quit':
        this.write(now, lineBytes('QUIT'), { kind: 'quit' });
        return;
      case 'close':
        this.finish('client', null, true);
        return;
    }
  }

  private writeGroup(now: Micros, index: number): void {
    const group = this.script.groups[index];
    if (group === undefined) return;
    const chunks = group.steps.map((step) => stepBytes(step));
    group.steps.forEach((step, i) => {
      if (step.kind === 'auth') this.authWrittenAt = now;
      if (owesReply(step)) this.expectations.push({ kind: 'step', step, rcptTotal: this.rcptTotalByStep[index]?.[i] ?? 0 });
    });
    // Several chunks are joined into a plain Uint8Array, as every other write is (Buffer.concat's is a pooled Buffer).
    if (group.writes === 'one') this.emitWrite(chunks.length === 1 ? chunks[0]! : new Uint8Array(Buffer.concat(chunks)));
    else for (const chunk of chunks) this.emitWrite(chunk);
    this.armReplyTimer(now);
  }

  private write(now: Micros, bytes: Uint8Array, expectation: Expectation): void {
    this.expectations.push(expectation);
    this.emitWrite(bytes);
    this.armReplyTimer(now);
  }

  /**
   * Hands `bytes` over as they are, a step's shared encoding included (commands.ts stepBytes): a
   * driver and the model it delivers them to read a write's bytes and never write to them, as they
   * do with every model's writes (the simulator passes the same array from write to delivery).
   */
  private emitWrite(bytes: Uint8Array): void {
    if (bytes.length > 0) this.out.push({ kind: 'write', conn: this.conn, bytes });
  }

  private armReplyTimer(now: Micros): void {
    if (this.expectations.length === 0) return;
    this.replyDeadline = now + this.script.replyTimeoutUs;
    this.out.push({ kind: 'timer', timer: this.replyTimer, at: this.replyDeadline });
  }

  private cancelReplyTimer(): void {
    if (this.replyDeadline === null) return;
    this.replyDeadline = null;
    this.out.push({ kind: 'timer', timer: this.replyTimer, at: null });
  }

  private enter(next: Lifecycle): void {
    this.lifecycle = lifecycleStep(this.lifecycle, next);
    if (next === 'quit-answered') this.quitWasAnswered = true;
  }

  /** A reply swaks counts as failure: after the replies still owed, QUIT (once the session still talks). */
  private giveUp(): void {
    if (this.lifecycle === 'talking') this.enter('giving-up');
  }

  /** End the session. `closeSocket`: the connection still exists and the client closes it. */
  private finish(closedBy: ClientClosedBy, error: string | null, closeSocket: boolean): void {
    this.enter('done');
    this.closedBy = closedBy;
    this.error = error;
    this.out.push({ kind: 'fact', fact: { kind: 'sessionEnded', closedBy } });
    if (closeSocket) this.out.push({ kind: 'close', conn: this.conn });
    if (this.thinking) this.out.push({ kind: 'timer', timer: this.thinkTimer, at: null });
    this.thinking = false;
    this.actions.length = 0;
    this.cancelReplyTimer();
  }
}
