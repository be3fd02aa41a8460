/* session - one SMTP session as both sides see it: what is sent, what comes back, what smtpd logged
 *
 * A session is a list of steps, each one write; the next step is sent only once every reply owed
 * to the previous one has arrived. A `line` step is one command (lock-step); a `burst` is several
 * command lines in ONE write, pipelined, and owes one reply per command line it completes (a
 * trailing partial line owes nothing until a later step ends it). On loopback a write of a few
 * KB arrives as one segment, so what smtpd has read when it checks for pipelining (smtpd.c
 * smtpd_flag_ill_pipelining(), v3.7.11) is the whole burst on both sides: timing plays no part.
 * A `content` step is the message after DATA: it is sent only when DATA's reply was 354, as a
 * client would. Both sides (real-side.ts, lab-side.ts) record the same shape, so compare.ts needs
 * no sides.
 */

export type Step =
  /** One command line with its line end (latin1: one char per byte). */
  | { readonly kind: 'line'; readonly bytes: string }
  /** The message after a 354: its lines and the final ".\r\n"; skipped when DATA got anything else. */
  | { readonly kind: 'content'; readonly bytes: string }
  /**
   * Command lines written at once (`bytes`: the parts, then the partial line). Each part is owed
   * one reply: a command line, a BDAT command with its chunk, a DATA message. `partial` is the
   * start of a line a later step ends; it is owed nothing here.
   */
  | { readonly kind: 'burst'; readonly bytes: string; readonly parts: readonly string[]; readonly partial: string };

/** A burst of `parts`, then `partial` (the start of a line), in one write. */
export function burst(parts: readonly string[], partial = ''): Step {
  return { kind: 'burst', bytes: `${parts.join('')}${partial}`, parts, partial };
}

export interface StepResult {
  /** What was written ('' for the banner, which answers the connect). */
  readonly sent: string;
  /** The reply's lines without their line ends; empty when none came. */
  readonly reply: readonly string[];
  /** The server had closed the connection by the end of this step (no or part of a reply). */
  readonly closed: boolean;
  /** The step was not sent (content after a DATA that got no 354). */
  readonly skipped: boolean;
  /** What each reply owed answers: a burst's parts, else the one write. */
  readonly parts: readonly string[];
}

/** A session's results, and the lines smtpd logged for it (without the syslog prefix and program name). */
export interface SessionRun {
  readonly results: readonly StepResult[];
  readonly log: readonly string[];
}

/** The session's steps plus a closing probe: a NOOP shows whether the server closed after the last one. */
export const CLOSE_PROBE: Step = { kind: 'line', bytes: 'NOOP\r\n' };

/** Whether `lines` hold `owed` whole replies: as many final lines ("250 ok", "250", not "250-..."), the last line one of them. */
export function replyComplete(lines: readonly string[], owed = 1): boolean {
  const last = lines.at(-1);
  if (last === undefined || /^\d{3}-/.test(last)) return false;
  let finals = 0;
  for (const line of lines) if (!/^\d{3}-/.test(line)) finals++;
  return finals >= owed;
}

/** What each reply owed to `step` answers: a burst's parts (one reply each), else the step's one write. */
export function stepParts(step: Step): readonly string[] {
  return step.kind === 'burst' ? step.parts : [step.bytes];
}

/**
 * Whether a step starts a SASL exchange with the real Dovecot, whose first answer may wait for
 * the client address's auth penalty: after a failed AUTH from 127.0.0.1 the next AUTH (of any
 * session) waits 4 s (auth-penalty.c auth_penalty_to_secs(), AUTH_PENALTY_INIT_SECS 2;
 * auth-request-handler.c auth_penalty_callback(), 2.3.19.1; measured here: a right password
 * 4.05 s after a wrong one), and a wrong one 2 s more (auth_failure_delay). The model has no such
 * state across sessions; only when the reply comes differs, so the wait is longer.
 */
export function startsSasl(step: Step): boolean {
  return /(^|\n)AUTH +(PLAIN|LOGIN)\b/i.test(step.bytes);
}

/** Whether `step` is sent after the results so far (content only after a 354). */
export function stepSent(step: Step, previous: StepResult | undefined): boolean {
  return step.kind !== 'content' || (previous !== undefined && previous.reply.at(-1)?.startsWith('354') === true);
}

/** A step's bytes shown printable: CR, LF, and bytes outside ASCII as escapes, long runs cut. */
export function showBytes(bytes: string): string {
  const shown = JSON.stringify(bytes.length > 120 ? `${bytes.slice(0, 100)}…(${bytes.length} bytes)…${bytes.slice(-10)}` : bytes);
  return shown.replace(/[\u0080-\u00ff]/g, (c) => `\\x${c.charCodeAt(0).toString(16)}`);
}

/** One side of the conversation: send a step's bytes, wait for the whole replies owed (or the close, or nothing). */
export interface Side {
  send(bytes: string): void;
  /**
   * The reply lines since the last call (`owed` whole replies at most waited for), and whether the
   * server has closed or stayed silent (`patient`: for longer, startsSasl()).
   */
  awaitReply(owed: number, patient: boolean): Promise<{ readonly reply: readonly string[]; readonly closed: boolean; readonly timedOut: boolean }>;
}

/** The banner, each step in turn (plus the close probe), stopping after a close or a reply that never came. */
export async function lockStep(side: Side, steps: readonly Step[]): Promise<StepResult[]> {
  const results: StepResult[] = [];
  const take = async (sent: string, parts: readonly string[], patient = false) => {
    const { reply, closed, timedOut } = await side.awaitReply(parts.length, patient);
    const cut = closed && !replyComplete(reply, parts.length);
    results.push({ sent, reply, closed: cut, skipped: false, parts });
    // A close right after a whole reply shows at the next step (the probe at the latest), as a socket sees it.
    return cut || timedOut;
  };
  if (await take('', [''])) return results;
  for (const step of [...steps, CLOSE_PROBE]) {
    if (!stepSent(step, results.at(-1))) {
      results.push({ sent: step.bytes, reply: [], closed: false, skipped: true, parts: [step.bytes] });
      continue;
    }
    side.send(step.bytes);
    if (await take(step.bytes, stepParts(step), startsSasl(step))) break;
  }
  return results;
}

/** Collects the server's bytes into lines (CRLF or LF ends one), handed out reply by reply. */
export class ReplyReader {
  private pending = '';
  private collected: string[] = [];

  push(text: string): void {
    this.pending += text;
    for (let newline; (newline = this.pending.indexOf('\n')) >= 0; this.pending = this.pending.slice(newline + 1)) {
      this.collected.push(this.pending.slice(0, newline).replace(/\r$/, ''));
    }
  }

  /** How many lines have come since the last take(). */
  get count(): number {
    return this.collected.length;
  }

  /** Whether `owed` whole replies have come since the last take(). */
  complete(owed: number): boolean {
    return replyComplete(this.collected, owed);
  }

  /** The lines so far, forgotten here. */
  take(): string[] {
    const taken = this.collected;
    this.collected = [];
    return taken;
  }
}
