/* command-table - smtpd's command table as data, and the per-session statistics it feeds
 *
 * Mirrors smtpd_cmd_table in postfix/src/smtpd/smtpd.c (v3.7.11 ~5500, HEAD ~5739):
 * one row per verb with the flags the dispatcher reads. The last, nameless row counts
 * unknown and malformed commands ("unknown=" in the disconnect line).
 */

/** SMTPD_CMD_FLAG_LIMIT: counts towards smtpd_junk_command_limit. */
export const LIMIT = 1 << 0;
/** SMTPD_CMD_FLAG_PRE_TLS: allowed before STARTTLS when TLS is enforced. */
export const PRE_TLS = 1 << 1;
/** SMTPD_CMD_FLAG_LAST: RFC 2920 "can only appear as the last command in a group". */
export const LAST = 1 << 2;

export type CommandName =
  | 'HELO' | 'EHLO' | 'XCLIENT' | 'XFORWARD' | 'STARTTLS' | 'AUTH' | 'MAIL' | 'RCPT'
  | 'DATA' | 'BDAT' | 'RSET' | 'NOOP' | 'VRFY' | 'ETRN' | 'QUIT' | 'HELP';

export interface CommandRow {
  readonly name: CommandName;
  readonly flags: number;
  /** First release with this verb (HELP: postfix-3.9-20240124, commit 0ed684971). */
  readonly since?: readonly [number, number];
}

export const commandTable: readonly CommandRow[] = [
  { name: 'HELO', flags: LIMIT | PRE_TLS | LAST },
  { name: 'EHLO', flags: LIMIT | PRE_TLS | LAST },
  { name: 'XCLIENT', flags: PRE_TLS },
  { name: 'XFORWARD', flags: 0 },
  { name: 'STARTTLS', flags: PRE_TLS },
  { name: 'AUTH', flags: 0 },
  { name: 'MAIL', flags: 0 },
  { name: 'RCPT', flags: 0 },
  { name: 'DATA', flags: LAST },
  { name: 'BDAT', flags: 0 },
  { name: 'RSET', flags: LIMIT },
  { name: 'NOOP', flags: LIMIT | PRE_TLS | LAST },
  { name: 'VRFY', flags: LIMIT | LAST },
  { name: 'ETRN', flags: LIMIT },
  { name: 'QUIT', flags: PRE_TLS },
  { name: 'HELP', flags: PRE_TLS, since: [3, 9] },
];

/** The table a given release has (HELP only from 3.9). */
export function commandsFor(version: readonly [number, number, number]): readonly CommandRow[] {
  return commandTable.filter((row) => !row.since || version[0] > row.since[0] || (version[0] === row.since[0] && version[1] >= row.since[1]));
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
