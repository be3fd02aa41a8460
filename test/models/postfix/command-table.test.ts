/* command-table - every verb has one row, and a row carries its action: a verb cannot be added without one */
import { describe, expect, it } from 'vitest';
import { commandsFor, commandTable, type CommandName, type CommandRow } from '../../../models/postfix/command-table.ts';

describe('command table', () => {
  it('has one row per verb, each with an action, in smtpd_cmd_table order', () => {
    const names: CommandName[] = ['HELO', 'EHLO', 'XCLIENT', 'XFORWARD', 'STARTTLS', 'AUTH', 'MAIL', 'RCPT', 'DATA', 'BDAT', 'RSET', 'NOOP', 'VRFY', 'ETRN', 'QUIT', 'HELP'];
    expect(commandTable.map((row) => row.name)).toEqual(names);
    for (const row of commandTable) expect(typeof row.action).toBe('function');
  });

  it('HELP exists from 3.9 on only', () => {
    expect(commandsFor([3, 8, 6]).some((row) => row.name === 'HELP')).toBe(false);
    expect(commandsFor([3, 9, 0]).some((row) => row.name === 'HELP')).toBe(true);
  });

  it('a row without an action does not type-check (npm run typecheck)', () => {
    // @ts-expect-error: the action is required
    const incomplete: CommandRow = { name: 'NOOP', flags: 0 };
    expect(incomplete.action).toBeUndefined();
  });
});
