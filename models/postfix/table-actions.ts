/* table-actions - the access table actions that act on the message or the connection: HOLD, DISCARD, FILTER, REDIRECT, BCC, PREPEND, HANGUP
 *
 * postfix/src/smtpd/smtpd_check.c check_table_result() (v3.7.11; the same text at v3.5.0, v3.9.0 and
 * v3.10.13, so no release gate). None of them answers the client: HOLD, FILTER, REDIRECT, BCC and
 * PREPEND decide nothing (DUNNO: the list goes on), DISCARD is a permit (smtpd_acl_permit(), logged
 * only under smtpd_log_access_permit_actions, empty by default) that also sets state->discard, so
 * every later list of the transaction stops at once (generic_checks()); HANGUP drops the connection.
 * What they save goes to cleanup with the message (saved-actions.ts, cmd-message.ts).
 *   - can_delegate_action() (HOLD, DISCARD, FILTER, REDIRECT, BCC): not in smtpd_etrn_restrictions
 *     ("access table %s: action %s is unavailable in smtpd_etrn_restrictions"), and not_in_client_helo():
 *     not while state->sender is unset ("access table %s: with smtpd_delay_reject=no, action %s is
 *     always skipped in Client host or Helo command restrictions", logged even when a VRFY is what left
 *     the sender unset). The third refusal, smtpd_proxy_filter, cannot arise: the lab has no proxy filter.
 *   - HOLD: once per transaction (a HOLD already in saved_flags is silent), logged "hold" with
 *     "<name>: <class> <text|triggers HOLD action>"; DISCARD likewise "discard".
 *   - FILTER needs transport:destination, REDIRECT and BCC need an '@'; without it a warning naming
 *     the table and the looked-up datum, and nothing saved; else "<name>: <class> triggers FILTER <text>"
 *     (REDIRECT, BCC). The last FILTER and REDIRECT win; every BCC is kept.
 *   - PREPEND: only not_in_client_helo(), not in smtpd_end_of_data_restrictions ("action PREPEND must be
 *     used before smtpd_end_of_data_restrictions"), and the text must be a header (is_header()); not logged.
 *   - HANGUP: shutdown(), log_whatsup(state, "hangup", text), then vstream_longjmp(SMTP_ERR_QUIET).
 * Each logged line is log_whatsup()'s ("<queue id|NOQUEUE>: <action>: <where> from <client>: <text>; from=...").
 */
import { DUNNO, Hangup, permit, stateSender, whatsupState, type Check } from './restrictions.js';
import { logWhatsup } from './whatsup.js';

/** The actions this module carries out, as check_table_result() spells them (compared without case). */
export const MESSAGE_ACTIONS = ['HOLD', 'DISCARD', 'FILTER', 'REDIRECT', 'BCC', 'PREPEND', 'HANGUP'] as const;

/** not_in_client_helo(): a transaction to act on (state->sender set). */
function notInClientHelo(c: Check, table: string, action: string): boolean {
  if (stateSender(c) !== null) return true;
  c.s.log(`warning: access table ${table}: with smtpd_delay_reject=no, action ${action} is always skipped in Client host or Helo command restrictions`);
  return false;
}

/** can_delegate_action(): cleanup must be getting a message (not ETRN), and a transaction must be open. */
function canDelegate(c: Check, table: string, action: string): boolean {
  if (c.s.where === 'ETRN') {
    c.s.log(`warning: access table ${table}: action ${action} is unavailable in smtpd_etrn_restrictions`);
    return false;
  }
  return notInClientHelo(c, table, action);
}

/** is_header() (global/is_header.c): a label of printable ASCII without blanks or ':', optional blanks, then ':'. */
export function isHeader(text: string): boolean {
  const match = /^([^\s:]+)[ \t]*:/.exec(text);
  return match !== null && /^[\x21-\x7e]+$/.test(match[1]!);
}

/** log_whatsup() with the state the check has pushed. */
const whatsup = (c: Check, action: string, text: string) => logWhatsup(c.s, action, text, whatsupState(c));

/** A table entry whose target is missing: the warning, and the action skipped. */
function badEntry(c: Check, table: string, datum: string, problem: string): number {
  c.s.log(`warning: access table ${table} entry "${datum}" ${problem}`);
  return DUNNO;
}

/**
 * One of MESSAGE_ACTIONS (`word` upper-cased, `text` what follows it, `datum` the name looked up), or
 * undefined when `word` is none of them.
 */
export function messageAction(c: Check, table: string, word: string, text: string, datum: string): number | undefined {
  const saved = c.s.saved;
  const triggers = `<${c.replyName}>: ${c.replyClass} triggers ${word} ${text}`;
  switch (word) {
    case 'HANGUP':
      whatsup(c, 'hangup', text);
      throw new Hangup();
    case 'FILTER':
      if (!canDelegate(c, table, word)) return DUNNO;
      if (text === '') return badEntry(c, table, datum, 'has FILTER entry without value');
      if (!text.includes(':')) return badEntry(c, table, datum, 'requires transport:destination');
      whatsup(c, 'filter', triggers);
      saved.filter = text;
      return DUNNO;
    case 'HOLD':
      if (!canDelegate(c, table, word) || saved.flags.hold) return DUNNO;
      whatsup(c, 'hold', `<${c.replyName}>: ${c.replyClass} ${text || 'triggers HOLD action'}`);
      saved.flags.hold = true;
      return DUNNO;
    case 'DISCARD':
      if (!canDelegate(c, table, word)) return DUNNO;
      whatsup(c, 'discard', `<${c.replyName}>: ${c.replyClass} ${text || 'triggers DISCARD action'}`);
      saved.flags.discard = true;
      saved.discard = true;
      return permit();
    case 'REDIRECT':
    case 'BCC':
      if (!canDelegate(c, table, word)) return DUNNO;
      if (!text.includes('@')) return badEntry(c, table, datum, 'requires user@domain target');
      whatsup(c, word.toLowerCase(), triggers);
      if (word === 'REDIRECT') saved.redirect = text;
      else saved.bcc.push(text);
      return DUNNO;
    case 'PREPEND':
      if (!notInClientHelo(c, table, word)) return DUNNO;
      if (c.s.where === 'END-OF-MESSAGE') {
        c.s.log(`warning: access table ${table}: action PREPEND must be used before smtpd_end_of_data_restrictions`);
        return DUNNO;
      }
      if (!isHeader(text)) return badEntry(c, table, datum, 'requires header: text');
      saved.prepend.push(text);
      return DUNNO;
    default:
      return undefined;
  }
}
