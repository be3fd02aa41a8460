/* queue - one Postfix instance's queue: accepted messages and deterministic queue IDs
 *
 * Real short queue IDs (global/mail_queue.c MQID_SH_*) are the microseconds of the
 * queue file's creation time as 5 hex digits followed by its inode number in hex
 * (e.g. 132DB20C00B). The lab keeps that shape but takes the "inode" from a counter,
 * so the same run gives the same IDs: no randomness, no clock.
 *
 * What is kept is bounded for a live lab (QueueRetention): the newest messages' records, and
 * their content only while it fits a byte budget; the simulator keeps everything.
 */

export interface QueueRetention {
  /** Message records kept, newest last; older ones are dropped. */
  readonly keepMessages: number;
  /** Content bytes kept over all records; older messages lose their content first (size and digest stay). */
  readonly keepContentBytes: number;
}

/** Everything: a simulated run is short and its properties read every message. */
export const KEEP_EVERYTHING: QueueRetention = { keepMessages: Infinity, keepContentBytes: Infinity };

export interface QueuedMessage {
  readonly queueId: string;
  readonly from: string;
  readonly to: readonly string[];
  readonly size: number;
  readonly saslUser: string | null;
  readonly clientAddr: string;
  /** SHA-256 of the content (hex), as node:crypto gives it for the latin1 bytes. */
  readonly sha256: string;
  /** The content, or null once it fell out of the retention budget. */
  content: string | null;
  /** What smtpd handed cleanup with the message besides it (queueActions()); null: nothing. */
  readonly actions: QueueActions | null;
}

/**
 * What smtpd writes into the queue file beside the message (smtpd.c v3.7.11 data_cmd() and the end of
 * the message; saved-actions.ts): saved_flags' HOLD (cleanup_api.c cleanup_flush(): the file goes to
 * the hold queue, which the queue manager does not scan), REC_TYPE_FILT (content_filter), REC_TYPE_RDR
 * (redirect_to), a REC_TYPE_RCPT with NOTIFY=NEVER per BCC, and the PREPEND headers, written above
 * smtpd's own Received: header (the lab keeps them here, so the content stays the client's bytes and
 * its digest comparable).
 */
export interface QueueActions {
  readonly held: boolean;
  readonly filter: string | null;
  readonly redirect: string | null;
  readonly bcc: readonly string[];
  readonly prepended: readonly string[];
}

/**
 * A message accepted with 250 and thrown away by cleanup on an access table's DISCARD (cleanup_flush():
 * saved_flags' DISCARD clears its errors and removes the queue file). A milter's DISCARD is not kept
 * here: the lab's generators draw none after HELO, so one is the model's own doing and stays a loss.
 */
export interface DiscardedMessage {
  readonly queueId: string;
  readonly from: string;
  readonly to: readonly string[];
}

export class PostfixQueue {
  private nextInode = 0x20c000;
  readonly messages: QueuedMessage[] = [];
  /** Discarded messages, newest last, as many as retention keeps of the queued ones. */
  readonly discarded: DiscardedMessage[] = [];
  private contentBytes = 0;
  /** Index of the oldest message that may still hold content. */
  private oldestWithContent = 0;

  constructor(readonly retention: QueueRetention = KEEP_EVERYTHING) {}

  /** A new queue ID at virtual time `now` (µs). */
  allocateId(now: number): string {
    const micros = (Math.floor(now) % 1_000_000).toString(16).toUpperCase().padStart(5, '0');
    const inode = (this.nextInode++).toString(16).toUpperCase();
    return micros + inode;
  }

  enqueue(message: QueuedMessage): void {
    this.messages.push(message);
    this.contentBytes += message.content?.length ?? 0;
    while (this.contentBytes > this.retention.keepContentBytes && this.oldestWithContent < this.messages.length) {
      const oldest = this.messages[this.oldestWithContent++]!;
      this.contentBytes -= oldest.content?.length ?? 0;
      oldest.content = null;
    }
    if (this.messages.length > this.retention.keepMessages) {
      const dropped = this.messages.splice(0, this.messages.length - this.retention.keepMessages);
      for (const gone of dropped) this.contentBytes -= gone.content?.length ?? 0;
      this.oldestWithContent = Math.max(0, this.oldestWithContent - dropped.length);
    }
  }

  discard(message: DiscardedMessage): void {
    this.discarded.push(message);
    if (this.discarded.length > this.retention.keepMessages) this.discarded.shift();
  }
}
