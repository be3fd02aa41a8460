/* auth/service - the Mailu admin container's /internal/auth/email endpoint as an HTTP server model
 *
 * One instance serves every connection accepted on its listeners. Requests on one connection are
 * answered in order (HTTP/1.1 keep-alive without pipelining surprises); each answer is computed
 * when the service has spent `latencyUs` on it, so rate-limit windows see the time of the answer.
 * Faults (config.fault) are the service's own misbehaviour; see config.ts.
 *
 * Connection lifetime is gunicorn's gthread worker's (Mailu's start.py runs gunicorn with
 * --threads, which selects it; workers/gthread.py): an answered connection is kept alive for
 * `keepalive` seconds, then closed; a connection waiting for a request, or for the rest of one,
 * has no deadline at all (the poller has none, and the request is read blocking).
 */
import { OutputQueue, asciiBytes, type ConnId, type Input, type Micros, type Model, type Output } from '../contract.ts';
import { HttpParser, serializeResponse, type HttpRequest } from '../http/codec.ts';
import { MailuAuthenticator, type AuthAnswer } from './authenticate.ts';
import { defaultAuthServiceConfig, type AuthServiceConfig } from './config.ts';
import { invalidHeaderOutcome, sendableHeaderValue } from './gunicorn-response.ts';

const ENDPOINT = '/internal/auth/email';

interface HttpConnection {
  /** The front's address, which gunicorn names in its warnings (conn.client). */
  readonly peerIp: string;
  readonly parser: HttpParser;
  readonly pending: HttpRequest[];
  busy: boolean;
  closed: boolean;
  /** Answered and idle: gunicorn's keep-alive deadline runs. */
  keptAlive: boolean;
}

const ANSWER = '/answer';
const KEEPALIVE = '/keepalive';

/** Python's http.HTTPStatus phrases for the statuses the service gives. */
const REASONS: Readonly<Record<number, string>> = { 200: 'OK', 400: 'BAD REQUEST', 404: 'NOT FOUND', 405: 'METHOD NOT ALLOWED', 500: 'INTERNAL SERVER ERROR' };

export class AuthServiceModel implements Model {
  readonly name: string;
  private readonly out = new OutputQueue();
  private readonly connections = new Map<ConnId, HttpConnection>();
  private readonly authenticator: MailuAuthenticator;

  constructor(private readonly config: AuthServiceConfig) {
    this.name = config.name;
    this.authenticator = new MailuAuthenticator(config);
  }

  poll(): Output | undefined {
    return this.out.poll();
  }

  handle(now: Micros, input: Input): void {
    switch (input.kind) {
      case 'accepted':
        this.connections.set(input.conn, { peerIp: input.remote.host, parser: new HttpParser('request'), pending: [], busy: false, closed: false, keptAlive: false });
        return;
      case 'bytes': {
        const connection = this.connections.get(input.conn);
        if (!connection || connection.closed) return;
        if (connection.keptAlive) this.endKeepAlive(input.conn, connection);
        connection.parser.feed(input.bytes);
        this.readRequests(now, input.conn, connection);
        return;
      }
      case 'eof':
      case 'reset':
        this.drop(input.conn, input.kind === 'eof');
        return;
      case 'timeout':
        if (input.timer.endsWith(KEEPALIVE)) this.closeIdle(input.timer.slice(0, -KEEPALIVE.length));
        else this.answerNext(now, input.timer.slice(0, -ANSWER.length));
        return;
      default:
        return; // the service opens no connections: connected/connectFailed cannot concern it
    }
  }

  private readRequests(now: Micros, conn: ConnId, connection: HttpConnection): void {
    for (let guard = 0; guard < 1000; guard++) {
      const parsed = connection.parser.nextRequest();
      if (parsed.kind === 'incomplete') break;
      if (parsed.kind === 'error') {
        this.respond(conn, connection, { status: 400, reason: parsed.reason });
        this.out.push({ kind: 'close', conn });
        connection.closed = true;
        return;
      }
      connection.pending.push(parsed.message);
    }
    this.startNext(now, conn, connection);
  }

  private startNext(now: Micros, conn: ConnId, connection: HttpConnection): void {
    if (connection.busy || connection.pending.length === 0) return;
    connection.busy = true;
    if (this.config.fault === 'timeout') return; // accepted, read, never answered
    this.out.push({ kind: 'timer', timer: conn + ANSWER, at: now + this.config.latencyUs });
  }

