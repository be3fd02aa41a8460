/* socket-client - a real node socket client for runtime tests: collect lines until the server closes */
import net from 'node:net';
import tls from 'node:tls';

export interface Conversation {
  readonly received: string;
  readonly ended: 'fin' | 'reset';
}

/** Connect, send each chunk after the first `waitFor` marker arrives, and resolve when the socket closes. */
export function converse(
  port: number,
  chunks: readonly string[],
  options: { tlsCa?: string; waitFor?: string; timeoutMs?: number } = {},
): Promise<Conversation> {
  return new Promise((resolve, reject) => {
    const socket: net.Socket = options.tlsCa
      ? tls.connect({ host: '127.0.0.1', port, ca: options.tlsCa, servername: 'localhost' })
      : net.connect({ host: '127.0.0.1', port });
    let received = '';
    let sent = false;
    let ended: 'fin' | 'reset' = 'fin';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`conversation on port ${port} did not end; got ${JSON.stringify(received)}`));
    }, options.timeoutMs ?? 10_000);
    socket.setEncoding('latin1');
    socket.on('data', (text: string) => {
      received += text;
      if (!sent && received.includes(options.waitFor ?? '\n')) {
        sent = true;
        for (const chunk of chunks) socket.write(Buffer.from(chunk, 'latin1'));
      }
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNRESET') ended = 'reset';
      else reject(error);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ received, ended });
    });
  });
}

/** A connected socket that sends nothing; an RST from the server is not an error. */
export function rawSocket(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => resolve(socket));
    socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' ? undefined : reject(error)));
  });
}
