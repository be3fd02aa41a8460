/* cmd-misc - smtpd's small commands: XFORWARD, RSET, NOOP, VRFY, QUIT, HELP (postfix/src/smtpd/smtpd.c)
 *
 * Each takes smtpd no measurable time, so each is a quick reply; the row in command-table.ts
 * names the action here.
 */
import type { Micros } from '../contract.js';
import type { CommandRow } from './command-table.js';
import { discards } from './ehlo-mask.js';
import { extractedAddress } from './extract-addr.js';
import { milterRefusal } from './milter.js';
import type { SmtpdSession } from './session.js';
import { smtpdCheckRcpt } from './restriction-stages.js';
import { printable } from './text.js';

/** xforward_cmd(): the lab's clients are never XFORWARD-authorized (smtpd_authorized_xforward_hosts is empty). */
export function xforwardCommand(s: SmtpdSession, now: Micros, row: CommandRow, argv: readonly string[]): void {
  if (s.transaction) return s.quickReply(now, row, false, '503 5.5.1 Error: MAIL transaction in progress');
  if (argv.length < 2) return s.quickReply(now, row, false, '501 5.5.4 Syntax: XFORWARD attribute=value...');
  s.quickReply(now, row, false, '550 5.7.0 Error: insufficient authorization');
}

/** rset_cmd(): mail_reset() + rcpt_reset(). */
export function rsetCommand(s: SmtpdSession, now: Micros, row: CommandRow, argv: readonly string[]): void {
  if (argv.length !== 1) return s.quickReply(now, row, false, '501 5.5.4 Syntax: RSET');
  s.mailReset();
  s.quickReply(now, row, true, '250 2.0.0 Ok');
}

/**
 * noop_cmd(): any arguments are ignored (RFC 5321 §4.1.1.9 allows a parameter string); the
 * "501 5.5.4 Syntax: NOOP" check exists only under #ifdef RFC821_SYNTAX, which no build defines.
 */
export function noopCommand(s: SmtpdSession, now: Micros, row: CommandRow): void {
  s.quickReply(now, row, true, '250 2.0.0 Ok');
}

/**
 * vrfy_cmd(): refused outright with disable_vrfy_command; a last word SMTPUTF8 is the RFC 6531
 * option, not the address, while SMTPUTF8 is offered (smtputf8_enable is yes at every
 * compatibility_level >= 1, and the EHLO reply offers it: cmd-hello.ts); several words are put
 * together again with spaces (collapse_args()); extract_addr() must find exactly one address in
 * them (extract-addr.ts), else the warning and 501 5.1.3; smtpd_check_rcpt() then judges the
 * address as at RCPT (restriction-stages.ts: the delayed stages, the relay and recipient restrictions,
 * reject_unlisted_recipient; logged as a VRFY reject); the words are echoed in the 252.
 * smtpd_check_addr() inside extract_addr() refuses some more (resolve-addr.ts: its resolve, and a
 * non-ASCII domain without the SMTPUTF8 word); the checks judge the resolved address (@$myhostname
 * after one without a domain: resolvedRecipient()). Not modelled: the recipient rate limit (anvil).
 */
export function vrfyCommand(s: SmtpdSession, now: Micros, row: CommandRow, argv: readonly string[]): void {
  if (s.config.disable_vrfy_command) return s.quickReply(now, row, false, '502 5.5.1 VRFY command is disabled');
  const smtputf8 = !discards(s.ehloDiscardMask, 'smtputf8') && argv.length > 1 && argv.at(-1)?.toUpperCase() === 'SMTPUTF8';
  const words = smtputf8 ? argv.slice(1, -1) : argv.slice(1);
  if (words.length === 0) return s.quickReply(now, row, false, '501 5.5.4 Syntax: VRFY address [SMTPUTF8]');
  const refusal = milterRefusal(s);
  if (refusal) return s.quickReply(now, row, false, refusal);
  const argument = words.join(' ');
  // extract_addr(REJECT_EMPTY_ADDR, SLOPPY): one address, not two (John Smith) and not an empty one (<>, "").
  // The address is the ADDR node tok822_internalize() gives: a phrase before <addr-spec> is not part of it.
  const address = extractedAddress(argument, false, smtputf8);
  if (address === null) {
    s.log(`warning: Illegal address syntax from ${s.namaddr} in VRFY command: ${printable(argument)}`);
    return s.quickReply(now, row, false, '501 5.1.3 Bad recipient address syntax');
  }
  // smtpd_check_rcpt(): the address judged as at RCPT, logged by log_whatsup() with to=.
  const rejection = smtpdCheckRcpt(s, address);
  if (rejection !== null) return s.quickReply(now, row, false, rejection);
  s.quickReply(now, row, true, `252 2.0.0 ${argument}`);
}

/** quit_cmd(): the loop tail (SmtpdSession.finish) ends the session after a QUIT row. */
export function quitCommand(s: SmtpdSession, now: Micros, row: CommandRow): void {
  s.quickReply(now, row, true, '221 2.0.0 Bye');
}

/** help_cmd() (3.9): the verbs of this release's table, sorted. */
export function helpCommand(s: SmtpdSession, now: Micros, row: CommandRow): void {
  s.quickReply(now, row, true, `214 2.0.0 Commands: ${s.table.map((r) => r.name).sort().join(' ')}`);
}
