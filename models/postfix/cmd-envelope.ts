/* cmd-envelope - MAIL, RCPT (relay restrictions, queue file opening) and ETRN
 *
 * A milter's refusal (milter.ts) is asked where mail_cmd() and etrn_cmd() ask it (v3.9.0).
 * mail_cmd(), rcpt_cmd(), etrn_cmd() in smtpd.c and generic_checks()/log_whatsup() in smtpd_check.c (v3.7.11).
 */
import { isIPv6 } from 'node:net';
import type { Micros } from '../contract.js';
import { namadrListMatch } from './address-list.js';
import type { CommandRow } from './command-table.js';
import { checkMilterReply, milterRefusal } from './milter.js';
import type { SmtpdSession } from './session.js';
import { whatsupEvidence } from './whatsup.js';
import { validHostname } from './xclient.js';

/** mail_cmd(): sequencing, syntax, SIZE; opens the queue file (the "client=" line). */
export function mailCommand(s: SmtpdSession, now: Micros, row: CommandRow, text: string): void {
  const t = s.config.timings;
  if (s.config.smtpd_helo_required && s.helo === null) return s.quickReply(now, row, false, '503 5.5.1 Error: send HELO/EHLO first');
  if (s.transaction) return s.quickReply(now, row, false, '503 5.5.1 Error: nested MAIL command');
  const match = /^\S+\s+from:\s*(.*)$/i.exec(text);
  const rest = match?.[1]?.trim() ?? '';
  if (rest === '') return s.quickReply(now, row, false, '501 5.5.4 Syntax: MAIL FROM:<address>');
  const parsed = parsePath(rest);
  if (!parsed) return s.quickReply(now, row, false, '501 5.1.7 Bad sender address syntax');
  for (const param of parsed.params) {
    const [key = '', value = ''] = param.split('=', 2);
    const upper = key.toUpperCase();
    if (upper === 'SIZE') {
      if (!/^\d+$/.test(value)) return s.quickReply(now, row, false, '501 5.5.4 Bad message size syntax');
      if (s.config.message_size_limit > 0 && Number(value) > s.config.message_size_limit) return s.quickReply(now, row, false, '552 5.3.4 Message size exceeds fixed limit');
    } else if (!['BODY', 'SMTPUTF8', 'AUTH', 'ENVID', 'RET'].includes(upper)) return s.quickReply(now, row, false, `555 5.5.4 Unsupported option: ${param}`);
  }
  // milter_mail_event(): a rejecting milter's reply, logged with the sender (check_milter_reply()).
  const verdict = s.milter?.later();
  if (verdict) return s.quickReply(now, row, false, checkMilterReply(s, verdict, { sender: parsed.address }));
  s.transaction = { queueId: null, sender: parsed.address, recipients: [] };
  s.respond(now, row, true, t.mailDelayUs, '250 2.1.0 Ok');
}

export function rcptCommand(s: SmtpdSession, now: Micros, row: CommandRow, text: string): void {
  const t = s.config.timings;
  if (!s.transaction) return s.quickReply(now, row, false, '503 5.5.1 Error: need MAIL command');
  if (s.bdat !== 'none') return s.quickReply(now, row, false, '503 5.5.1 Error: RCPT after BDAT');
  const match = /^\S+\s+to:\s*(.*)$/i.exec(text);
  const rest = match?.[1]?.trim() ?? '';
  if (rest === '') return s.quickReply(now, row, false, '501 5.5.4 Syntax: RCPT TO:<address>');
  const parsed = parsePath(rest);
  if (!parsed || parsed.address === '') return s.quickReply(now, row, false, '501 5.1.3 Bad recipient address syntax');
  const transaction = s.transaction;
  const rejection = relayRejection(s, parsed.address);
  if (rejection) {
    const evidence = whatsupEvidence(s, { sender: transaction.sender, recipient: parsed.address });
    s.log(`${transaction.queueId ?? 'NOQUEUE'}: reject: RCPT from ${s.namaddr}: ${rejection};${evidence}`);
    return s.respond(now, row, false, t.rcptDelayUs, rejection);
  }
  // rcpt_cmd(): with smtpd_delay_open_until_valid_rcpt the queue file (and its ID and
  // the "client=" line) comes with the first accepted recipient.
  if (transaction.queueId === null) {
    transaction.queueId = s.shared.queue.allocateId(now);
    const sasl = s.saslUsername !== null ? `, sasl_method=${s.saslMethod}, sasl_username=${s.saslUsername}` : '';
    s.log(`${transaction.queueId}: client=${s.namaddr}${sasl}`);
  }
  transaction.recipients.push(parsed.address);
  s.respond(now, row, true, t.rcptDelayUs, '250 2.1.5 Ok');
}

