/* real-side - a lock-step session against a real smtpd on 127.0.0.1
 *
 * Connects and plays session.ts lockStep() over a socket. A reply that stays silent for
 * `replyTimeoutMs` before it is whole ends the session there (its result has what did arrive):
 * lock-step cannot go on without knowing where one reply ends.
 */
import net from 'node:net';
import { lockStep, replyComplete, ReplyReader, type Step, type StepResult } from './session.ts';

/** Longer than smtpd's error sleep (smtpd_error_sleep_time 1s, smtpd_chat.c smtpd_chat_reply()) plus a cold cleanup. */
export const REPLY_TIMEOUT_MS = 4_000;

export async function runRealSession(port: number, steps: readonly Step[], replyTimeoutMs = REPLY_TIMEOUT_MS): Promise<StepResult[]> {
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
        awaitReply: async () => {
          // Silence, not the whole reply, is timed: in error-sleep mode a reply comes a line a second.
          let deadline = Date.now() + replyTimeoutMs;
          for (let seen = reader.count; !reader.complete && !closed && Date.now() < deadline; ) {
            if (reader.count !== seen) [seen, deadline] = [reader.count, Date.now() + replyTimeoutMs];
            await new Promise<void>((resolve) => {
              wake = resolve;
              setTimeout(resolve, Math.max(1, deadline - Date.now()));
            });
          }
          const reply = reader.take();
          return { reply, closed, timedOut: !replyComplete(reply) && !closed };
        },
      },
      steps,
    );
  } finally {
    socket.destroy();
  }
}
