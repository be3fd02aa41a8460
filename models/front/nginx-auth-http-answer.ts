/* front/nginx-auth-http-answer - the auth_http server's answer as nginx's mail module reads it
 *
 * src/mail/ngx_mail_auth_http_module.c (the functions below are the same at release-1.22.0 and
 * release-1.29.8):
 *  - ngx_mail_auth_http_read_handler(): one 1024-byte buffer, never grown. Once it is full,
 *    recv() is asked for 0 bytes and its 0 is taken as the end: 451 and no line of its own;
 *  - ngx_mail_auth_http_ignore_status_line(): a first line that starts "HTTP/" is skipped whatever
 *    follows; a CR in it not followed by LF is "sent invalid response". A first line that does not
 *    start "HTTP/" is no status line: the headers are read from the first byte;
 *  - ngx_mail_auth_http_parse_header_line(): a name starts with a letter or digit and goes on with
 *    letters, digits and '-' up to ':' (a name alone up to the line's end is a header with an empty
 *    value); spaces before the value and after it are dropped; a CR must be followed by LF; anything
 *    else is "sent invalid header in response". An empty line ends the answer: no body is read;
 *  - ngx_mail_auth_http_process_headers(): names compared without case, each header applied as it is
 *    read (Auth-User and Auth-Pass at once, so a later bad header leaves them changed), the last of a
 *    name wins; Auth-Status "OK" and "WAIT" (case-sensitive) do not clear an earlier refusal.
 * What process_headers() then does (authHttpResult()): a refusal, a WAIT, the upstream, or a failure it logs at
 * error naming the auth server (ctx->peer.name) before ngx_mail_session_internal_server_error()'s 451.
 * Checked on Debian's nginx 1.22.1: "HTTP/1.0 200 OK\rX" is "sent invalid response", "Auth_Status: OK"
 * and "Auth-Status: OK\rX" are "sent invalid header in response", headers without a status line log in.
 */
import { ngxParseAddr } from './nginx-parse-addr.ts';

/** ngx_mail_auth_http_read_handler(): ngx_create_temp_buf(ctx->pool, 1024). */
export const AUTH_HTTP_BUFFER_SIZE = 1024;

export type AuthHttpHeader = readonly [name: string, value: string];

export type NginxAuthHttpAnswer =
  | { readonly kind: 'incomplete' }
  /** The buffer filled before the answer ended: the next read gets 0 bytes. */
  | { readonly kind: 'full' }
  | { readonly kind: 'invalid-response' }
  /** The headers read before the bad line count: process_headers() applied them. */
  | { readonly kind: 'invalid-header'; readonly headers: readonly AuthHttpHeader[] }
  | { readonly kind: 'answer'; readonly headers: readonly AuthHttpHeader[] };

/** Where the headers start: after an "HTTP/" line, else at the first byte; null for "sent invalid response", undefined while incomplete. */
function headersStart(text: string): number | null | undefined {
  for (let i = 0; i < 'HTTP/'.length; i++) {
    if (i === text.length) return undefined;
    if (text[i] !== 'HTTP/'[i]) return 0;
  }
  for (let i = 'HTTP/'.length; i < text.length; i++) {
    if (text[i] === '\n') return i + 1;
    if (text[i] !== '\r') continue;
    if (i + 1 === text.length) return undefined;
    return text[i + 1] === '\n' ? i + 2 : null;
  }
  return undefined;
}

const NAME_FIRST = /[A-Za-z0-9]/;
const NAME_REST = /[A-Za-z0-9-]/;

/** One header line from `at`: the header and where the next starts, 'end' for the empty line, 'invalid', or undefined while incomplete. */
function headerLine(text: string, at: number): { header: AuthHttpHeader; next: number } | 'end' | 'invalid' | undefined {
  const lineEnd = text.indexOf('\n', at);
  const line = lineEnd < 0 ? text.slice(at) : text.slice(at, lineEnd);
  // sw_start: an empty line (CR LF or LF) ends the header
  if (line === '' || line === '\r') return lineEnd < 0 ? undefined : 'end';
  if (!NAME_FIRST.test(line[0]!)) return 'invalid';
  let i = 1;
  while (i < line.length && NAME_REST.test(line[i]!)) i++;
  const name = line.slice(0, i);
  if (i < line.length && line[i] !== ':' && line[i] !== '\r') return 'invalid';
  // A CR must be the line's last byte (sw_almost_done wants LF), in the name or the value.
  const cr = line.indexOf('\r', i);
  if (cr >= 0 && cr !== line.length - 1) return 'invalid';
  if (lineEnd < 0) return undefined;
  if (line[i] !== ':') return { header: [name, ''], next: lineEnd + 1 };
  const body = cr >= 0 ? line.slice(i + 1, cr) : line.slice(i + 1);
  return { header: [name, body.replace(/^ +| +$/g, '')], next: lineEnd + 1 };
}