/** smtpd_relay_restrictions, first match wins (smtpd_check.c generic_checks). */
function relayRejection(s: SmtpdSession, recipient: string): string | null {
  const c = s.config;
  for (const restriction of c.smtpd_relay_restrictions) {
    if (restriction === 'permit_mynetworks' && namadrListMatch(c.mynetworks, s.client.name, s.client.addr)) return null;
    if (restriction === 'permit_sasl_authenticated' && s.saslUsername !== null) return null;
    if (restriction === 'reject_unauth_destination' || restriction === 'defer_unauth_destination') {
      const at = recipient.lastIndexOf('@');
      const domain = at < 0 ? null : recipient.slice(at + 1).toLowerCase();
      const authorized = domain === null || [...c.mydestination, ...c.virtual_mailbox_domains, ...c.relay_domains].some((d) => d.toLowerCase() === domain);
      if (!authorized) return restriction === 'reject_unauth_destination' ? `554 5.7.1 <${recipient}>: Relay access denied` : `450 4.7.1 <${recipient}>: Relay access denied`;
    }
  }
  return null;
}

/** etrn_cmd(): the domain passes valid_hostname() or valid_mailhost_literal(); the lab has no fast flush domains, so a valid request is denied (459). */
export function etrnCommand(s: SmtpdSession, now: Micros, row: CommandRow, argv: string[]): void {
  if (s.config.smtpd_helo_required && s.helo === null) return s.quickReply(now, row, false, '503 Error: send HELO/EHLO first');
  const refusal = milterRefusal(s);
  if (refusal) return s.quickReply(now, row, false, refusal);
  if (s.transaction) return s.quickReply(now, row, false, '503 Error: MAIL transaction in progress');
  if (argv.length !== 2) return s.quickReply(now, row, false, '500 Syntax: ETRN domain');
  const domain = (argv[1] ?? '').replace(/^[@#]/, '');
  if (!validHostname(domain) && !validMailhostLiteral(domain)) return s.quickReply(now, row, false, '501 Error: invalid parameter syntax');
  s.log(`warning: reject: ETRN ${domain.slice(0, 100)}... from ${s.namaddr}`);
  s.quickReply(now, row, false, `459 <${domain}>: service unavailable`);
}

/** valid_mailhost_literal() (global/valid_mailhost_addr.c): "[" an IPv4 address or "IPv6:" and an IPv6 address "]". */
function validMailhostLiteral(text: string): boolean {
  const inner = /^\[([^\]]*)\]$/.exec(text)?.[1];
  if (inner === undefined) return false;
  return /^ipv6:/i.test(inner) ? isIPv6(inner.slice(5)) : validIpv4Hostaddr(inner);
}

/** valid_ipv4_hostaddr() (util/valid_hostname.c): four decimal bytes of at most 255; a first byte 0 only in 0.0.0.0. */
function validIpv4Hostaddr(addr: string): boolean {
  const bytes = addr.split('.');
  if (bytes.length !== 4 || !bytes.every((b) => /^\d+$/.test(b) && Number(b) <= 255)) return false;
  return Number(bytes[0]) !== 0 || /^[0.]*$/.test(addr);
}

/** "<address> params" or "address params" (smtpd_token's <> handling, simplified). */
function parsePath(rest: string): { address: string; params: string[] } | null {
  const trimmed = rest.trim();
  const bracketed = /^<([^<>]*)>(.*)$/.exec(trimmed);
  if (bracketed) return { address: bracketed[1] ?? '', params: (bracketed[2] ?? '').split(/\s+/).filter(Boolean) };
  const words = trimmed.split(/\s+/);
  const address = words[0] ?? '';
  if (/[<>]/.test(address)) return null;
  return { address, params: words.slice(1) };
}
