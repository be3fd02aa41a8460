/* cmd-misc - smtpd's small commands: XFORWARD, RSET, NOOP, VRFY, QUIT, HELP (postfix/src/smtpd/smtpd.c)
 *
 * Each takes smtpd no measurable time, so each is a quick reply; the row in command-table.ts
 * names the action here.
 */
import type { Micros } from '../contract.js';
import type { CommandRow } from './command-table.js';
import type { SmtpdSession } from './session.js';

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

export function noopCommand(s: SmtpdSession, now: Micros, row: CommandRow, argv: readonly string[]): void {
  if (argv.length !== 1) return s.quickReply(now, row, false, '501 5.5.4 Syntax: NOOP');
  s.quickReply(now, row, true, '250 2.0.0 Ok');
}

export function vrfyCommand(s: SmtpdSession, now: Micros, row: CommandRow, argv: readonly string[]): void {
  if (s.config.disable_vrfy_command) return s.quickReply(now, row, false, '502 5.5.1 VRFY command is disabled');
  if (argv.length < 2) return s.quickReply(now, row, false, '501 5.5.4 Syntax: VRFY address');
  s.quickReply(now, row, true, `252 2.0.0 ${argv[1]}`);
}

/** quit_cmd(): the loop tail (SmtpdSession.finish) ends the session after a QUIT row. */
export function quitCommand(s: SmtpdSession, now: Micros, row: CommandRow): void {
  s.quickReply(now, row, true, '221 2.0.0 Bye');
}

/** help_cmd() (3.9): the verbs of this release's table, sorted. */
export function helpCommand(s: SmtpdSession, now: Micros, row: CommandRow): void {
  s.quickReply(now, row, true, `214 2.0.0 Commands: ${s.table.map((r) => r.name).sort().join(' ')}`);
}
