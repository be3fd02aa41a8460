/* smtp-client - the load test's client: one authenticated SMTP session over a plain socket
 *
 * Kept to what the load test needs: replies read as whole (multi-line) replies, AUTH PLAIN, one
 * message streamed with back-pressure (a 100 MB message never sits in memory) and its SHA-256
 * computed on the way, to be compared with what the Postfix model queued.
 */
import { createHash } from 'node:crypto';
import net from 'node:net';

export interface Reply {
  readonly code: number;
  readonly text: string;
}

/** Reads whole SMTP replies ("250-..." continuation lines up to the "250 ..." one) from a socket. */
export class ReplyReader {
  private buffer = '';
  private waiting: ((reply: Reply | null) => void) | null = null;
  private ended = false;

  constructor(socket: net.Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (text: string) => {
      this.buffer += text;
      this.wake();
    });
    socket.on('close', () => {
      this.ended = true;
      this.wake();
    });
  }

  /** The next whole reply, or null when the connection ended first. */
  next(): Promise<Reply | null> {
    return new Promise((resolve) => {
      this.waiting = resolve;
      this.wake();
    });
  }

  private wake(): void {
    if (!this.waiting) return;
    const reply = this.take();
    if (reply === undefined && !this.ended) return;
    const resolve = this.waiting;
    this.waiting = null;
    resolve(reply ?? null);
  }

  private take(): Reply | undefined {
    let at = 0;
    for (;;) {
      const lf = this.buffer.indexOf('\n', at);
      if (lf < 0) return undefined;
      const line = this.buffer.slice(at, lf).replace(/\r$/, '');
      at = lf + 1;
      if (line[3] !== '-') {
        const text = this.buffer.slice(0, at);
        this.buffer = this.buffer.slice(at);
        return { code: Number(line.slice(0, 3)), text };
      }
    }
  }
}

export function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => resolve(socket));
    socket.once('error', reject);
  });
}

export interface MessagePlan {
  /** Content bytes (CRLF lines, none starting with "."), produced piece by piece. */
  readonly bytes: number;
  /** Distinguishes messages of the same size. */
  readonly tag: string;
}

export interface SessionResult {
  /** "queued" when the 250 after the message came, else the step and reply where it stopped. */
  readonly outcome: string;
  readonly queueId: string | null;
  readonly sha256: string | null;
}

const SESSION_STALL_MS = 60_000;
const LINE = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcd';

/** Content in 64 KiB pieces: a Subject line, then 78-byte lines until `bytes`, ending in CRLF. */
function* contentPieces(message: MessagePlan): Generator<string> {
  let piece = `Subject: load ${message.tag}\r\n\r\n`;
  let left = message.bytes - piece.length;
  for (let n = 0; left > 0; n++) {
    const line = `${String(n % 100_000).padStart(5, '0')} ${LINE}`.slice(0, Math.max(0, Math.min(76, left - 2))) + '\r\n';
    piece += line;
    left -= line.length;
    if (piece.length >= 64 * 1024) {
      yield piece;
      piece = '';
    }
  }
  if (piece !== '') yield piece;
}

/** One session: greeting, EHLO, AUTH PLAIN, MAIL, RCPT, DATA, the message, QUIT. */
export async function sendOne(port: number, user: string, password: string, message: MessagePlan): Promise<SessionResult> {
  let socket: net.Socket;
  try {
    socket = await connect(port);
  } catch (error) {
    return { outcome: `connect: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, queueId: null, sha256: null };
  }
  socket.on('error', () => undefined);
  // Bounded: a session that stalls a minute ends as "connection closed" rather than hanging the run.
  socket.setTimeout(SESSION_STALL_MS, () => socket.destroy());
  const replies = new ReplyReader(socket);
  const stopped = (step: string, reply: Reply | null): SessionResult => {
    socket.destroy();
    return { outcome: `${step}: ${reply ? reply.text.trim().split('\r\n').at(-1) : 'connection closed'}`, queueId: null, sha256: null };
  };
  const expect = async (step: string, code: number, command?: string) => {
    if (command !== undefined) socket.write(command, 'latin1');
    const reply = await replies.next();
    return reply?.code === code ? null : stopped(step, reply);
  };
  const plain = Buffer.from(`\0${user}\0${password}`, 'latin1').toString('base64');
  const steps: Array<[string, number, string | undefined]> = [
    ['greeting', 220, undefined], ['EHLO', 250, 'EHLO load.example.test\r\n'], ['AUTH', 235, `AUTH PLAIN ${plain}\r\n`],
    ['MAIL', 250, `MAIL FROM:<${user}>\r\n`], ['RCPT', 250, 'RCPT TO:<bob@example.test>\r\n'], ['DATA', 354, 'DATA\r\n'],
  ];
  for (const [step, code, command] of steps) {
    const failed = await expect(step, code, command);
    if (failed) return failed;
  }
  const hash = createHash('sha256');
  for (const piece of contentPieces(message)) {
    hash.update(piece, 'latin1');
    if (!socket.write(piece, 'latin1')) await new Promise((resolve) => socket.once('drain', resolve));
  }
  socket.write('.\r\n');
  const queued = await replies.next();
  if (queued?.code !== 250) return stopped('end of data', queued);
  socket.write('QUIT\r\n');
  await replies.next();
  socket.destroy();
  return { outcome: 'queued', queueId: /queued as (\S+)/.exec(queued.text)?.[1] ?? null, sha256: hash.digest('hex') };
}
