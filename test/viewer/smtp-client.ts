/* smtp-client - a lock-step SMTP client over a real socket for the live viewer test (waits for every reply) */
import net from 'node:net';

export interface ClientSession {
  /** Every reply, its lines joined with \r\n. */
  readonly replies: string[];
}

const REPLY_END = /(^|\r\n)\d{3} [^\r\n]*\r\n$/;

/** Send each command after the previous reply (the first after the greeting); resolves when the server closes. */
export function lockstepSession(port: number, commands: readonly string[], timeoutMs = 20_000): Promise<ClientSession> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const replies: string[] = [];
    const queue = [...commands];
    let buffer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`SMTP session on port ${port} did not end within ${timeoutMs} ms; replies ${JSON.stringify(replies)}`));
    }, timeoutMs);
    socket.setEncoding('latin1');
    socket.on('data', (text: string) => {
      buffer += text;
      if (!REPLY_END.test(buffer)) return;
      replies.push(buffer.replace(/\r\n$/, ''));
      buffer = '';
      const next = queue.shift();
      if (next !== undefined) socket.write(`${next}\r\n`, 'latin1');
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ replies });
    });
  });
}
