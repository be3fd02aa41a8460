/* front/line-buffer - CRLF line framing over a byte stream, with a length bound
 *
 * Both Dovecot (i_stream_next_line: LF ends a line, a CR before it is dropped) and nginx read
 * SMTP lines this way. A line longer than `maxLineBytes` without LF is reported once as
 * 'too-long' and its bytes are dropped up to the next LF, so hostile input cannot grow memory.
 * The report carries the line's first `maxLineBytes` bytes: a parser that reads a line in order
 * (Dovecot's lib-smtp) may refuse it for what comes first, before its length matters.
 */
import { bytesToLatin1 } from '../contract.ts';

export type LineEvent = { readonly kind: 'line'; readonly line: string } | { readonly kind: 'too-long'; readonly head: string };

export class LineBuffer {
  private pending = '';
  private discarding = false;

  constructor(private readonly maxLineBytes: number) {}

  push(bytes: Uint8Array): void {
    this.pending += bytesToLatin1(bytes);
  }

  /** Next complete line (CR LF or bare LF stripped), a too-long marker, or undefined. */
  next(): LineEvent | undefined {
    for (let guard = 0; guard < 2; guard++) {
      const lf = this.pending.indexOf('\n');
      if (this.discarding) {
        if (lf < 0) { this.pending = ''; return undefined; }
        this.pending = this.pending.slice(lf + 1);
        this.discarding = false;
        continue;
      }
      if (lf < 0) {
        if (this.pending.length <= this.maxLineBytes) return undefined;
        const head = this.pending.slice(0, this.maxLineBytes);
        this.pending = '';
        this.discarding = true;
        return { kind: 'too-long', head };
      }
      if (lf > this.maxLineBytes) {
        const head = this.pending.slice(0, this.maxLineBytes);
        this.pending = this.pending.slice(lf + 1);
        return { kind: 'too-long', head };
      }
      const raw = this.pending.slice(0, lf);
      this.pending = this.pending.slice(lf + 1);
      return { kind: 'line', line: raw.endsWith('\r') ? raw.slice(0, -1) : raw };
    }
    return undefined;
  }

  /** Whatever is buffered and not yet taken as lines (handed to the relay after login). */
  takeRest(): string {
    const rest = this.discarding ? '' : this.pending;
    this.pending = '';
    this.discarding = false;
    return rest;
  }

  get size(): number {
    return this.pending.length;
  }
}
