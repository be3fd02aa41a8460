/* cmd-hello - HELO, EHLO (the capability list) and STARTTLS
 *
 * helo_cmd(), ehlo_cmd(), starttls_cmd() and smtpd_start_tls() in postfix/src/smtpd/smtpd.c (v3.7.11).
 */
import type { Micros } from '../contract.js';
import type { CommandRow } from './command-table.js';
import { discards, EHLO_MASK_ENHANCEDSTATUSCODES, EHLO_MASK_SILENT, strEhloMask } from './ehlo-mask.js';
import { checkMilterReply, milterRefusalOfSessionCommand } from './milter.js';
import { smtpdCheckHelo } from './restriction-stages.js';
import type { SmtpdSession } from './session.js';
import { neuter, printable } from './text.js';

/**
 * helo_cmd()/ehlo_cmd(): reset HELO and transaction, set the protocol, answer. A milter that
 * rejects (now or at connect) is logged and, unless its reply is a 421 (answered, then hang up),
 * the name is taken with 250 all the same ("Sendmail compatibility"); after a 5xx the EHLO reply
 * offers ENHANCEDSTATUSCODES only (discard_mask |= ~EHLO_MASK_ENHANCEDSTATUSCODES).
 */
export function heloCommand(s: SmtpdSession, now: Micros, row: CommandRow, argv: string[]): void {
  const t = s.config.timings;
  if (argv.length < 2) return s.respond(now, row, false, t.quickDelayUs, `501 Syntax: ${row.name} hostname`);
  // collapse_args() puts every word after the verb back together; the name is kept printable() and neuter()ed.
  const name = argv.slice(1).join(' ');
  // smtpd_check_helo() here only with smtpd_delay_reject = no, before the milter (helo_cmd(), ehlo_cmd()).
  const rejection = s.config.smtpd_delay_reject ? null : smtpdCheckHelo(s, name);
  if (rejection !== null) return s.respond(now, row, false, t.quickDelayUs, rejection);
  const verdict = s.milter?.helo();
  // Logged "with correct HELO information": the name as given (PUSH_STRING), before printable().
  const err = verdict ? checkMilterReply(s, verdict, { helo: name }) : null;
  if (err?.startsWith('421')) return s.respond(now, row, false, t.quickDelayUs, err);
  s.helo = neuter(printable(name));
  s.mailReset();
  // ehlo_cmd() makes the protocol ESMTP; helo_cmd() leaves SMTP and ESMTP alone ("Downgrading the
  // protocol name breaks the unauthorized pipelining test"), and the model knows no other.
  if (row.name === 'EHLO') s.protocol = 'ESMTP';
  const delay = s.shared.ehloCount++ === 0 ? t.ehloFirstDelayUs : t.ehloDelayUs;
  if (row.name === 'HELO') return s.respond(now, row, true, delay, `250 ${s.config.myhostname}`);
  const mask = err?.startsWith('5') ? s.ehloDiscardMask | ~EHLO_MASK_ENHANCEDSTATUSCODES : s.ehloDiscardMask;
  if ((mask & EHLO_MASK_ENHANCEDSTATUSCODES) === 0 && mask !== 0 && (mask & EHLO_MASK_SILENT) === 0) {
    s.log(`discarding EHLO keywords: ${strEhloMask(mask)}`);
  }
  const words = ehloWords(s, mask);
  // One smtpd_chat_reply() per line, as ehlo_cmd() sends them (the error sleep is per call: session.ts replyThen()).
  s.respond(now, row, true, delay, words.map((word, i) => `250${i === words.length - 1 ? ' ' : '-'}${word}`));
}

/** An EHLO keyword the discard mask leaves in (a function, not a closure per EHLO). */
function kept(mask: number, keyword: string): boolean {
  return !discards(mask, keyword);
}

/** ehlo_cmd()'s list, in its order, less what `mask` discards (smtpd_discard_ehlo_keywords, or a milter's 5xx). */
function ehloWords(s: SmtpdSession, mask: number): string[] {
  const c = s.config;
  const words = [c.myhostname];
  if (kept(mask, 'pipelining')) words.push('PIPELINING');
  if (kept(mask, 'size')) words.push(c.message_size_limit > 0 ? `SIZE ${c.message_size_limit}` : 'SIZE');
  if (kept(mask, 'vrfy') && !c.disable_vrfy_command) words.push('VRFY');
  if (kept(mask, 'etrn')) words.push('ETRN');
  if (kept(mask, 'starttls') && c.smtpd_tls_security_level !== 'none' && !s.tls) words.push('STARTTLS');
  if (kept(mask, 'auth') && s.saslActive()) words.push(`AUTH ${c.saslMechanisms.join(' ')}`);
  if (kept(mask, 'xclient') && s.xclientAllowed) words.push('XCLIENT NAME ADDR PROTO HELO REVERSE_NAME PORT LOGIN DESTADDR DESTPORT');
  if (kept(mask, 'enhancedstatuscodes')) words.push('ENHANCEDSTATUSCODES');
  if (kept(mask, '8bitmime')) words.push('8BITMIME');
  if (kept(mask, 'dsn')) words.push('DSN');
  if (kept(mask, 'smtputf8')) words.push('SMTPUTF8');
  if (kept(mask, 'chunking')) words.push('CHUNKING');
  return words;
}

/** starttls_cmd(): with TLS configured, 220 and from then on a TLS session (handshake not modelled). */
export function starttlsCommand(s: SmtpdSession, now: Micros, row: CommandRow, argv: string[]): void {
  const t = s.config.timings;
  if (argv.length !== 1) return s.respond(now, row, false, t.quickDelayUs, '501 5.5.4 Syntax: STARTTLS');
  const refusal = milterRefusalOfSessionCommand(s);
  if (refusal) return s.respond(now, row, false, t.quickDelayUs, refusal);
  if (s.tls) return s.respond(now, row, false, t.quickDelayUs, '554 5.5.1 Error: TLS already active');
  if (s.config.smtpd_tls_security_level === 'none' || discards(s.ehloDiscardMask, 'STARTTLS')) {
    return s.respond(now, row, false, t.quickDelayUs, '502 5.5.1 Error: command not implemented');
  }
  s.reply('220 2.0.0 Ready to start TLS');
  s.flush();
  // "At this point there must not be any pending plaintext": vstream_fpurge(BOTH).
  s.reader.purge();
  s.tls = true;
  // helo_reset(), mail_reset(), rcpt_reset(); the protocol stays. smtpd_start_tls() then resets
  // SASL (smtpd_sasl_auth_reset()), so an AUTH from before the handshake no longer counts.
  s.helo = null;
  s.mailReset();
  s.saslLogout();
  s.busy(now, t.quickDelayUs, s.finish(row, true));
}
