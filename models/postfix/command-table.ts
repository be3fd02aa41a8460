/* command-table - smtpd's command table as data, and the per-session statistics it feeds
 *
 * Mirrors smtpd_cmd_table in postfix/src/smtpd/smtpd.c (v3.7.11 ~5500, HEAD ~5739):
 * one row per verb with its action and the flags the dispatcher reads, as the real table
 * pairs each name with its *_cmd() function. A row cannot be written without its action.
 * The last, nameless row counts unknown and malformed commands ("unknown=" in the
 * disconnect line).
 */
import type { Micros } from '../contract.js';
import { etrnCommand, mailCommand, rcptCommand } from './cmd-envelope.js';
import { heloCommand, starttlsCommand } from './cmd-hello.js';
import { bdatCommand, dataCommand } from './cmd-message.js';
import { helpCommand, noopCommand, quitCommand, rsetCommand, vrfyCommand, xforwardCommand } from './cmd-misc.js';
import { authCommand } from './cmd-sasl.js';
import { xclientCommand } from './cmd-xclient.js';
import { hasGate, type PostfixGateName, type PostfixRelease } from './releases.js';
import type { SmtpdSession } from './session.js';

/** SMTPD_CMD_FLAG_LIMIT: counts towards smtpd_junk_command_limit. */
export const LIMIT = 1 << 0;
/** SMTPD_CMD_FLAG_PRE_TLS: allowed before STARTTLS when TLS is enforced. */
export const PRE_TLS = 1 << 1;
/** SMTPD_CMD_FLAG_LAST: RFC 2920 "can only appear as the last command in a group". */
export const LAST = 1 << 2;

export type CommandName =
  | 'HELO' | 'EHLO' | 'XCLIENT' | 'XFORWARD' | 'STARTTLS' | 'AUTH' | 'MAIL' | 'RCPT'
  | 'DATA' | 'BDAT' | 'RSET' | 'NOOP' | 'VRFY' | 'ETRN' | 'QUIT' | 'HELP';

/**
 * A command's *_cmd(): it replies (now or after its processing time) and hands the session back
 * to the command loop through SmtpdSession.finish. `argv` is the split command line, `text`
 * the whole line (MAIL and RCPT parse the address from it, as smtpd's extract_addr does).
 */
export type CommandAction = (s: SmtpdSession, now: Micros, row: CommandRow, argv: string[], text: string) => void;

export interface CommandRow {
  readonly name: CommandName;
  readonly action: CommandAction;
  readonly flags: number;
  /** The release gate that brought this verb (releases.ts); a row without one is in every modelled release. */
  readonly since?: PostfixGateName;
}

export const commandTable: readonly CommandRow[] = [
  { name: 'HELO', action: heloCommand, flags: LIMIT | PRE_TLS | LAST },
  { name: 'EHLO', action: heloCommand, flags: LIMIT | PRE_TLS | LAST },
  { name: 'XCLIENT', action: xclientCommand, flags: PRE_TLS },
  { name: 'XFORWARD', action: xforwardCommand, flags: 0 },
  { name: 'STARTTLS', action: starttlsCommand, flags: PRE_TLS },
  { name: 'AUTH', action: authCommand, flags: 0 },
  { name: 'MAIL', action: (s, now, row, _argv, text) => mailCommand(s, now, row, text), flags: 0 },
  { name: 'RCPT', action: (s, now, row, _argv, text) => rcptCommand(s, now, row, text), flags: 0 },
  { name: 'DATA', action: dataCommand, flags: LAST },
  { name: 'BDAT', action: bdatCommand, flags: 0 },
  { name: 'RSET', action: rsetCommand, flags: LIMIT },
  { name: 'NOOP', action: noopCommand, flags: LIMIT | PRE_TLS | LAST },
  { name: 'VRFY', action: vrfyCommand, flags: LIMIT | LAST },
  { name: 'ETRN', action: etrnCommand, flags: LIMIT },
  { name: 'QUIT', action: quitCommand, flags: PRE_TLS },
  { name: 'HELP', action: helpCommand, flags: PRE_TLS, since: 'help_command' },
];

/** The table a given release has (HELP only from 3.9). */
export function commandsFor(release: PostfixRelease): readonly CommandRow[] {
  return commandTable.filter((row) => row.since === undefined || hasGate(release, row.since));
}

/** Case-insensitive lookup, as smtpd's strcasecmp loop; undefined is the "unknown" row. */
export function lookupCommand(table: readonly CommandRow[], verb: string): CommandRow | undefined {
  const upper = verb.toUpperCase();
  return table.find((row) => row.name === upper);
}

/** success_count / total_count per row, plus the unknown row. */
export class CommandStats {
  private readonly success = new Map<string, number>();
  private readonly total = new Map<string, number>();

  constructor(private readonly table: readonly CommandRow[]) {}

  /** cmdp->total_count += 1 (happens before the command runs, so a longjmp leaves it counted). */
  counted(row: CommandRow | undefined): void {
    const key = row?.name ?? 'unknown';
    this.total.set(key, (this.total.get(key) ?? 0) + 1);
  }

  /** cmdp->success_count += 1 after an action returned 0. */
  succeeded(row: CommandRow): void {
    this.success.set(row.name, (this.success.get(row.name) ?? 0) + 1);
  }

  /** smtpd_format_cmd_stats(): " ehlo=2 xclient=0/1 ... commands=6/7", lower case, table order. */
  format(): string {
    let text = '';
    let allSuccess = 0;
    let allTotal = 0;
    for (const key of [...this.table.map((row) => row.name as string), 'unknown']) {
      const total = this.total.get(key) ?? 0;
      if (total === 0) continue;
      const success = this.success.get(key) ?? 0;
      text += ` ${key.toLowerCase()}=${success}${success !== total ? `/${total}` : ''}`;
      allSuccess += success;
      allTotal += total;
    }
    text += ` commands=${allSuccess}`;
    if (allSuccess !== allTotal || allTotal === 0) text += `/${allTotal}`;
    return text;
  }
}
