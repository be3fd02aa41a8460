/* auth/gunicorn-response - what gunicorn does with an answer header it cannot send
 *
 * Every Mailu release the lab models runs the admin service under gunicorn 22.0.0
 * (core/base/requirements-prod.txt at 2.0.43, 2024.06.0 and 2024.06.57). Read at its tag 22.0.0:
 * - gunicorn/http/wsgi.py Response.process_headers(), called by start_response(), accepts a header
 *   value only if HEADER_VALUE_RE `[ \t\x21-\x7e\x80-\xff]*` matches all of it, else it raises
 *   InvalidHeader('%r' % value). Nothing is written yet (headers_sent is false), so the exception
 *   leaves handle_request() and workers/gthread.py handle() passes it to handle_error().
 * - workers/base.py handle_error(): InvalidHeader is one of the "bad request" errors, so it logs
 *   the warning "Invalid request from ip={peer}: {error}" (str(InvalidHeader) is
 *   "Invalid HTTP Header: %r" of the already repr()'d value) and util.write_error() writes a 400
 *   page. write_error() encodes that page as Latin-1; when the value holds a character above U+00FF
 *   that repr() keeps (a printable one), the encode raises, handle_error() swallows it ("Failed to
 *   send error message.", a debug line) and nothing at all is written.
 * - handle() then returns keepalive=False and the connection is closed.
 * So Mailu's answer for an account whose address has a character above U+00FF (its Auth-User
 * header) never reaches the front: Dovecot's lib-http sees the connection close, nginx an empty
 * answer. Werkzeug refuses CR and LF in a value earlier, in the view (../auth/authenticate.ts).
 */
import { asciiBytes } from '../contract.ts';

/** gunicorn 22.0.0 http/wsgi.py HEADER_VALUE_RE, anchored as its fullmatch() is. */
const SENDABLE_HEADER_VALUE = /^[ \t\x21-\x7e\x80-\xff]*$/;

/** Whether gunicorn's process_headers() lets `value` through as a response header value. */
export function sendableHeaderValue(value: string): boolean {
  return SENDABLE_HEADER_VALUE.test(value);
}

/**
 * Python's str.isprintable() for one character: false for the Unicode categories "Other" (Cc, Cf,
 * Cs, Co, Cn) and "Separator" (Zs, Zl, Zp) except the space (Objects/unicodectype.c
 * _PyUnicode_IsPrintable). Node's Unicode tables stand in for Python's; they differ only for
 * characters assigned in the newest Unicode versions.
 */
function isPrintable(char: string): boolean {
  return char === ' ' || !/[\p{C}\p{Z}]/u.test(char);
}

/**
 * Python's repr() of a str (Objects/unicodeobject.c unicode_repr): the quote, the backslash, tab,
 * newline and return escaped by name, printable characters as they are, the others as \xhh,
 * \uhhhh or \Uhhhhhhhh by size (C0 controls and DEL are not printable, so they take \xhh).
 */
export function pythonRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (char === quote || char === '\\') out += `\\${char}`;
    else if (char === '\t') out += '\\t';
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (isPrintable(char)) out += char;
    else if (code <= 0xff) out += `\\x${hex(code, 2)}`;
    else if (code <= 0xffff) out += `\\u${hex(code, 4)}`;
    else out += `\\U${hex(code, 8)}`;
  }
  return out + quote;
}

function hex(code: number, digits: number): string {
  return code.toString(16).padStart(digits, '0');
}

/** html.escape() with quote=True. */
function htmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#x27;');
}

/** What gunicorn does about a header value process_headers() refused: its log line and the bytes it manages to write (none when the page is not Latin-1). */
export interface InvalidHeaderOutcome {
  readonly warning: string;
  readonly bytes: Uint8Array | null;
}

/** handle_error() for InvalidHeader('%r' % value), on a connection whose peer is `peerIp`. */
export function invalidHeaderOutcome(value: string, peerIp: string): InvalidHeaderOutcome {
  const error = `Invalid HTTP Header: ${pythonRepr(pythonRepr(value))}`;
  const warning = `Invalid request from ip=${peerIp}: ${error}`;
  // util.write_error(): the page and the response, as textwrap.dedent() leaves them
  const page = `<html>\n  <head>\n    <title>Bad Request</title>\n  </head>\n  <body>\n    <h1><p>Bad Request</p></h1>\n    ${htmlEscape(error)}\n  </body>\n</html>\n`;
  const response = `HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: text/html\r\nContent-Length: ${page.length}\r\n\r\n${page}`;
  // http.encode('latin1') raises for anything above U+00FF, and the except clause writes nothing
  return { warning, bytes: /[^\x00-\xff]/.test(response) ? null : asciiBytes(response) };
}
