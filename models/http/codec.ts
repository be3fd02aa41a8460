/* http/codec - a small sans-I/O HTTP/1.1 codec: serialise requests and responses, parse them incrementally
 *
 * Just what the lab's auth hop needs: Dovecot's lib-http client (Mailu login.lua) and nginx's
 * auth_http module talk to Mailu's /internal/auth/email with a GET, header-only requests, and the
 * answer is a status line, headers and a Content-Length body. Header names compare case-insensitively
 * (RFC 9110 §5.1). Bad input is a parse error value, never an exception.
 */
import { asciiBytes, bytesToLatin1 } from '../contract.ts';

export interface HttpRequest {
  readonly method: string;
  readonly target: string;
  readonly headers: ReadonlyArray<readonly [string, string]>;
}

export interface HttpResponse {
  readonly status: number;
  readonly reason: string;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: string;
}

/** First value of a header, by case-insensitive name (RFC 9110 §5.1), or undefined. */
export function headerValue(headers: ReadonlyArray<readonly [string, string]>, name: string): string | undefined {
  // The exact spelling first: it is what both ends of the lab send. An indexed loop: a for-of
  // with destructuring costs an iterator step per header, and this runs for every header lookup.
  for (let i = 0; i < headers.length; i++) {
    const header = headers[i]!;
    if (header[0] === name || sameLowered(header[0], name)) return header[1];
  }
  return undefined;
}

/** A character outside ASCII: only such a character can lower-case to another length. */
const NON_ASCII = /[^\x00-\x7f]/;

/** ASCII 'A'-'Z' to 'a'-'z', every other code unit as it is. */
function asciiLower(code: number): number {
  return code >= 0x41 && code <= 0x5a ? code + 0x20 : code;
}

/**
 * key.toLowerCase() === name.toLowerCase(), without the lower-cased copies of the names a lookup
 * passes: ASCII is folded here, and a name with any other character is left to toLowerCase()
 * itself (outside ASCII only it knows which letters fold, and to what).
 */
function sameLowered(key: string, name: string): boolean {
  // ASCII folds to its own length: names of other lengths can only match through other characters
  if (key.length !== name.length) return (NON_ASCII.test(key) || NON_ASCII.test(name)) && key.toLowerCase() === name.toLowerCase();
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    const n = name.charCodeAt(i);
    if (c > 0x7f || n > 0x7f) return key.toLowerCase() === name.toLowerCase();
    if (c !== n && asciiLower(c) !== asciiLower(n)) return false;
  }
  return true;
}

export function serializeRequest(request: HttpRequest): Uint8Array {
  let text = `${request.method} ${request.target} HTTP/1.1\r\n`;
  for (const [key, value] of request.headers) text += `${key}: ${value}\r\n`;
  return asciiBytes(text + '\r\n');
}

export function serializeResponse(response: HttpResponse): Uint8Array {
  let text = `HTTP/1.1 ${response.status} ${response.reason}\r\n`;
  for (const [key, value] of response.headers) text += `${key}: ${value}\r\n`;
  text += `Content-Length: ${response.body.length}\r\n\r\n${response.body}`;
  return asciiBytes(text);
}

/** Largest header block accepted before the parser reports an error (bounded memory on hostile input). */
export const MAX_HEADER_BYTES = 16 * 1024;

export type ParseResult<T> =
  | { readonly kind: 'incomplete' }
  | { readonly kind: 'message'; readonly message: T }
  | { readonly kind: 'error'; readonly reason: string };

type HeadParse = { kind: 'incomplete' } | { kind: 'error'; reason: string } | { kind: 'head'; start: string; headers: [string, string][]; headEnd: number };

/** /[\s]/ over line[0, end) without slicing: JavaScript's \s (WhiteSpace and LineTerminator code points). */
function hasWhitespace(line: string, end: number): boolean {
  for (let i = 0; i < end; i++) {
    const c = line.charCodeAt(i);
    if ((c >= 0x09 && c <= 0x0d) || c === 0x20 || c === 0xa0) return true;
    if (c > 0xff && /\s/.test(line[i]!)) return true;
  }
  return false;
}

function parseHead(text: string): HeadParse {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return text.length > MAX_HEADER_BYTES ? { kind: 'error', reason: 'header block too large' } : { kind: 'incomplete' };
  // The head's lines one by one (no array of them): the first is the start line, each other a header.
  let lineEnd = text.indexOf('\r\n');
  const start = text.slice(0, lineEnd);
  const headers: [string, string][] = [];
  while (lineEnd < end) {
    const lineStart = lineEnd + 2;
    lineEnd = text.indexOf('\r\n', lineStart);
    const line = text.slice(lineStart, lineEnd);
    const colon = line.indexOf(':');
    if (colon <= 0 || hasWhitespace(line, colon)) return { kind: 'error', reason: `bad header line: ${line.slice(0, 80)}` };
    headers.push([line.slice(0, colon), line.slice(colon + 1).trim()]);
  }
  return { kind: 'head', start, headers, headEnd: end + 4 };
}

/** Incremental parser for one direction of a connection: feed bytes, take whole messages. */
export class HttpParser {
  private buffer = '';

  constructor(private readonly mode: 'request' | 'response') {}

  feed(bytes: Uint8Array): void {
    this.buffer += bytesToLatin1(bytes);
  }

  nextRequest(): ParseResult<HttpRequest> {
    if (this.mode !== 'request') return { kind: 'error', reason: 'parser reads responses' };
    const head = parseHead(this.buffer);
    if (head.kind !== 'head') return head;
    const match = /^([A-Z]+) (\S+) HTTP\/1\.[01]$/.exec(head.start);
    if (!match) return { kind: 'error', reason: `bad request line: ${head.start.slice(0, 80)}` };
    // The auth endpoints take no body; a Content-Length body is skipped so keep-alive stays in step.
    const length = Number(headerValue(head.headers, 'Content-Length') ?? '0');
    if (!Number.isInteger(length) || length < 0) return { kind: 'error', reason: 'bad Content-Length' };
    if (this.buffer.length < head.headEnd + length) return { kind: 'incomplete' };
    this.buffer = this.buffer.slice(head.headEnd + length);
    return { kind: 'message', message: { method: match[1]!, target: match[2]!, headers: head.headers } };
  }

  nextResponse(): ParseResult<HttpResponse> {
    if (this.mode !== 'response') return { kind: 'error', reason: 'parser reads requests' };
    const head = parseHead(this.buffer);
    if (head.kind !== 'head') return head;
    const match = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(head.start);
    if (!match) return { kind: 'error', reason: `bad status line: ${head.start.slice(0, 80)}` };
    const lengthText = headerValue(head.headers, 'Content-Length');
    if (lengthText === undefined) return { kind: 'error', reason: 'response without Content-Length' };
    const length = Number(lengthText);
    if (!Number.isInteger(length) || length < 0) return { kind: 'error', reason: 'bad Content-Length' };
    if (this.buffer.length < head.headEnd + length) return { kind: 'incomplete' };
    const body = this.buffer.slice(head.headEnd, head.headEnd + length);
    this.buffer = this.buffer.slice(head.headEnd + length);
    return { kind: 'message', message: { status: Number(match[1]), reason: match[2] ?? '', headers: head.headers, body } };
  }
}
