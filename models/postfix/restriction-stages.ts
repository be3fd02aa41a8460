/* restriction-stages - when each restriction list runs: smtpd_check_client() .. smtpd_check_eod() and smtpd_delay_reject
 *
 * postfix/src/smtpd/smtpd_check.c (v3.7.11): each stage resets warn_if_reject and defer_if_reject
 * (SMTPD_CHECK_RESET()), restores defer_if_permit to what the stages before it left, pushes what it
 * checks into the state (SMTPD_CHECK_PUSH(): the HELO name, the sender, the recipient) and runs its list
 * with its reply name and class ("Client host" <name[addr]>, "Helo command" <helo>, "Sender address"
 * <sender>, "Recipient address" <recipient>, "Etrn command" <domain>, "Data command" <DATA>, "End-of-data" <END-OF-MESSAGE>).
 * With smtpd_delay_reject = yes (DEF_SMTPD_DELAY_REJECT) smtpd_check_rcpt() runs the client, HELO and
 * sender stages again at every RCPT (and VRFY) before its own, so their rejects come at RCPT, logged
 * with the recipient; with no, smtpd.c calls them at connect (the reply in place of the greeting, and
 * "503 5.7.0 Error: access denied for <client>" to every command but QUIT, session.ts), at HELO/EHLO
 * and at MAIL; smtpd_check_etrn() likewise runs the client and HELO stages again. smtpd_check_rcpt() skips a bare "postmaster" (RFC 2821 3.6), runs smtpd_relay_restrictions
 * before smtpd_recipient_restrictions from 3.6.0 (smtpd_relay_before_recipient_restrictions' default at
 * compatibility_level 3.6, Mailu's and Debian's; 3.5 has the other order), turns a permit into the
 * remembered defer_if_permit, then applies the implicit reject_unlisted_recipient; smtpd_check_mail()
 * likewise the implicit reject_unlisted_sender (smtpd_reject_unlisted_sender). smtpd_check_data() and
 * smtpd_check_eod() name no recipient when there are several. After an access table's DISCARD (state->discard)
 * every list stops at once (restrictions.ts) and neither implicit reject_unlisted_* check runs, until mail_reset().
 */
import { checkRecipientRcptMaps, checkSenderRcptMaps } from './restriction-table.js';
import { CheckJump, DUNNO, genericChecks, REJECT, smtpdCheckReject, type Check } from './restrictions.js';
import { hasGate } from './releases.js';
import type { SmtpdSession } from './session.js';

/** setjmp(smtpd_check_buf) around a stage's work: a longjmp's status is the stage's. */
function guarded(run: () => number): number {
  try {
    return run();
  } catch (jump) {
    if (jump instanceof CheckJump) return jump.status;
    throw jump;
  }
}

/** SMTPD_CHECK_RESET() and the stage's check context. */
function stage(s: SmtpdSession, replyName: string, replyClass: string, defAcl: string | null): Check {
  const st = s.checks;
  st.recursion = 0;
  st.warnIfReject = 0;
  st.deferIfReject.active = false;
  return { s, st, replyName, replyClass, defAcl };
}

/** generic_checks() over a list, an empty one deciding nothing. */
function runList(c: Check, list: readonly string[]): number {
  return guarded(() => (list.length > 0 ? genericChecks(c, list) : DUNNO));
}

/** "Force permission into deferral when some earlier temporary error may have prevented us from rejecting mail." */
function deferredPermit(c: Check, status: number): number {
  const d = c.st.deferIfPermit;
  if (status === REJECT || !d.active) return status;
  return smtpdCheckReject(c, d.errorClass, d.code, d.dsn, d.reason);
}

const verdict = (s: SmtpdSession, status: number): string | null => (status === REJECT ? s.checks.errorText : null);

/** SMTPD_CHECK_PUSH() / SMTPD_CHECK_POP() of one state member around `run`. */
function pushed<K extends 'sender' | 'recipient' | 'helo'>(s: SmtpdSession, member: K, value: string | null, run: () => string | null): string | null {
  const saved = s.checks[member];
  s.checks[member] = value;
  try {
    return run();
  } finally {
    s.checks[member] = saved;
  }
}

/** smtpd_check_client(): smtpd_client_restrictions for <name[addr]>. */
export function smtpdCheckClient(s: SmtpdSession): string | null {
  s.checks.deferIfPermit.active = false;
  const c = stage(s, s.namaddr, 'Client host', 'check_client_access');
  const status = runList(c, s.config.smtpd_client_restrictions);
  s.checks.deferIfPermitClient = s.checks.deferIfPermit.active;
  return verdict(s, status);
}

