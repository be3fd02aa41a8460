/* xclient-table - a slow tcp_table(5) server for smtpd_authorized_xclient_hosts (the slowxclient trigger)
 *
 * With `smtpd_authorized_xclient_hosts = tcp:127.0.0.1:<port>`, Postfix looks the client up in
 * this table again inside xclient_cmd(), before its pipelining check; answering each lookup
 * after `delayMs` makes Postfix's own XCLIENT processing outlast the ~40 ms delayed-ACK timer,
 * which lets Dovecot's Nagle-held EHLO arrive first (conformance/records/README.md, slowxclient).
 *
 * tcp_table(5): one request per line, `get SPACE key NEWLINE`, the key %XX-encoded; one reply
 * per request, `200 SPACE text` (found), `500 SPACE text` (not found), `400 SPACE text` (error).
 * A connection's requests are answered in order, each `delayMs` after the previous answer (or
 * its arrival), as a single-threaded table daemon would. Loopback names and addresses are found.
 */
import { createRequire } from 'node:module';
import net from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** tcp_table(5): replies must not be longer than 4096 characters; a longer request is not one Postfix sends. */
export const MAX_REQUEST_BYTES = 4096;

/** The reply (without its newline) to one request line. */
export function tableReply(request: string): string {
  if (!request.startsWith('get ')) return '400 unsupported%20request';
  let key: string;
  try {
    key = decodeURIComponent(request.slice(4));
  } catch {
    return '400 bad%20%25XX%20encoding';
  }
  return key === 'localhost' || key.startsWith('127.') ? '200 OK' : '500 not%20found';
}

/**
 * The command line that runs the table as a process of its own (xclient-table-main.ts, through
 * tsx's loader), so that it can be started inside the stack's network namespace. The process
 * prints `listening 127.0.0.1:<port>` once it accepts connections.
 */
export function xclientTableCommand(options: { port: number; delayMs: number }): string[] {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return [process.execPath, '--import', tsx, join(import.meta.dirname, 'xclient-table-main.ts'), String(options.port), String(options.delayMs)];
}

export interface XclientTable {
  readonly port: number;
  close(): Promise<void>;
}

/** Serve the table on 127.0.0.1:`port` (0: any free port). */
export function serveXclientTable(options: { port: number; delayMs: number }): Promise<XclientTable> {
  const connections = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    connections.add(socket.once('close', () => connections.delete(socket)));
    answerInOrder(socket, options.delayMs);
  });
  // smtpd keeps its table connection open for the life of the process: closing ends them too.
  const close = () => new Promise<void>((closed) => {
    server.close(() => closed());
    for (const socket of connections) socket.destroy();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve({ port: (server.address() as net.AddressInfo).port, close }));
  });
}

function answerInOrder(socket: net.Socket, delayMs: number): void {
  let buffered = '';
  let answered = Promise.resolve();
  socket.setEncoding('latin1');
  socket.on('error', () => socket.destroy());
  socket.on('data', (text: string) => {
    buffered += text;
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const request = buffered.slice(0, newline).replace(/\r$/, '');
      buffered = buffered.slice(newline + 1);
      answered = answered.then(() => new Promise<void>((done) => setTimeout(() => {
        if (socket.writable) socket.write(`${tableReply(request)}\n`);
        done();
      }, delayMs)));
    }
    if (buffered.length > MAX_REQUEST_BYTES) {
      socket.end('400 request%20too%20long\n');
      buffered = '';
    }
  });
}