  private endKeepAlive(conn: ConnId, connection: HttpConnection): void {
    connection.keptAlive = false;
    this.out.push({ kind: 'timer', timer: conn + KEEPALIVE, at: null });
  }

  /** murder_keepalived(): the keep-alive deadline passed with no new request. */
  private closeIdle(conn: ConnId): void {
    const connection = this.connections.get(conn);
    if (!connection?.keptAlive) return;
    this.connections.delete(conn);
    this.out.push({ kind: 'close', conn });
  }

  waitsWithoutDeadline(conn: ConnId): string | null {
    const connection = this.connections.get(conn);
    if (!connection || connection.closed || connection.keptAlive) return null;
    if (connection.busy) return this.config.fault === 'timeout' ? 'auth.fault=timeout: the service was told never to answer' : null;
    return 'gunicorn (gthread worker) waits for a request, or the rest of one, with no deadline: accept() registers the socket in the poller without a timeout and handle() reads the request blocking (workers/gthread.py)';
  }

  private answerNext(now: Micros, conn: ConnId): void {
    const connection = this.connections.get(conn);
    const request = connection?.pending.shift();
    if (!connection || !request || connection.closed) return;
    connection.busy = false;
    switch (this.config.fault) {
      case 'http500':
        this.respond(conn, connection, { status: 500, reason: 'fault: http500' });
        break;
      case 'malformed':
        this.out.push({ kind: 'write', conn, bytes: asciiBytes('<html>upstream exploded\r\n\r\n') });
        this.out.push({ kind: 'close', conn });
        connection.closed = true;
        return;
      default:
        if (!this.respond(conn, connection, this.answer(request, now))) return;
    }
    if (connection.pending.length > 0) return this.startNext(now, conn, connection);
    // finish_request(): an answered connection goes back to the poller with its keep-alive
    // deadline, even when part of the next request is already read (the poller waits for new bytes)
    connection.keptAlive = true;
    this.out.push({ kind: 'timer', timer: conn + KEEPALIVE, at: now + this.config.keepalive * 1_000_000 });
  }

  private answer(request: HttpRequest, now: Micros): AuthAnswer {
    const query = request.target.indexOf('?');
    const path = query < 0 ? request.target : request.target.slice(0, query);
    if (path !== ENDPOINT) return { status: 404, reason: `no route ${path}` };
    if (request.method !== 'GET' && request.method !== 'HEAD') return { status: 405, reason: `method ${request.method}` };
    const answer = this.authenticator.authenticate(request.headers, now);
    const logs = this.authenticator.logs;
    for (const line of logs) this.out.push({ kind: 'log', program: 'admin', line });
    logs.length = 0;
    return answer;
  }

  /** Writes the answer as gunicorn does; false when gunicorn refused a header value and closed the connection instead (./gunicorn-response.ts). */
  private respond(conn: ConnId, connection: HttpConnection, answer: AuthAnswer): boolean {
    const headers: (readonly [string, string])[] = [['Content-Type', 'text/html; charset=utf-8']];
    if (answer.status === 200) headers.push(...answer.headers);
    const refused = headers.find(([, value]) => !sendableHeaderValue(value));
    if (refused !== undefined) {
      const outcome = invalidHeaderOutcome(refused[1], connection.peerIp);
      this.out.push({ kind: 'log', program: 'admin', line: outcome.warning });
      if (outcome.bytes !== null) this.out.push({ kind: 'write', conn, bytes: outcome.bytes });
      this.out.push({ kind: 'close', conn });
      connection.closed = true;
      return false;
    }
    this.out.push({ kind: 'write', conn, bytes: serializeResponse({ status: answer.status, reason: REASONS[answer.status] ?? 'ERROR', headers, body: '' }) });
    return true;
  }

  private drop(conn: ConnId, closeOurSide: boolean): void {
    const connection = this.connections.get(conn);
    if (!connection) return;
    this.connections.delete(conn);
    this.out.push({ kind: 'timer', timer: conn + ANSWER, at: null });
    if (connection.keptAlive) this.out.push({ kind: 'timer', timer: conn + KEEPALIVE, at: null });
    if (closeOurSide && !connection.closed) this.out.push({ kind: 'close', conn });
  }
}

/** The Mailu auth service; `config` overrides Mailu's defaults key by key. */
export function createAuthService(config: Partial<AuthServiceConfig> = {}): Model {
  return new AuthServiceModel({ ...defaultAuthServiceConfig, ...config });
}
