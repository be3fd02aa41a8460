/* queue - one Postfix instance's queue: accepted messages and deterministic queue IDs
 *
 * Real short queue IDs (global/mail_queue.c MQID_SH_*) are the microseconds of the
 * queue file's creation time as 5 hex digits followed by its inode number in hex
 * (e.g. 132DB20C00B). The lab keeps that shape but takes the "inode" from a counter,
 * so the same run gives the same IDs: no randomness, no clock.
 */

export interface QueuedMessage {
  readonly queueId: string;
  readonly from: string;
  readonly to: readonly string[];
  readonly size: number;
  readonly saslUser: string | null;
  readonly clientAddr: string;
  readonly content: string;
}

export class PostfixQueue {
  private nextInode = 0x20c000;
  readonly messages: QueuedMessage[] = [];

  /** A new queue ID at virtual time `now` (µs). */
  allocateId(now: number): string {
    const micros = (Math.floor(now) % 1_000_000).toString(16).toUpperCase().padStart(5, '0');
    const inode = (this.nextInode++).toString(16).toUpperCase();
    return micros + inode;
  }

  enqueue(message: QueuedMessage): void {
    this.messages.push(message);
  }
}
