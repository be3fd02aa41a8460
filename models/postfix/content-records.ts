/* content-records - message content as smtpd stores it: one record per line, counted, until an error
 *
 * receive_data_message() (DATA) and bdat_cmd() (BDAT) in postfix/src/smtpd/smtpd.c (v3.7.11; the
 * same through 3.10) turn each line smtp_get() returns into a queue-file record: REC_TYPE_NORM when it
 * ended in a line end (delivered with CR LF), REC_TYPE_CONT when smtp_get() stopped at
 * line_length_limit (the line goes on in the next record). While state->err is clear every record,
 * CONT too, counts len + 2 in act_size. A record that would pass message_size_limit sets
 * CLEANUP_STAT_SIZE and logs "queue file size limit exceeded"; a record that ended in a bare LF under
 * smtpd_forbid_bare_newline = reject sets CLEANUP_STAT_BARE_LF. After either, records are still read
 * but neither stored nor counted, and common_post_message_handling() answers the error instead of
 * queueing the message (the bare LF first).
 */
import type { Line } from './line-reader.js';
import { LineReader } from './line-reader.js';
import { MessageContent } from './message-content.js';
import type { SmtpdSession } from './session.js';

export class ContentRecords {
  readonly content: MessageContent;
  /** CLEANUP_STAT_SIZE. */
  tooBig = false;
  /** CLEANUP_STAT_BARE_LF. */
  bareLf = false;
  /** BDAT: chunk bytes that are no whole record yet (state->bdat_get_buffer, read with smtp_get_noexcept()). */
  private readonly chunkLines = new LineReader();

  constructor(private readonly s: SmtpdSession) {
    this.content = new MessageContent(s.shared.queue.retention.keepContentBytes);
  }

  /** CLEANUP_STAT_OK: nothing went wrong so far. */
  get ok(): boolean {
    return !this.tooBig && !this.bareLf;
  }

  /** One line as smtp_get() returned it; `text` is what is stored (DATA takes a leading dot off first). */
  store(line: Line, text = line.text): void {
    const s = this.s;
    if (line.bareLf && s.config.smtpd_forbid_bare_newline === 'reject') this.bareLf = true;
    else s.noteBareLf(line);
    if (!this.ok) return;
    const limit = s.config.message_size_limit;
    if (limit > 0 && limit - s.actSize < text.length + 2) {
      this.tooBig = true;
      s.log(`warning: ${s.transaction?.queueId ?? 'NOQUEUE'}: queue file size limit exceeded`);
      return;
    }
    s.actSize += text.length + 2;
    this.content.add(line.complete ? `${text}\r\n` : text);
  }

  /**
   * bdat_cmd(): one fragment of a chunk, record by record. Records run on across fragments and chunks;
   * at the end of the LAST chunk what is left is a record of its own, line end or not ("handle missing
   * end-of-line"), kept as read: no CR is taken off it.
   */
  storeFragment(bytes: string, endsMessage: boolean): void {
    this.chunkLines.fill(bytes);
    const options = { limit: this.s.config.line_length_limit, detectBareLf: this.s.detectBareLf(), skipExcess: false };
    for (let line = this.chunkLines.next(options); line; line = this.chunkLines.next(options)) this.store(line);
    if (!endsMessage) return;
    const rest = this.chunkLines.drain();
    if (rest !== '') this.store({ text: rest, complete: true, bareLf: false });
  }

  /** LEN(state->bdat_get_buffer): read, but no record yet (the "after BDAT (N bytes)" count adds it). */
  get pendingBytes(): number {
    return this.chunkLines.held;
  }
}