/** The answer in `text` (what the auth server has sent so far) as nginx reads it. */
export function parseNginxAuthHttpAnswer(text: string): NginxAuthHttpAnswer {
  const read = text.slice(0, AUTH_HTTP_BUFFER_SIZE);
  const incomplete = text.length > AUTH_HTTP_BUFFER_SIZE ? ({ kind: 'full' } as const) : ({ kind: 'incomplete' } as const);
  let at = headersStart(read);
  if (at === undefined) return incomplete;
  if (at === null) return { kind: 'invalid-response' };
  const headers: AuthHttpHeader[] = [];
  for (;;) {
    const step = headerLine(read, at);
    if (step === undefined) return incomplete;
    if (step === 'invalid') return { kind: 'invalid-header', headers };
    if (step === 'end') return { kind: 'answer', headers };
    headers.push(step.header);
    at = step.next;
  }
}

/** ngx_atoi(): digits only, at least one; anything else (a sign, a space, a dot) is NGX_ERROR, here null. */
export function ngxAtoi(text: string): number | null {
  return /^[0-9]+$/.test(text) && Number.isSafeInteger(Number(text)) ? Number(text) : null;
}

/** What ngx_mail_auth_http_process_headers() keeps of the headers it read. */
export interface AuthHttpFields {
  /** ctx->errmsg: the last Auth-Status other than "OK" and "WAIT", or null. */
  readonly refusal: string | null;
  /** s->auth_wait: an Auth-Status "WAIT". */
  readonly wait: boolean;
  /** ctx->sleep: the last Auth-Wait ngx_atoi() takes, else 0. */
  readonly sleep: number;
  readonly errcode: string | undefined;
  /** ctx->addr and ctx->port, empty when not sent (an empty value is the same: "did not send server or port"). */
  readonly server: string;
  readonly port: string;
  /** Auth-User and Auth-Pass replace s->login and s->passwd. */
  readonly user: string | undefined;
  readonly pass: string | undefined;
}

/** The headers applied one by one, the last of a name winning (names compared without case). */
export function authHttpFields(headers: readonly AuthHttpHeader[]): AuthHttpFields {
  let refusal: string | null = null;
  let wait = false;
  let sleep = 0;
  const last = new Map<string, string>();
  for (const [name, value] of headers) {
    const key = name.toLowerCase();
    last.set(key, value);
    if (key === 'auth-status' && value === 'WAIT') wait = true;
    else if (key === 'auth-status' && value !== 'OK') refusal = value;
    else if (key === 'auth-wait') sleep = ngxAtoi(value) ?? sleep;
  }
  return {
    refusal,
    wait,
    sleep,
    errcode: last.get('auth-error-code'),
    server: last.get('auth-server') ?? '',
    port: last.get('auth-port') ?? '',
    user: last.get('auth-user'),
    pass: last.get('auth-pass'),
  };
}

/** ngx_mail_smtp_errcode: a refusal's code when the answer has no Auth-Error-Code. */
const DEFAULT_ERRCODE = '535 5.7.0';

export type AuthHttpOutcome =
  /** 451 and the close, after "auth http server <address> <failure>" at error, or with no line (null). */
  | { readonly kind: 'failed'; readonly failure: string | null }
  /** "client login failed", then the reply, at once (sleep 0: the session quits) or after `sleep` seconds. */
  | { readonly kind: 'refused'; readonly status: string; readonly reply: string; readonly sleep: number }
  /** s->auth_wait: the same request again after `sleep` seconds. */
  | { readonly kind: 'wait'; readonly sleep: number }
  /** `server` and `portText` as the auth server sent them (the upstream's name); `address` where the connection goes. */
  | { readonly kind: 'proxy'; readonly server: string; readonly address: string; readonly port: number; readonly portText: string };

/** A read answer as ngx_mail_auth_http_process_headers() acts on it; `user` and `pass` replace s->login and s->passwd when set. */
export function authHttpResult(answer: Exclude<NginxAuthHttpAnswer, { kind: 'incomplete' }>): { readonly user?: string; readonly pass?: string; readonly outcome: AuthHttpOutcome } {
  // the full buffer's next recv() asks for 0 bytes and its 0 is the end: no line
  if (answer.kind === 'full') return { outcome: { kind: 'failed', failure: null } };
  if (answer.kind === 'invalid-response') return { outcome: { kind: 'failed', failure: 'sent invalid response' } };
  const fields = authHttpFields(answer.headers);
  const failed = (failure: string) => ({ user: fields.user, pass: fields.pass, outcome: { kind: 'failed', failure } as const });
  if (answer.kind === 'invalid-header') return failed('sent invalid header in response');
  const { user, pass } = fields;
  if (fields.refusal !== null) {
    return { user, pass, outcome: { kind: 'refused', status: fields.refusal, reply: `${fields.errcode ?? DEFAULT_ERRCODE} ${fields.refusal}\r\n`, sleep: fields.sleep } };
  }
  if (fields.wait) return { user, pass, outcome: { kind: 'wait', sleep: fields.sleep } };
  const { server, port: portText } = fields;
  if (server === '' || portText === '') return failed('did not send server or port');
  // ngx_parse_addr(): an IPv4 or IPv6 address, never a name
  const address = ngxParseAddr(server);
  if (address === null) return failed(`sent invalid server address:"${server}"`);
  const port = ngxAtoi(portText);
  if (port === null || port < 1 || port > 65535) return failed(`sent invalid server port:"${portText}"`);
  return { user, pass, outcome: { kind: 'proxy', server, address, port, portText } };
}
