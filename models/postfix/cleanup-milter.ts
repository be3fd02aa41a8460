/* cleanup-milter - the milter's end-of-message reply, as cleanup applies it and smtpd answers it
 *
 * Postfix v3.9.0 (the same at v3.5.0 and v3.10.13):
 *   smtpd.c data_cmd(): the milters go to cleanup with the message (milter_send()), unless a
 *     milter's DISCARD is already set (MILTER_SKIP_FLAGS); saved_flags go as REC_TYPE_FLGS.
 *   cleanup_milter.c cleanup_milter_apply(): cleanup asks them at the end of the message and logs
 *     the outcome itself, as postfix/cleanup: "<queue id>: <action>: END-OF-MESSAGE from
 *     <name>[<addr>]: <text>; from=<sender> to=<recipient> proto=<proto> helo=<helo>", where the
 *     recipient is the last one cleanup_addr_recipient() saw, <text> is a reply without its
 *     three-digit code (resp + 4), or "milter triggers DISCARD action" / "... HOLD action" (from
 *     v3.10.0 the HOLD's reason when it has one); a HOLD that saved_flags already carry is not
 *     logged again.
 *   smtpd.c common_post_message_handling(): a 4xx or 5xx comes back as the reply to send
 *     (IS_SMTP_REJECT(why)) and nothing is queued; DISCARD and HOLD answer 250 as usual.
 *   cleanup_api.c cleanup_flush(): a discarded message's queue file is removed; a held one goes
 *     to the hold queue (the lab's queue keeps it as any other).
 */
import type { SmtpdSession, Transaction } from './session.js';

export interface EndOfMessage {
  /** The reply that refuses the message, or null: smtpd answers 250 as usual. */
  readonly reply: string | null;
  /** The message is accepted and removed, not queued. */
  readonly discarded: boolean;
}

/** The milter's verdict on a message that reached its end intact, logged as cleanup logs it. */
export function endOfMessageMilter(s: SmtpdSession, transaction: Transaction): EndOfMessage {
  const milter = s.milter;
  // saved_flags' DISCARD, a milter's or an access table's (saved-actions.ts): no milter is asked (MILTER_SKIP_FLAGS).
  if (milter === null || milter.discard) return { reply: null, discarded: s.saved.flags.discard };
  const verdict = milter.endOfMessage();
  const hold = verdict?.startsWith('H') ?? false;
  if (verdict === null || (hold && milter.hold)) return { reply: null, discarded: false };
  const action = hold ? 'milter-hold' : verdict === 'D' ? 'milter-discard' : 'milter-reject';
  // A HOLD's text is its reason when it has one (from 3.10.0; the lab's milter gives none).
  const text = hold ? verdict.slice(1) || 'milter triggers HOLD action' : verdict === 'D' ? 'milter triggers DISCARD action' : verdict.slice(4);
  const recipient = transaction.recipients.at(-1);
  const evidence = [
    ` from=<${transaction.sender}>`,
    recipient === undefined ? '' : ` to=<${recipient}>`,
    ` proto=${s.protocol}`,
    s.helo === null ? '' : ` helo=<${s.helo}>`,
  ].join('');
  const line = `${transaction.queueId ?? ''}: ${action}: END-OF-MESSAGE from ${s.client.name}[${s.client.addr}]: ${text};${evidence}`;
  s.cleanupLog(line);
  const refuses = verdict.startsWith('4') || verdict.startsWith('5');
  return { reply: refuses ? verdict : null, discarded: verdict === 'D' };
}
