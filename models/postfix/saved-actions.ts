/* saved-actions - what smtpd keeps for cleanup about the message in hand: saved_flags, FILTER, REDIRECT, BCC, PREPEND, discard
 *
 * postfix/src/smtpd/smtpd.c (v3.7.11; the same at v3.5.0 and v3.10.13): SMTPD_STATE's saved_flags
 * (CLEANUP_FLAG_HOLD and CLEANUP_FLAG_DISCARD, set by check_milter_reply() and by an access table's
 * HOLD or DISCARD, smtpd_check.c check_table_result()), saved_filter, saved_redirect, saved_bcc and
 * prepend (the access table's FILTER, REDIRECT, BCC and PREPEND), and state->discard (only the
 * table's DISCARD: generic_checks() then stops at once and the implicit reject_unlisted_* checks
 * are skipped). data_cmd() writes saved_flags (REC_TYPE_FLGS) and the PREPEND headers above its
 * Received: header; the end of the message writes REC_TYPE_FILT, REC_TYPE_RDR, one REC_TYPE_RCPT
 * with NOTIFY=NEVER per BCC and saved_flags again; mail_reset() clears all of it. With DISCARD set,
 * MILTER_SKIP_FLAGS: no milter is asked until then (milter.ts).
 */

import type { QueueActions } from './queue.js';

/** saved_flags: the two bits the lab models (cleanup_user.h CLEANUP_FLAG_HOLD, CLEANUP_FLAG_DISCARD). */
export class SavedFlags {
  hold = false;
  discard = false;
}

export class SavedActions {
  readonly flags = new SavedFlags();
  /** state->discard: an access table's DISCARD (a milter's sets saved_flags only). */
  discard = false;
  /** saved_filter: the last FILTER's transport:destination. */
  filter: string | null = null;
  /** saved_redirect: the last REDIRECT's address. */
  redirect: string | null = null;
  /** saved_bcc: every BCC's address, in order. */
  readonly bcc: string[] = [];
  /** state->prepend: every PREPEND's header line, in order. */
  readonly prepend: string[] = [];

  /** What the queue file records beside the message, or null when there is nothing (queue.ts). */
  queueActions(): QueueActions | null {
    if (!this.flags.hold && this.filter === null && this.redirect === null && this.bcc.length === 0 && this.prepend.length === 0) return null;
    return { held: this.flags.hold, filter: this.filter, redirect: this.redirect, bcc: [...this.bcc], prepended: [...this.prepend] };
  }

  /** mail_reset(): none of it outlives the transaction. */
  reset(): void {
    this.flags.hold = false;
    this.flags.discard = false;
    this.discard = false;
    this.filter = null;
    this.redirect = null;
    this.bcc.length = 0;
    this.prepend.length = 0;
  }
}
