/* front/passdb-lookup - Mailu's Lua passdb (core/nginx/dovecot/login.lua) as Dovecot's lib-http runs it
 *
 * login.lua @648c98ab: GET http://admin:8080/internal/auth/email with, in this order, Auth-Port,
 * Auth-User, Auth-Pass (if a password was given), Auth-Protocol, Client-IP, Client-Port,
 * Auth-SSL (the auth request's %c: "secured"/"TLS"/""), Auth-Method. From Mailu 2024.06.9
 * (models/auth/releases.ts credentials_url_encoded) urlEncode() percent-encodes Auth-User, Auth-Pass
 * and the client address, whose header is then spelt Client-Ip. Results:
 *   200 + Auth-Status: OK  -> PASSDB_RESULT_OK, proxy host=Auth-Server port=Auth-Port proxy_noauth=Y
 *   200 + anything else    -> PASSDB_RESULT_PASSWORD_MISMATCH
 *   not 200                -> PASSDB_RESULT_INTERNAL_FAILURE
 * lib-http (src/lib-http/http-client-request.c http_client_request_try_retry; -connection.c):
 * `timeout` bounds each attempt; a timed-out attempt, a refused connect or a connection lost before
 * the answer is a temporary error and is retried until `max_attempts`; an unparsable answer is not
 * retried. Lib-http's own request-failure status (9000+) is "not 200" for the Lua script.
 * Compromise: lib-http keeps connections alive and backs off between connect failures; the model
 * opens one connection per attempt and retries at once.
 */
import type { ConnId, Micros, Output } from '../contract.ts';
import { mailuHas } from '../auth/releases.ts';
import { HttpParser, headerValue, serializeRequest } from '../http/codec.ts';
import type { AuthHttpSettings } from './config.ts';
import { httpDate, wallSeconds, type WallClock } from './wall-clock.ts';

export type PassdbResult =
  | { readonly kind: 'ok'; readonly host: string; readonly port: number }
  | { readonly kind: 'password-mismatch' }
  | { readonly kind: 'internal-failure'; readonly why: string };

export interface PassdbRequest {
  readonly user: string;
  readonly password: string | null;
  readonly service: string;
  readonly localPort: number;
  readonly remoteIp: string;
  readonly remotePort: number;
  readonly secured: string;
  readonly mechanism: string;
}

/** What the lookup needs from its owner: a connection id, outputs, and its attempt timer. */
export interface PassdbHost {
  newConnId(purpose: string): ConnId;
  bind(conn: ConnId): void;
  emit(output: Output): void;
  setTimer(kind: 'passdbTimeout', at: Micros | null): void;
  finished(now: Micros, result: PassdbResult): void;
}

// Header values cannot carry CR/LF on the wire; lib-http's handling of them is not modelled.
const headerSafe = (value: string) => value.replace(/[\r\n]/g, '');

/**
 * login.lua urlEncode() at 2024.06.9: str:gsub("[^%w_.-~]", "%%%02X" of the byte). In a Lua set
 * `.-~` is the range '.'..'~' (lstrlib.c matchbracketclass), so every byte but the letters and digits,
 * '_' and 0x2e-0x7e is encoded: 0x00-0x2d (space, '%', '+', '-', ...) and 0x7f-0xff. `text` holds one byte per character.
 */
export function loginLuaUrlEncode(text: string): string {
  return text.replace(/[^\w.-~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** A credential as login.lua writes it into its header at a Mailu release (gate credentials_url_encoded): percent-encoded, or its bytes as they are. */
export function luaHeaderValue(text: string, mailuVersion: string): string {
  return mailuHas(mailuVersion, 'credentials_url_encoded') ? loginLuaUrlEncode(text) : headerSafe(text);
}

export class PassdbLookup {
  private attempts = 0;
  private conn: ConnId | null = null;
  private parser = new HttpParser('response');
  private done = false;

  constructor(
    private readonly settings: AuthHttpSettings,
    private readonly request: PassdbRequest,
    private readonly clock: WallClock,
    private readonly host: PassdbHost,
  ) {}

  get connection(): ConnId | null {
    return this.conn;
  }

  start(now: Micros): void {
    this.attempts++;
    this.parser = new HttpParser('response');
    this.conn = this.host.newConnId('http');
    this.host.bind(this.conn);
    // lib-http connects with lib/net.c net_connect_ip(), which sets SO_KEEPALIVE (2.3.19.1 net_connect_ip_once())
    this.host.emit({ kind: 'connect', conn: this.conn, to: this.settings.address, noDelay: true, keepAlive: true });
    this.host.setTimer('passdbTimeout', now + this.settings.timeout * 1000);
  }

  connected(now: Micros): void {
    if (this.done || this.conn === null) return;
    const r = this.request;
    const encoded = mailuHas(this.settings.mailuVersion, 'credentials_url_encoded');
    const value = (text: string) => luaHeaderValue(text, this.settings.mailuVersion);
    const headers: [string, string][] = [
      ['Host', this.settings.hostHeader],
      ['Date', httpDate(wallSeconds(this.clock, now))],
      ['Auth-Port', String(r.localPort)],
      ['Auth-User', value(r.user)],
    ];
    if (r.password !== null) headers.push(['Auth-Pass', value(r.password)]);
    const clientIp: [string, string] = encoded ? ['Client-Ip', loginLuaUrlEncode(r.remoteIp)] : ['Client-IP', r.remoteIp];
    headers.push(['Auth-Protocol', r.service], clientIp, ['Client-Port', String(r.remotePort)], ['Auth-SSL', r.secured], ['Auth-Method', r.mechanism]);
    this.host.emit({ kind: 'write', conn: this.conn, bytes: serializeRequest({ method: 'GET', target: '/internal/auth/email', headers }) });
  }

  bytes(now: Micros, bytes: Uint8Array): void {
    if (this.done) return;
    this.parser.feed(bytes);
    const parsed = this.parser.nextResponse();
    if (parsed.kind === 'incomplete') return;
    if (parsed.kind === 'error') return this.finish(now, { kind: 'internal-failure', why: `Invalid HTTP response: ${parsed.reason}` });
    const response = parsed.message;
    if (response.status !== 200) return this.finish(now, { kind: 'internal-failure', why: `HTTP ${response.status}` });
    if (headerValue(response.headers, 'Auth-Status') !== 'OK') return this.finish(now, { kind: 'password-mismatch' });
    const server = headerValue(response.headers, 'Auth-Server');
    const port = headerValue(response.headers, 'Auth-Port');
    // Lua: "host=" .. nil raises, and a script error is an internal failure of the passdb.
    if (server === undefined || port === undefined) return this.finish(now, { kind: 'internal-failure', why: 'lua: attempt to concatenate a nil value' });
    this.finish(now, { kind: 'ok', host: server, port: Number(port) });
  }

  /** Connect refused, connection lost before the answer, or the attempt timed out: a temporary error. */
  temporaryError(now: Micros, why: string, connectionGone: boolean): void {
    if (this.done) return;
    if (this.conn !== null && !connectionGone) this.host.emit({ kind: 'abort', conn: this.conn });
    this.conn = null;
    if (this.attempts < this.settings.max_attempts) return this.start(now);
    this.finish(now, { kind: 'internal-failure', why });
  }

  private finish(now: Micros, result: PassdbResult): void {
    this.done = true;
    this.host.setTimer('passdbTimeout', null);
    if (this.conn !== null) this.host.emit({ kind: 'close', conn: this.conn });
    this.conn = null;
    this.host.finished(now, result);
  }
}
