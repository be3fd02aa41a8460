/* session - one lock-step SMTP session as both sides see it: what is sent, what comes back
 *
 * A session is a list of steps, each one write; the next step is sent only once the whole reply
 * to the previous one has arrived (no pipelining, so timing plays no part). A `content` step is
 * the message after DATA: it is sent only when DATA's reply was 354, as a client would.
 * Both sides (real-side.ts, lab-side.ts) record the same shape, so compare.ts needs no sides.
 */

export type Step =
  /** One command line with its line end (latin1: one char per byte). */
  | { readonly kind: 'line'; readonly bytes: string }
  /** The message after a 354: its lines and the final ".\r\n"; skipped when DATA got anything else. */
  | { readonly kind: 'content'; readonly bytes: string };

export interface StepResult {
  /** What was written ('' for the banner, which answers the connect). */
  readonly sent: string;
  /** The reply's lines without their line ends; empty when none came. */
  readonly reply: readonly string[];
  /** The server had closed the connection by the end of this step (no or part of a reply). */
  readonly closed: boolean;
  /** The step was not sent (content after a DATA that got no 354). */
  readonly skipped: boolean;
}

/** The session's steps plus a closing probe: a NOOP shows whether the server closed after the last one. */
export const CLOSE_PROBE: Step = { kind: 'line', bytes: 'NOOP\r\n' };

/** Whether `lines` hold a whole reply: the last line is a final one ("250 ok", "250", not "250-..."). */
export function replyComplete(lines: readonly string[]): boolean {
  const last = lines.at(-1);
  return last !== undefined && !/^\d{3}-/.test(last);
}

/** Whether `step` is sent after the results so far (content only after a 354). */
export function stepSent(step: Step, previous: StepResult | undefined): boolean {
  return step.kind === 'line' || (previous !== undefined && previous.reply.at(-1)?.startsWith('354') === true);
}

/** A step's bytes shown printable: CR, LF, and bytes outside ASCII as escapes, long runs cut. */
export function showBytes(bytes: string): string {
  const shown = JSON.stringify(bytes.length > 120 ? `${bytes.slice(0, 100)}…(${bytes.length} bytes)…${bytes.slice(-10)}` : bytes);
  return shown.replace(/[\u0080-\u00ff]/g, (c) => `\\x${c.charCodeAt(0).toString(16)}`);
}

/** One side of the conversation: send a step's bytes, wait for the whole reply (or the close, or nothing). */
export interface Side {
  send(bytes: string): void;
  /** The reply lines since the last call, and whether the server has closed or stayed silent. */
  awaitReply(): Promise<{ readonly reply: readonly string[]; readonly closed: boolean; readonly timedOut: boolean }>;
}

/** The banner, each step in turn (plus the close probe), stopping after a close or a reply that never came. */
export async function lockStep(side: Side, steps: readonly Step[]): Promise<StepResult[]> {
  const results: StepResult[] = [];
  const take = async (sent: string) => {
    const { reply, closed, timedOut } = await side.awaitReply();
    const cut = closed && !replyComplete(reply);
    results.push({ sent, reply, closed: cut, skipped: false });
    // A close right after a whole reply shows at the next step (the probe at the latest), as a socket sees it.
    return cut || timedOut;
  };
  if (await take('')) return results;
  for (const step of [...steps, CLOSE_PROBE]) {
    if (!stepSent(step, results.at(-1))) {
      results.push({ sent: step.bytes, reply: [], closed: false, skipped: true });
      continue;
    }
    side.send(step.bytes);
    if (await take(step.bytes)) break;
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

  get complete(): boolean {
    return replyComplete(this.collected);
  }

  /** The lines so far, forgotten here. */
  take(): string[] {
    const taken = this.collected;
    this.collected = [];
    return taken;
  }
}
