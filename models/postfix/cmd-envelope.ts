/* cmd-envelope - MAIL, RCPT (the restrictions, queue file opening) and ETRN
 *
 * The restrictions are smtpd_check_mail(), smtpd_check_rcpt() and smtpd_check_etrn() (restriction-stages.ts):
 * MAIL runs the sender's only with smtpd_delay_reject = no, RCPT and ETRN run the delayed ones too.
 * A milter's refusal (milter.ts) is asked where mail_cmd(), rcpt_cmd() and etrn_cmd() ask it (v3.9.0).
 * mail_cmd(), rcpt_cmd(), extract_addr(), etrn_cmd() in smtpd.c (v3.7.11).
 * MAIL and RCPT read smtpd_token()'s words (smtpd-token.ts): the keyword FROM: or TO: in any
 * case, the address word, then the options (envelope-options.ts). extract_addr() refuses an address
 * word in which tok822_parse() finds more than one address (extract-addr.ts), with a warning.
 * The address kept is the addr-spec (extractedAddress(): x<a@b> is a@b); smtpd_check_addr()
 * refuses some more (resolve-addr.ts): its resolve, and a non-ASCII domain unless MAIL declared SMTPUTF8.
 */
import type { Micros } from '../contract.js';
import type { CommandRow } from './command-table.js';
import { isSmtputf8Option, mailOptionRefusal, rcptOptionRefusal } from './envelope-options.js';
import { extractedAddress } from './extract-addr.js';
import { checkMilterReply, milterRefusal } from './milter.js';
import type { SmtpdSession } from './session.js';
import { smtpdTokens } from './smtpd-token.js';
import { validMailhostLiteral } from './resolve-addr.js';
import { smtpdCheckEtrn, smtpdCheckMail, smtpdCheckRcpt } from './restriction-stages.js';
import { printable } from './text.js';
import { validHostname } from './xclient.js';

/** An envelope command's address and options, or the reply that refuses its syntax. */
type Envelope = { readonly address: string; readonly options: readonly string[] } | { readonly refusal: string };

/** How mail_cmd() or rcpt_cmd() reads its words: the keyword, the replies, and whether the address may use a non-ASCII domain. */
interface EnvelopeSyntax {
  readonly keyword: string;
  readonly syntax: string;
  readonly badAddress: string;
  readonly allowEmpty: boolean;
  /** SMTPD_FLAG_SMTPUTF8 as extract_addr() reads it, from the command's options. */
  readonly smtputf8: (options: readonly string[]) => boolean;
}

/**
 * The shared part of mail_cmd() and rcpt_cmd(): "argc < 3 || strcasecmp(argv[1], keyword)" is the
 * syntax reply; an unclosed < or " (SMTPD_TOK_ERROR) and extract_addr()'s trouble the bad-address
 * reply, the latter with its warning. An argument with no address is the null address.
 */
function envelopeOf(s: SmtpdSession, text: string, how: EnvelopeSyntax): Envelope {
  const words = smtpdTokens(text);
  const argument = words[2];
  if (argument === undefined || words[1]?.text.toLowerCase() !== how.keyword) return { refusal: how.syntax };
  if (argument.error) return { refusal: how.badAddress };
  const options = words.slice(3).map((w) => w.text);
  const address = extractedAddress(argument.text, how.allowEmpty, how.smtputf8(options));
  if (address === null) {
    s.log(`warning: Illegal address syntax from ${s.namaddr} in ${s.where} command: ${printable(argument.text)}`);
    return { refusal: how.badAddress };
  }
  return { address, options };
}

/** mail_cmd(): sequencing, syntax, options and SIZE; the transaction (the queue file opens at RCPT). */
export function mailCommand(s: SmtpdSession, now: Micros, row: CommandRow, text: string): void {
  const t = s.config.timings;
  if (s.config.smtpd_helo_required && s.helo === null) return s.quickReply(now, row, false, '503 5.5.1 Error: send HELO/EHLO first');
  if (s.transaction) return s.quickReply(now, row, false, '503 5.5.1 Error: nested MAIL command');
  // "Don't accept MAIL after out-of-order BDAT": a BDAT refused without a transaction (need RCPT, not LAST)
  // leaves bdat_state ERROR until RSET or BDAT LAST (mail_cmd(), skip_bdat(), v3.7.11).
  if (s.bdat !== 'none') return s.quickReply(now, row, false, '503 5.5.1 Error: MAIL after BDAT');
  // "The optional SMTPUTF8 parameter determines what address syntax is permitted. We must process
  // this parameter early": mail_cmd() looks for it among the options before extract_addr().
  const smtputf8 = (options: readonly string[]) => options.some((arg) => isSmtputf8Option(s, arg));
  const envelope = envelopeOf(s, text, { keyword: 'from:', syntax: '501 5.5.4 Syntax: MAIL FROM:<address>', badAddress: '501 5.1.7 Bad sender address syntax', allowEmpty: true, smtputf8 });
  if ('refusal' in envelope) return s.quickReply(now, row, false, envelope.refusal);
  const refusal = mailOptionRefusal(s, envelope.options);
  if (refusal) return s.quickReply(now, row, false, refusal);
  // smtpd_check_mail() here only with smtpd_delay_reject = no; "Reset access map side effects": mail_reset().
  const rejection = s.config.smtpd_delay_reject ? null : smtpdCheckMail(s, envelope.address);
  if (rejection !== null) {
    s.mailReset();
    return s.respond(now, row, false, t.mailDelayUs, rejection);
  }
  // milter_mail_event(): a rejecting milter's reply, logged with the sender (check_milter_reply()), then mail_reset().
  // "H" and "D" log and answer nothing: MAIL goes on.
  const verdict = s.milter?.mail();
  const reply = verdict ? checkMilterReply(s, verdict, { sender: envelope.address }) : null;
  if (reply !== null) {
    s.mailReset();
    return s.quickReply(now, row, false, reply);
  }
  s.transaction = { queueId: null, sender: envelope.address, recipients: [], smtputf8: smtputf8(envelope.options) };
  s.respond(now, row, true, t.mailDelayUs, '250 2.1.0 Ok');
}

