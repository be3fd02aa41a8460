/* message-content - one message's content as smtpd reads it: size, SHA-256 and, within a budget, the text
 *
 * The real smtpd streams content to the cleanup daemon and keeps nothing; the lab's queue keeps
 * what properties and reports need (envelope, size, digest, identity) and the text itself only
 * while it fits the queue's budget (PostfixQueue.keepContentBytes), so a live lab that takes
 * gigabytes of mail does not hold them.
 *
 * The text is kept as its pieces and joined once at the end: appending piece by piece would leave
 * a tree of one V8 string per line and one per join (about twice the text in memory), so the
 * queue's byte budget would not be what it holds.
 */
import { ContentDigest } from './content-digest.js';

export class MessageContent {
  private readonly digest = new ContentDigest();
  /** The pieces so far, or null once they outgrew the budget. */
  private kept: string[] | null = [];
  size = 0;

  constructor(private readonly keepBytes: number) {}

  add(piece: string): void {
    this.digest.update(piece);
    this.size += piece.length;
    if (this.kept === null) return;
    if (this.size <= this.keepBytes) this.kept.push(piece);
    else this.kept = null;
  }

  /** The digest (hex) and the text, or null when it outgrew the budget; the object is spent afterwards. */
  finish(): { readonly sha256: string; readonly content: string | null } {
    return { sha256: this.digest.hex(), content: this.kept?.join('') ?? null };
  }
}
