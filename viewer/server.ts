/* server - the live viewer: the page on 127.0.0.1 and a WebSocket that streams trace events
 *
 * startViewer() serves the page at / and the events at ws://127.0.0.1:PORT/events. Every
 * event passed to publish() is kept (up to `maxEvents`, oldest dropped first) so a page
 * opened late still sees the whole run, and is sent to every open page, batched per tick
 * so a simulator publishing thousands of events in one turn sends a few messages.
 * Requests whose Host is not this loopback address are refused (DNS rebinding), and so are
 * WebSocket upgrades from another page's Origin.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { renderHtml } from './export/html.ts';
import type { TraceEvent } from './model/trace-event.ts';

export const EVENTS_PATH = '/events';
const HOST = '127.0.0.1';

export interface ViewerOptions {
  /** TCP port on 127.0.0.1; 0 (the default) picks a free one. */
  readonly port?: number;
  readonly title?: string;
  /** Events already recorded (a trace file): sent to every page first. */
  readonly events?: readonly TraceEvent[];
  /** Bound on the events kept for late pages. */
  readonly maxEvents?: number;
}

export interface Viewer {
  /** http://127.0.0.1:PORT/ */
  readonly url: string;
  readonly port: number;
  /** Send one trace event to every open page (and keep it for pages opened later). */
  publish(event: TraceEvent): void;
  close(): Promise<void>;
}

export async function startViewer(options: ViewerOptions = {}): Promise<Viewer> {
  const maxEvents = options.maxEvents ?? 1_000_000;
  const backlog: TraceEvent[] = [...(options.events ?? [])].slice(-maxEvents);
  let pending: TraceEvent[] = [];
  let flushScheduled = false;
  let pageHtml: string | null = null;
  const title = options.title ?? 'smtp-lab live viewer';

  const server = createServer((request, response) => {
    void handleHttp(request, response);
  });
  const sockets = new WebSocketServer({ noServer: true });
  let port = 0;
  const allowedHosts = (): string[] => [`${HOST}:${port}`, `localhost:${port}`];

  async function handleHttp(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (!allowedHosts().includes(request.headers.host ?? '')) return reply(response, 421, 'text/plain', 'wrong Host\n');
    const path = (request.url ?? '/').split('?')[0];
    try {
      if (request.method !== 'GET') return reply(response, 405, 'text/plain', 'GET only\n');
      if (path === '/') {
        pageHtml ??= await renderHtml({ title, wsPath: EVENTS_PATH });
        return reply(response, 200, 'text/html; charset=utf-8', pageHtml);
      }
      if (path === '/trace.jsonl') return reply(response, 200, 'application/x-ndjson', backlog.map((event) => JSON.stringify(event)).join('\n') + '\n');
      return reply(response, 404, 'text/plain', 'not found\n');
    } catch (error) {
      return reply(response, 500, 'text/plain', `${(error as Error).message}\n`);
    }
  }

  server.on('upgrade', (request, socket, head) => {
    const path = (request.url ?? '').split('?')[0];
    // Browsers let any page open a WebSocket to 127.0.0.1; only this viewer's own page (or a
    // non-browser client, which sends no Origin) may read the trace: it carries AUTH bytes.
    const origin = request.headers.origin;
    const ownPage = origin === undefined || allowedHosts().some((host) => origin === `http://${host}`);
    if (path !== EVENTS_PATH || !allowedHosts().includes(request.headers.host ?? '') || !ownPage) {
      socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
      return;
    }
    sockets.handleUpgrade(request, socket, head, (ws: WebSocket) => {
      if (backlog.length > 0) ws.send(JSON.stringify({ type: 'events', events: backlog }));
    });
  });

  function flush(): void {
    flushScheduled = false;
    if (pending.length === 0) return;
    const message = JSON.stringify({ type: 'events', events: pending });
    pending = [];
    for (const client of sockets.clients) if (client.readyState === client.OPEN) client.send(message);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://${HOST}:${port}/`,
    port,
    publish(event: TraceEvent): void {
      backlog.push(event);
      if (backlog.length > maxEvents) backlog.splice(0, backlog.length - maxEvents);
      pending.push(event);
      if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(flush);
      }
    },
    async close(): Promise<void> {
      flush();
      for (const client of sockets.clients) client.terminate();
      await new Promise<void>((resolve) => sockets.close(() => resolve()));
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

function reply(response: ServerResponse, status: number, type: string, body: string): void {
  response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  response.end(body);
}
