/* swaks-transcript - read what a real swaks run saw: replies in order, the AUTH outcome, its timing
 *
 * swaks (20201014.0) prints server lines as "<-  text" (or "<** text" for an error reply, "<~ "
 * under TLS), client lines as " -> text", and with --show-time-lapse a "=== response in 0.016s"
 * line before each server reply: the time from the last client write to that reply. For AUTH
 * that is the AUTH→reply time (for AUTH LOGIN: password line→reply, the step where Dovecot
 * talks to the backend).
 */

export interface ClientOutcome {
  /** Server replies in order, one string per reply, lines joined with "\n". */
  readonly replies: readonly string[];
  /** The final reply to AUTH (after any 334 steps), or null when AUTH was never answered. */
  readonly authReply: string | null;
  /** Milliseconds from the client's last AUTH line to that final reply, or null. */
  readonly authToReplyMs: number | null;
}

const SERVER_LINE = /^<(?:-|\*\*|~|~\*) {1,2}(.*)$/;
const CLIENT_LINE = /^ (?:->|~>|\*\*) (.*)$/;
const LAPSE = /^=== response in (\d+(?:\.\d+)?)s$/;

export function parseSwaksTranscript(transcript: string): ClientOutcome {
  const replies: string[] = [];
  let current: string[] = [];
  let lastClient = '';
  let inAuth = false;
  let lapseMs: number | null = null;
  let authReply: string | null = null;
  let authToReplyMs: number | null = null;
  for (const line of transcript.split(/\r?\n/)) {
    const lapse = LAPSE.exec(line);
    if (lapse) {
      lapseMs = Math.round(Number(lapse[1]) * 1000);
      continue;
    }
    const client = CLIENT_LINE.exec(line);
    if (client) {
      lastClient = client[1]!;
      if (/^AUTH /i.test(lastClient)) inAuth = true;
      continue;
    }
    const server = SERVER_LINE.exec(line);
    if (!server) continue;
    const text = server[1]!;
    current.push(text);
    if (/^\d{3}-/.test(text)) continue;
    replies.push(current.join('\n'));
    current = [];
    if (inAuth && !text.startsWith('334')) {
      authReply = text;
      authToReplyMs = lapseMs;
      inAuth = false;
    }
    lapseMs = null;
  }
  return { replies, authReply, authToReplyMs };
}
