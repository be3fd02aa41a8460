/* real-side - a session against a real smtpd on 127.0.0.1, and the lines it logged
 *
 * Connects and plays session.ts lockStep() over a socket. A reply that stays silent for
 * REPLY_TIMEOUT_MS (SASL_REPLY_TIMEOUT_MS after an AUTH) before the replies owed are whole
 * ends the session there (its result has what did arrive): the session cannot go on without
 * knowing where the replies end. After the
 * session, the smtpd lines postlogd wrote for it are read from the log (sessions run one at a
 * time, so the lines since the mark are this session's), once its "disconnect from" is there.
 */
import net from 'node:net';
import { lockStep, replyComplete, ReplyReader, type SessionRun, type Step } from './session.ts';

/** Longer than smtpd's error sleep (smtpd_error_sleep_time 1s, smtpd_chat.c smtpd_chat_reply()) plus a cold cleanup. */
export const REPLY_TIMEOUT_MS = 4_000;
/** After an AUTH (session.ts startsSasl()): smtpd waits for Dovecot at most 10 s a read (xsasl_dovecot_server.c AUTH_TIMEOUT), and a margin. */
export const SASL_REPLY_TIMEOUT_MS = 12_000;
/** How long postlogd may take to write a session's last line (it writes within milliseconds here). */
const LOG_TIMEOUT_MS = 3_000;

/** The real Postfix's log as RealStack reads it (conformance/real-stack.ts). */
export interface PostfixLogReader {
  mark(): { readonly postfix: number };
  postfixLogSince(mark: { readonly postfix: number }): string[];
}

/** The smtpd lines among `lines`, without the syslog prefix ("Nov 30 20:10:00 host postfix/smtpd[123]: "). */
export function smtpdLines(lines: readonly string[]): string[] {
  return lines.flatMap((l) => {
    const match = / postfix\/smtpd\[\d+\]: (.*)$/.exec(l);
    return match ? [match[1]!] : [];
  });
}

export async function runRealSession(port: number, steps: readonly Step[], log: PostfixLogReader): Promise<SessionRun> {
  const mark = log.mark();
  const results = await talk(port, steps);
  const deadline = Date.now() + LOG_TIMEOUT_MS;
  let lines = smtpdLines(log.postfixLogSince(mark));
  while (!lines.some((l) => l.startsWith('disconnect from ')) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    lines = smtpdLines(log.postfixLogSince(mark));
  }
  return { results, log: lines };
}

async function talk(port: number, steps: readonly Step[]) {
  const socket = net.connect(port, '127.0.0.1');
  socket.setEncoding('latin1');
  socket.setNoDelay(true);
  const reader = new ReplyReader();
  let closed = false;
  let wake: (() => void) | null = null;
  const poke = () => {
    wake?.();
    wake = null;
  };
  socket.on('data', (text: string) => {
    reader.push(text);
    poke();
  });
  // A reset (the server closed with our bytes unread) is a close as much as a FIN.
  const close = () => {
    closed = true;
    poke();
  };
  socket.on('error', close).on('end', close).on('close', close);
  try {
    return await lockStep(
      {
        send: (bytes) => {
          if (!closed) socket.write(Buffer.from(bytes, 'latin1'));
        },
        awaitReply: async (owed, patient) => {
          // Silence, not the whole reply, is timed: in error-sleep mode a reply comes a line a second.
          const replyTimeoutMs = patient ? SASL_REPLY_TIMEOUT_MS : REPLY_TIMEOUT_MS;
          let deadline = Date.now() + replyTimeoutMs;
          for (let seen = reader.count; !reader.complete(owed) && !closed && Date.now() < deadline; ) {
            if (reader.count !== seen) [seen, deadline] = [reader.count, Date.now() + replyTimeoutMs];
            await new Promise<void>((resolve) => {
              wake = resolve;
              setTimeout(resolve, Math.max(1, deadline - Date.now()));
            });
          }
          const reply = reader.take();
          return { reply, closed, timedOut: !replyComplete(reply, owed) && !closed };
        },
      },
      steps,
    );
  } finally {
    socket.destroy();
  }
}
