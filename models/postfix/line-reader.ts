/* line-reader - smtpd's record reader: smtp_get() over the vstream read buffer
 *
 * postfix/src/global/smtp_stream.c smtp_get_noexcept() (v3.7.11): read up to `limit`
 * bytes or through LF; repair a CR LF split at the limit; strip CR LF, or a bare LF
 * (noting it when bare-newline detection is on, else also stripping every CR before
 * the LF); with SMTP_GET_FLAG_SKIP, discard the rest of an over-long line through LF.
 * The buffer here is exactly what smtpd has read from the socket and not yet parsed,
 * so `unread` is what vstream_peek_data() shows the pipelining check.
 */

export interface Line {
  /** The record without its terminator (latin1). */
  readonly text: string;
  /** Ended in LF (true) or stopped at the length limit (false). */
  readonly complete: boolean;
  /** Ended in a bare LF while detection was on (smtp_got_bare_lf). */
  readonly bareLf: boolean;
}

export interface ReadOptions {
  readonly limit: number;
  readonly detectBareLf: boolean;
  /** SMTP_GET_FLAG_SKIP: drop the excess of an over-long line (commands), else return it piecewise (DATA). */
  readonly skipExcess: boolean;
}

export class LineReader {
  private buffer = '';
  private partial = '';
  /** Stopped at the limit on a CR: the next byte decides whether it was CR LF. */
  private awaitingLfAfterCr = false;
  private skipping = false;
  private truncated: Line | null = null;

  /** Bytes read from the socket into smtpd's buffer. */
  fill(latin1: string): void {
    this.buffer += latin1;
  }

  /** Read but not yet parsed: vstream_peek_data(). */
  get unread(): string {
    return this.buffer;
  }

  /** Nothing buffered, not even part of a record. */
  get empty(): boolean {
    return this.buffer.length === 0;
  }

  /** vstream_fpurge(): drop everything read but not parsed (STARTTLS: no plaintext may carry over). */
  purge(): void {
    this.buffer = '';
    this.partial = '';
    this.awaitingLfAfterCr = false;
    this.skipping = false;
    this.truncated = null;
  }

  /** Bytes held that are no record yet: the record begun and whatever follows it. */
  get held(): number {
    return this.partial.length + this.buffer.length;
  }

  /** Hand out everything held, as read, and start afresh (the end of BDAT's last chunk ends its last record). */
  drain(): string {
    const rest = this.partial + this.buffer;
    this.purge();
    return rest;
  }

  /** Take bytes straight out of the buffer (BDAT chunks). */
  take(count: number): string {
    const out = this.buffer.slice(0, count);
    this.buffer = this.buffer.slice(out.length);
    return out;
  }

  /** The next record, or undefined when more input is needed. */
  next(options: ReadOptions): Line | undefined {
    if (this.skipping) return this.skip();
    if (this.awaitingLfAfterCr) {
      if (this.buffer.length === 0) return undefined;
      this.awaitingLfAfterCr = false;
      if (this.buffer[0] === '\n') {
        this.buffer = this.buffer.slice(1);
        return this.finish(this.partial + '\n', options);
      }
      return this.overLong(options);
    }
    const room = options.limit - this.partial.length;
    const newline = this.buffer.indexOf('\n');
    if (newline >= 0 && newline < room) {
      const record = this.partial + this.buffer.slice(0, newline + 1);
      this.buffer = this.buffer.slice(newline + 1);
      return this.finish(record, options);
    }
    if (this.buffer.length < room) {
      this.partial += this.buffer;
      this.buffer = '';
      return undefined;
    }
    this.partial += this.buffer.slice(0, room);
    this.buffer = this.buffer.slice(room);
    if (this.partial.endsWith('\r')) {
      this.awaitingLfAfterCr = true;
      return this.next(options);
    }
    return this.overLong(options);
  }

  private overLong(options: ReadOptions): Line | undefined {
    const line: Line = { text: this.partial, complete: false, bareLf: false };
    this.partial = '';
    if (!options.skipExcess) return line;
    this.truncated = line;
    this.skipping = true;
    return this.skip();
  }

  private skip(): Line | undefined {
    const newline = this.buffer.indexOf('\n');
    if (newline < 0) {
      this.buffer = '';
      return undefined;
    }
    this.buffer = this.buffer.slice(newline + 1);
    this.skipping = false;
    const line = this.truncated as Line;
    this.truncated = null;
    return line;
  }

  private finish(record: string, options: ReadOptions): Line {
    this.partial = '';
    // `record` ends with LF; one slice takes off CR LF or LF (no regex unless a CR is there to strip).
    const endsWithCrLf = record.charCodeAt(record.length - 2) === 0x0d;
    let text: string;
    let bareLf = false;
    if (options.detectBareLf) {
      text = record.slice(0, endsWithCrLf ? -2 : -1);
      bareLf = !endsWithCrLf;
    } else {
      text = endsWithCrLf ? record.slice(0, -1).replace(/\r+$/, '') : record.slice(0, -1);
    }
    return { text, complete: true, bareLf };
  }
}
