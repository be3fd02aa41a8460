/* front/xclient - the XCLIENT command(s) Dovecot's submission proxy writes, write by write
 *
 * dovecot/core src/submission-login/submission-proxy.c, proxy_send_xclient() and
 * proxy_send_xclient_more_data() (2.3.17 .. HEAD):
 *  - attributes in this order, each only if the backend's EHLO advertised it (case-insensitive):
 *    HELO, PROTO, LOGIN (only with proxy_noauth), TTL, PORT, ADDR, DESTPORT and DESTADDR (2.4.3 on),
 *    SESSION, FORWARD;
 *  - values xtext-encoded (lib-smtp smtp_xtext_encode: bytes outside 33..126, '+' and '=' become +XX);
 *  - after appending an attribute, if the line passed 512 bytes, everything before that attribute
 *    is sent as its own command (or the whole line, if that attribute was the first), and the
 *    buffer restarts as "XCLIENT" + the attribute. That part goes out as two o_stream_nsend()
 *    calls, the text and then "\r\n"; the server ostream is not corked, so each is one write().
 *  - the last command is one write of text + "\r\n". Each command expects one reply.
 */

export interface XclientValues {
  readonly helo: string | null;
  readonly proto: 'SMTP' | 'ESMTP' | 'LMTP' | null;
  /** Only with proxy_noauth: the user to log in as. */
  readonly login: string | null;
  readonly ttl: number;
  readonly port: number;
  readonly addr: string;
  /** DESTPORT and DESTADDR: the address the client connected to; null for releases that do not send them (releases.ts xclient_destination). */
  readonly destination: { readonly port: number; readonly addr: string } | null;
  readonly session: string;
}

/** One XCLIENT command: the write() calls that carry it. */
export type XclientCommand = readonly string[];

const COMMAND = 'XCLIENT';
const LINE_LIMIT = 512;

export function xtextEncode(value: string): string {
  // Fast path: a value of xchars only (every value a lab run sends) encodes to itself.
  if (isAllXchars(value)) return value;
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i) & 0xff;
    const isXchar = code >= 33 && code <= 126 && code !== 0x2b && code !== 0x3d;
    out += isXchar ? String.fromCharCode(code) : `+${code.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function isAllXchars(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 33 || code > 126 || code === 0x2b || code === 0x3d) return false;
  }
  return true;
}

export function buildXclientCommands(advertised: readonly string[], values: XclientValues): XclientCommand[] {
  const offered = new Set(advertised.map((a) => a.toUpperCase()));
  const fields: [string, string][] = [];
  if (offered.has('HELO')) fields.push(['HELO', values.helo ?? '[UNAVAILABLE]']);
  if (offered.has('PROTO')) fields.push(['PROTO', values.proto ?? '[UNAVAILABLE]']);
  if (values.login !== null && offered.has('LOGIN')) fields.push(['LOGIN', values.login]);
  if (offered.has('TTL')) fields.push(['TTL', String(values.ttl)]);
  if (offered.has('PORT')) fields.push(['PORT', String(values.port)]);
  if (offered.has('ADDR')) fields.push(['ADDR', values.addr]);
  if (values.destination !== null && offered.has('DESTPORT')) fields.push(['DESTPORT', String(values.destination.port)]);
  if (values.destination !== null && offered.has('DESTADDR')) fields.push(['DESTADDR', values.destination.addr]);
  if (offered.has('SESSION')) fields.push(['SESSION', values.session]);
  // FORWARD carries passdb forward_* fields; Mailu's passdb returns none, so Dovecot skips it.

  const commands: XclientCommand[] = [];
  let buffer = COMMAND;
  for (const [field, value] of fields) {
    let previousLength = buffer.length;
    buffer += ` ${field}=${xtextEncode(value)}`;
    if (buffer.length > LINE_LIMIT) {
      if (previousLength <= COMMAND.length) previousLength = buffer.length;
      commands.push([buffer.slice(0, previousLength), '\r\n']);
      buffer = COMMAND + buffer.slice(previousLength);
    }
  }
  commands.push([`${buffer}\r\n`]);
  return commands;
}
