/* dovecot-differential-client - a lock-step SMTP client over a real socket, played as the lab's client plays a script
 *
 * Sends each line (plus CRLF) only after the previous line's reply came, and records every reply
 * it is owed (the greeting first) as the lab's client model does (models/client/reply-parser.ts
 * cuts the bytes into replies). The session ends as the lab's client ends it (client.ts):
 *   - after the reply to a QUIT line: the client closes ('quit');
 *   - the server closes or resets before that ('server-closed'; every reply it sent before counts);
 *   - a 421 or a greeting other than 220: the client gives up; the server closes then;
 *   - the script ends: the client waits `graceMs` for a close it would otherwise not see, then
 *     hangs up ('client-closed');
 *   - no reply within `replyTimeoutMs` ('timeout').
 * Each line leaves `thinkMs` after the reply before it, as the lab's client waits its think time
 * (client.think_time_us) before the next line: what the server sends in that pause, more replies
 * or its close, is seen before the line is sent. A line the server answers several times (a
 * message sent before DATA, one reply per line of it) and a close after them therefore end the
 * session as 'server-closed' on both sides, not as a QUIT "answered" by a left-over reply.
 * `localAddress` binds the client's end (any 127.0.0.0/8 address on loopback), so sessions that
 * run side by side come from different addresses: Dovecot's auth penalty is per remote IP.
 */
import net from 'node:net';
import { ReplyParser, type ServerReply } from '../models/client/reply-parser.ts';
import { stepVerb } from '../models/client/rfc2920.ts';

export type SessionEndKind = 'quit' | 'server-closed' | 'client-closed' | 'timeout';

export interface LockstepResult {
  /** Every reply owed, in order, each its lines joined by "\n" (the greeting first). */
  readonly replies: readonly string[];
  readonly end: SessionEndKind;
}

export interface LockstepOptions {
  readonly host: string;
  readonly port: number;
  readonly localAddress?: string;
  readonly replyTimeoutMs: number;
  readonly graceMs: number;
  /** The pause between a reply and the next line (default 0: the next turn of the event loop). */
  readonly thinkMs?: number;
}

/** True for a line whose verb is QUIT, as the lab's client reads a raw step (rfc2920.ts stepVerb). */
export function isQuitLine(line: string): boolean {
  return stepVerb({ kind: 'raw', latin1: line }) === 'QUIT';
}

/** Play `lines` lock-step against host:port; never rejects (a connect failure is a 'server-closed' with no replies). */
export function playLockstep(lines: readonly string[], options: LockstepOptions): Promise<LockstepResult> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: options.host, port: options.port, ...(options.localAddress ? { localAddress: options.localAddress } : {}) });
    const parser = new ReplyParser();
    const replies: string[] = [];
    let next = 0;
    let givingUp = false;
    let finished = false;
    let timer: NodeJS.Timeout | undefined;
    // Replies beyond the one owed (a line the server answered twice) wait here and answer the
    // next line, in order, as the lab's client matches them (client.ts matchReplies).
    const pending: ServerReply[] = [];

    const finish = (end: SessionEndKind) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      socket.destroy();
      // The server's last words before it hung up (a 421 after the reply owed) are part of the session.
      if (end === 'server-closed') replies.push(...pending.map((reply) => reply.text));
      resolve({ replies, end });
    };
    const wait = (ms: number, end: SessionEndKind) => {
      clearTimeout(timer);
      timer = setTimeout(() => finish(end), ms);
    };
    const onReply = (reply: ServerReply) => {
      replies.push(reply.text);
      const answered = next === 0 ? null : lines[next - 1]!;
      if (answered !== null && isQuitLine(answered)) return finish('quit');
      if (reply.code === 421 || (answered === null && reply.code !== 220)) givingUp = true;
      if (givingUp || next >= lines.length) return wait(options.graceMs, 'client-closed');
      clearTimeout(timer);
      timer = setTimeout(sendNext, options.thinkMs ?? 0);
    };
    const sendNext = () => {
      socket.write(Buffer.from(`${lines[next++]}\r\n`, 'latin1'));
      wait(options.replyTimeoutMs, 'timeout');
      drain();
    };
    // One reply per line sent: the others wait in `pending` for the next line.
    const drain = () => {
      while (!finished && !givingUp && pending.length > 0 && replies.length <= next) onReply(pending.shift()!);
    };

    wait(options.replyTimeoutMs, 'timeout');
    socket.on('data', (bytes) => {
      if (finished) return;
      parser.push(bytes);
      for (let reply = parser.next(); reply !== undefined; reply = parser.next()) pending.push(reply);
      drain();
    });
    socket.on('end', () => finish('server-closed'));
    socket.on('error', () => finish('server-closed'));
  });
}
