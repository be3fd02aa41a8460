/* reply-parser - cuts the server's byte stream into whole SMTP replies, however it is chunked
 *
 * Follows swaks (jetmore/swaks, swaks: recv_line and transact): a line ends at LF, every CR
 * is dropped, and a reply is complete at the first line that starts with three digits and a
 * space (`/^\d\d\d /m`). Lines that do not look like reply lines (garbage, "250-" lines) are
 * part of the reply being read. RFC 5321 §4.2 also allows a bare "250" as the last line;
 * swaks keeps waiting there, and so does this parser (the reply timeout ends it).
 *
 * Bytes are read as latin1 so every byte survives into the recorded text.
 */
import { bytesToLatin1 } from '../contract.ts';

export interface ServerReply {
  /** The code of the final line, e.g. 250. */
  readonly code: number;
  /** Every line, without CR/LF. */
  readonly lines: readonly string[];
  /** The lines joined with "\n": the full reply text the client records. */
  readonly text: string;
  /** The final line, e.g. "235 2.7.0 Logged in.". */
  readonly finalLine: string;
}

/** A reply longer than this is a protocol error: swaks would buffer forever, the lab stays bounded. */
export const MAX_REPLY_BYTES = 65_536;

/** /^\d{3} /: three digits and a space (char codes: this runs for every reply line). */
function isFinalLine(line: string): boolean {
  return line.length >= 4 && isDigit(line.charCodeAt(0)) && isDigit(line.charCodeAt(1)) && isDigit(line.charCodeAt(2)) && line.charCodeAt(3) === 0x20;
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

export class ReplyParser {
  private partialLine = '';
  private lines: string[] = [];
  /** Bytes of the complete lines of the reply being read. */
  private lineBytes = 0;
  private ready: ServerReply[] = [];
  private readyHead = 0;
  /** Set once a reply has grown past MAX_REPLY_BYTES; the parser then ignores further input. */
  overflow = false;

  push(bytes: Uint8Array): void {
    if (this.overflow) return;
    const text = bytesToLatin1(bytes);
    let start = 0;
    for (let lf = text.indexOf('\n'); lf !== -1; lf = text.indexOf('\n', start)) {
      this.completeLine(this.partialLine + text.slice(start, lf));
      this.partialLine = '';
      start = lf + 1;
    }
    this.partialLine += text.slice(start);
    if (this.lineBytes + this.partialLine.length > MAX_REPLY_BYTES) this.overflow = true;
  }

  /** The next whole reply, oldest first. */
  next(): ServerReply | undefined {
    if (this.readyHead >= this.ready.length) return undefined;
    const reply = this.ready[this.readyHead++];
    if (this.readyHead === this.ready.length) {
      this.ready = [];
      this.readyHead = 0;
    }
    return reply;
  }

  private completeLine(rawLine: string): void {
    // Usually the one CR is the last character (CR LF): cut it instead of a replace per line.
    const cr = rawLine.indexOf('\r');
    const line = cr < 0 ? rawLine : cr === rawLine.length - 1 ? rawLine.slice(0, cr) : rawLine.replaceAll('\r', '');
    this.lines.push(line);
    this.lineBytes += rawLine.length + 1;
    if (!isFinalLine(line)) return;
    // isFinalLine() checked the three digits: the code from their char codes, no slice to parse
    const code = (line.charCodeAt(0) - 0x30) * 100 + (line.charCodeAt(1) - 0x30) * 10 + (line.charCodeAt(2) - 0x30);
    this.ready.push({ code, lines: this.lines, text: this.lines.length === 1 ? line : this.lines.join('\n'), finalLine: line });
    this.lines = [];
    this.lineBytes = 0;
  }
}
