/* rcpt-maps - the implicit reject_unlisted_recipient at the end of smtpd_check_rcpt(), for virtual mailbox domains
 *
 * Postfix v3.7.11 (the same at v3.9.0 and v3.10.13), smtpd/smtpd_check.c smtpd_check_rcpt(): with
 * smtpd_reject_unlisted_recipient = yes (mail_params.h DEF_SMTPD_REJ_UNL_RCPT 1) a recipient the
 * restrictions did not reject goes to check_recipient_rcpt_maps() -> check_rcpt_maps(), RCPT's and
 * VRFY's alike. check_rcpt_maps() resolves the address (trivial-rewrite resolve.c: the domain in
 * mydestination is the local class, else in virtual_mailbox_domains the virtual class, ...) and, for
 * the virtual class with virtual_mailbox_maps set, looks the address up there with mail_addr_find()
 * (MA_FIND_DEFAULT: "user+ext@domain", with recipient_delimiter "user@domain" (strip_addr_internal(),
 * split_addr_internal()), then "@domain"; the keys case-folded, DICT_FLAG_FOLD_FIX). Not
 * found: smtpd_check_reject() with unknown_virtual_mailbox_reject_code (550), "5.1.1" and "<%s>: %s
 * rejected: User unknown%s", the class "Recipient address" and, with show_user_unknown_table_name =
 * yes, " in virtual mailbox table"; logged as any restriction's reject (log_whatsup()).
 * The keys come from the resolved recipient (reply->recipient: a trailing dot taken off, "@$myhostname"
 * after an address without a domain, resolve-addr.ts), the reply names the address as sent.
 * Not modelled: the other classes' tables (local_recipient_maps, relay_recipient_maps), canonical and
 * virtual alias maps (a match there passes), a quoted local part (MA_FORM_EXTERNAL_FIRST), the bare
 * local part mail_addr_find() also tries when the domain is $myorigin (MA_FIND_LOCALPART_IF_LOCAL;
 * the lab has no myorigin), and table types other than inline: (config.ts).
 */
import { stringListMatch } from './address-list.js';
import { resolvedRecipient } from './resolve-addr.js';
import type { SmtpdSession } from './session.js';

/** check_rcpt_maps() for RESOLVE_CLASS_VIRTUAL: the reply that refuses `recipient`, or null. */
export function unlistedRecipient(s: SmtpdSession, recipient: string): string | null {
  const c = s.config;
  if (!c.smtpd_reject_unlisted_recipient || c.virtual_mailbox_maps === null) return null;
  const { local, domain } = resolvedRecipient(recipient, c.myhostname);
  // resolve.c resolve_class(): a local domain (mydestination) is the local class, whose table the lab does not model.
  if (stringListMatch(c.mydestination, domain) || !stringListMatch(c.virtual_mailbox_domains, domain)) return null;
  const keys = c.virtual_mailbox_maps;
  const found = (key: string) => keys.includes(key.toLowerCase());
  const bare = bareLocalpart(local, c.recipient_delimiter);
  if (found(`${local}@${domain}`) || (bare !== null && found(`${bare}@${domain}`)) || found(`@${domain}`)) return null;
  return `550 5.1.1 <${recipient}>: Recipient address rejected: User unknown in virtual mailbox table`;
}

/**
 * split_addr_internal() (global/split_addr.c): the local part before its first delimiter character,
 * or null where it is not split: no delimiter in it (or none set), one at the start, postmaster,
 * MAILER-DAEMON, double-bounce (DEF_DOUBLE_BOUNCE), and with '-' a delimiter owner-* and *-request
 * (owner_request_special, default yes).
 */
function bareLocalpart(localpart: string, delimiters: string): string | null {
  const lower = localpart.toLowerCase();
  if (lower === 'postmaster' || lower === 'mailer-daemon' || lower === 'double-bounce') return null;
  // split_addr_internal() wants more than "-request" itself; that one starts with the delimiter, which is no split either.
  if (delimiters.includes('-') && (lower.startsWith('owner-') || lower.endsWith('-request'))) return null;
  const cut = [...localpart].findIndex((ch) => delimiters.includes(ch));
  // No delimiter (or none set): no split. One first would leave an empty local part, which is not
  // split either (its key, "@domain", mail_addr_find() tries next anyway).
  return cut <= 0 ? null : [...localpart].slice(0, cut).join('');
}