/** smtpd_check_helo(): smtpd_helo_restrictions for the name given (pushed as the state's HELO name). */
export function smtpdCheckHelo(s: SmtpdSession, helo: string | null): string | null {
  if (helo === null) return null;
  return pushed(s, 'helo', helo, () => {
    s.checks.deferIfPermit.active = s.checks.deferIfPermitClient;
    const c = stage(s, helo, 'Helo command', 'check_helo_access');
    const status = runList(c, s.config.smtpd_helo_restrictions);
    s.checks.deferIfPermitHelo = s.checks.deferIfPermit.active;
    return verdict(s, status);
  });
}

/** smtpd_check_mail(): smtpd_sender_restrictions for the sender, then the implicit reject_unlisted_sender. */
export function smtpdCheckMail(s: SmtpdSession, sender: string | null): string | null {
  if (sender === null) return null;
  return pushed(s, 'sender', sender, () => {
    const st = s.checks;
    st.deferIfPermit.active = st.deferIfPermitClient || st.deferIfPermitHelo;
    st.senderRcptmapChecked = false;
    const c = stage(s, sender, 'Sender address', 'check_sender_access');
    let status = runList(c, s.config.smtpd_sender_restrictions);
    st.deferIfPermitSender = st.deferIfPermit.active;
    if (s.config.smtpd_reject_unlisted_sender && status !== REJECT && !st.senderRcptmapChecked && !s.saved.discard && sender !== '') status = guarded(() => checkSenderRcptMaps(c, sender));
    return verdict(s, status);
  });
}

/** smtpd_check_rcpt(): the delayed stages, the relay and recipient lists, the deferral, the implicit reject_unlisted_recipient. */
export function smtpdCheckRcpt(s: SmtpdSession, recipient: string): string | null {
  if (recipient.toLowerCase() === 'postmaster') return null;
  return pushed(s, 'recipient', recipient, () => {
    const st = s.checks;
    const config = s.config;
    st.recipientRcptmapChecked = false;
    if (config.smtpd_delay_reject) {
      const err = smtpdCheckClient(s) ?? smtpdCheckHelo(s, s.helo) ?? smtpdCheckMail(s, s.transaction?.sender ?? null);
      if (err !== null) return err;
    }
    st.deferIfPermit.active = st.deferIfPermitSender;
    const c = stage(s, recipient, 'Recipient address', 'check_recipient_access');
    const relayFirst = hasGate(s.release, 'relay_before_recipient_restrictions');
    const lists = relayFirst ? [config.smtpd_relay_restrictions, config.smtpd_recipient_restrictions] : [config.smtpd_recipient_restrictions, config.smtpd_relay_restrictions];
    let status = DUNNO;
    for (const list of lists) {
      status = runList(c, list);
      if (status === REJECT) break;
    }
    status = deferredPermit(c, status);
    if (config.smtpd_reject_unlisted_recipient && status !== REJECT && !st.recipientRcptmapChecked && !s.saved.discard) status = guarded(() => checkRecipientRcptMaps(c, recipient));
    return verdict(s, status);
  });
}

/** smtpd_check_etrn(): the delayed client and HELO stages, then smtpd_etrn_restrictions for the domain, and the deferral. */
export function smtpdCheckEtrn(s: SmtpdSession, domain: string): string | null {
  const st = s.checks;
  st.etrn = domain;
  try {
    if (s.config.smtpd_delay_reject) {
      const err = smtpdCheckClient(s) ?? smtpdCheckHelo(s, s.helo);
      if (err !== null) return err;
    }
    st.deferIfPermit.active = st.deferIfPermitClient || st.deferIfPermitHelo;
    const c = stage(s, domain, 'Etrn command', 'check_etrn_access');
    return verdict(s, deferredPermit(c, runList(c, s.config.smtpd_etrn_restrictions)));
  } finally {
    st.etrn = null;
  }
}

/** smtpd_check_data() and smtpd_check_eod(): one list with no default access table, no recipient named when there are several. */
function messageStage(s: SmtpdSession, list: readonly string[], replyName: string, replyClass: string): string | null {
  const several = (s.transaction?.recipients.length ?? 0) > 1;
  const run = () => {
    s.checks.deferIfPermit.active = false;
    const c = stage(s, replyName, replyClass, null);
    return verdict(s, deferredPermit(c, runList(c, list)));
  };
  return several ? pushed(s, 'recipient', null, run) : run();
}

export function smtpdCheckData(s: SmtpdSession): string | null {
  return messageStage(s, s.config.smtpd_data_restrictions, 'DATA', 'Data command');
}

export function smtpdCheckEod(s: SmtpdSession): string | null {
  return messageStage(s, s.config.smtpd_end_of_data_restrictions, 'END-OF-MESSAGE', 'End-of-data');
}