export function rcptCommand(s: SmtpdSession, now: Micros, row: CommandRow, text: string): void {
  const t = s.config.timings;
  const transaction = s.transaction;
  if (!transaction) return s.quickReply(now, row, false, '503 5.5.1 Error: need MAIL command');
  if (s.bdat !== 'none') return s.quickReply(now, row, false, '503 5.5.1 Error: RCPT after BDAT');
  // rcpt_cmd() passes the flag its MAIL set (mail_cmd() clears it first, so it is this transaction's).
  const smtputf8 = () => transaction.smtputf8;
  const envelope = envelopeOf(s, text, { keyword: 'to:', syntax: '501 5.5.4 Syntax: RCPT TO:<address>', badAddress: '501 5.1.3 Bad recipient address syntax', allowEmpty: false, smtputf8 });
  if ('refusal' in envelope) return s.quickReply(now, row, false, envelope.refusal);
  const refusal = rcptOptionRefusal(s, envelope.options);
  if (refusal) return s.quickReply(now, row, false, refusal);
  // smtpd_check_rcpt(): the delayed stages, the restrictions, then the implicit reject_unlisted_recipient (logged there).
  const rejection = smtpdCheckRcpt(s, envelope.address);
  if (rejection !== null) return s.respond(now, row, false, t.rcptDelayUs, rejection);
  // milter_rcpt_event() for a recipient smtpd_check_rcpt() passed, logged with it; the transaction stays.
  const verdict = s.milter?.rcpt();
  const milterReply = verdict ? checkMilterReply(s, verdict, { sender: transaction.sender, recipient: envelope.address }) : null;
  if (milterReply !== null) return s.respond(now, row, false, t.rcptDelayUs, milterReply);
  // rcpt_cmd(): with smtpd_delay_open_until_valid_rcpt the queue file (and its ID and
  // the "client=" line) comes with the first accepted recipient.
  if (transaction.queueId === null) {
    transaction.queueId = s.shared.queue.allocateId(now);
    // mail_open_stream(): sasl_method and sasl_username after AUTH, sasl_sender after MAIL's AUTH=.
    const sasl = s.saslUsername !== null ? `, sasl_method=${s.saslMethod}, sasl_username=${s.saslUsername}` : '';
    const sender = s.saslSender !== null ? `, sasl_sender=${s.saslSender}` : '';
    s.log(`${transaction.queueId}: client=${s.namaddr}${sasl}${sender}`);
  }
  transaction.recipients.push(envelope.address);
  s.respond(now, row, true, t.rcptDelayUs, '250 2.1.5 Ok');
}

/**
 * etrn_cmd(): the domain passes valid_hostname() or valid_mailhost_literal(), then smtpd_check_etrn()
 * (restriction-stages.ts); the lab has no fast flush domains, so a request they pass is denied (459).
 */
export function etrnCommand(s: SmtpdSession, now: Micros, row: CommandRow, argv: string[]): void {
  if (s.config.smtpd_helo_required && s.helo === null) return s.quickReply(now, row, false, '503 Error: send HELO/EHLO first');
  const refusal = milterRefusal(s);
  if (refusal) return s.quickReply(now, row, false, refusal);
  if (s.transaction) return s.quickReply(now, row, false, '503 Error: MAIL transaction in progress');
  if (argv.length !== 2) return s.quickReply(now, row, false, '500 Syntax: ETRN domain');
  const domain = (argv[1] ?? '').replace(/^[@#]/, '');
  if (!validHostname(domain) && !validMailhostLiteral(domain)) return s.quickReply(now, row, false, '501 Error: invalid parameter syntax');
  const rejection = smtpdCheckEtrn(s, domain);
  if (rejection !== null) return s.quickReply(now, row, false, rejection);
  s.log(`warning: reject: ETRN ${domain.slice(0, 100)}... from ${s.namaddr}`);
  s.quickReply(now, row, false, `459 <${domain}>: service unavailable`);
}
